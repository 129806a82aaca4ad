"""Why an organisation service refuses (the API's `error.code`). Missing rights, scope and a
stale version use core's shared codes (permission_denied, not_found, conflict)."""

from enum import StrEnum


class OrgErrorCode(StrEnum):
    INVALID_CREDENTIALS = "invalid_credentials"
    ACCOUNT_INACTIVE = "account_inactive"
    OLD_PASSWORD_INCORRECT = "old_password_incorrect"
    PASSWORD_UNCHANGED = "password_unchanged"
    PASSWORD_TOO_WEAK = "password_too_weak"
    STILL_REFERENCED = "still_referenced"
