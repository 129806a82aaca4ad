"""Why the field app refuses an input (the API's `error.code`); state, version, permission
and scope refusals use core's shared codes."""

from enum import StrEnum


class FieldErrorCode(StrEnum):
    INVALID_RESCUE = "invalid_rescue"
