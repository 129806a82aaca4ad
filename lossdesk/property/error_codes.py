"""Why the property services refuse (`error.code`). A case or loss item in a state that
forbids the change is core's `illegal_transition`; bad input is `invalid` per field."""

from enum import StrEnum


class PropertyErrorCode(StrEnum):
    LOSS_ITEM_NOT_PROPERTY = "loss_item_not_property"
