"""Why a parts service or endpoint refuses (the API's `error.code`). A quote or import in a
state that forbids the action is core's `illegal_transition`; an approval that lacks data is
`incomplete`; field checks that report per-field messages are `invalid`."""

from enum import StrEnum


class PartsErrorCode(StrEnum):
    VIN_INVALID = "vin_invalid"
    VIN_OR_MAKE_REQUIRED = "vin_or_make_required"
    SEARCH_TEXT_REQUIRED = "search_text_required"
    VEHICLE_MODEL_NOT_FOUND = "vehicle_model_not_found"
    PART_NOT_FOUND = "part_not_found"
    LOSS_ITEM_NOT_VEHICLE = "loss_item_not_vehicle"
    LOSS_ITEM_REQUIRED = "loss_item_required"
    PRICE_QUERY_EMPTY = "price_query_empty"
    PRICES_MISSING = "prices_missing"
    REASON_REQUIRED = "reason_required"
    NOTE_REQUIRED = "note_required"
    FILE_REQUIRED = "file_required"
    NO_VALID_ROWS = "no_valid_rows"
