"""Intake's refusal codes (core.errors): the API returns them in `error.code`.

Besides the shared codes (`not_found`, `permission_denied`, `conflict`, and
`illegal_transition` when a report, dispatch, delegation or callback is in a state that
does not allow the action), intake answers with:

- `duplicate_report`: the client's claim number is already registered (400 from the
  service; 409 from the API when it replays or refuses a repeated request).
- `client_required`: no client chosen; `registrar_without_branch`: the registering staff
  member has no branch. A report field that fails validation is the shared `invalid`,
  like a serializer's field error.
- `surveyor_not_dispatchable`: the chosen person is not an active surveyor of the working
  branch; `override_reason_required`: a surveyor below the top recommendation was chosen
  without a reason.
- `reason_required`: declining a dispatch, refusing, cancelling or returning a delegation
  needs a reason.
- `invalid_position`: a surveyor's reported latitude/longitude is not a valid position.
- `invalid_delegation`: the receiving branch or the loss item of a delegation is not
  acceptable; `delegation_fee_share_misconfigured`: the LOSSDESK_DELEGATION_FEE_SHARE
  setting is outside 0–1.
- `invalid_rating`: a callback rating missing or outside 1–5; `invalid_callback_result`: an
  unknown result of a phone callback; `callback_expired` (410): the customer's link expired.
"""

from enum import StrEnum


class IntakeErrorCode(StrEnum):
    DUPLICATE_REPORT = "duplicate_report"
    CLIENT_REQUIRED = "client_required"
    REGISTRAR_WITHOUT_BRANCH = "registrar_without_branch"
    SURVEYOR_NOT_DISPATCHABLE = "surveyor_not_dispatchable"
    OVERRIDE_REASON_REQUIRED = "override_reason_required"
    REASON_REQUIRED = "reason_required"
    INVALID_POSITION = "invalid_position"
    INVALID_DELEGATION = "invalid_delegation"
    DELEGATION_FEE_SHARE_MISCONFIGURED = "delegation_fee_share_misconfigured"
    INVALID_RATING = "invalid_rating"
    INVALID_CALLBACK_RESULT = "invalid_callback_result"
    CALLBACK_EXPIRED = "callback_expired"
