"""Why a case service refuses an input (the API's `error.code`). State, version, permission
and scope refusals use core's shared codes (illegal_transition, conflict, permission_denied,
self_review, not_found, incomplete)."""

from enum import StrEnum


class CaseErrorCode(StrEnum):
    LOSS_ITEM_NOT_IN_CASE = "loss_item_not_in_case"
    LOSS_ITEM_HAS_NO_SHEET = "loss_item_has_no_sheet"
    INVALID_DOCUMENT_TYPE = "invalid_document_type"
    INVALID_REVIEW_LEVEL = "invalid_review_level"
    INVALID_DECISION = "invalid_decision"
    REASON_REQUIRED = "reason_required"
    ITEMS_REQUIRED = "items_required"
    DUE_DATE_IN_PAST = "due_date_in_past"
    INVALID_CANCEL_REASON = "invalid_cancel_reason"
    NOTE_REQUIRED = "note_required"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    INVALID_IDEMPOTENCY_KEY = "invalid_idempotency_key"
    DAMAGED_IMAGE = "damaged_image"
    INVALID_RESURVEY = "invalid_resurvey"
