"""Why the injury services refuse (`error.code`). A case or loss item in a state that forbids
the change is core's `illegal_transition`; bad input is `invalid` per field."""

from enum import StrEnum


class InjuryErrorCode(StrEnum):
    LOSS_ITEM_NOT_INJURY = "loss_item_not_injury"
    # A flag of the medical investigation is confirmed or dismissed once.
    FLAG_ALREADY_DECIDED = "flag_already_decided"
