"""Why the SMS platform refuses a message (`error.code`); nothing is stored then. A resend of
a message that has not failed is core's `illegal_transition`."""

from enum import StrEnum


class NotifyErrorCode(StrEnum):
    PHONE_INVALID = "phone_invalid"
    RECIPIENT_INVALID = "recipient_invalid"
    TEMPLATE_NOT_FOUND = "template_not_found"
    TEMPLATE_INACTIVE = "template_inactive"
    TEMPLATE_VARIABLES_MISSING = "template_variables_missing"
    TEMPLATE_INVALID = "template_invalid"
