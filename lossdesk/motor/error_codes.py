"""Why the vehicle assessment sheet service refuses (`error.code`). A loss item or case in a
state that forbids editing the sheet is core's `illegal_transition`; bad lines are `invalid`
with a message per cell."""

from enum import StrEnum


class MotorErrorCode(StrEnum):
    LOSS_ITEM_NOT_VEHICLE = "loss_item_not_vehicle"
