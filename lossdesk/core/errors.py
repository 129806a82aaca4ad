"""Errors raised by service functions. Views and the API turn them into a form error, a
message or a JSON error body; none of them is ever a 500.

`ErrorCode` holds the codes every domain shares. Each app names its own refusals in an
`error_codes.py` enum (Saleor style: `IntakeErrorCode.DUPLICATE_REPORT`) and passes it as
`code=`; the client reads `error.code`, never the Chinese message."""

from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    ILLEGAL_TRANSITION = "illegal_transition"
    CONFLICT = "conflict"
    SELF_REVIEW = "self_review"
    INCOMPLETE = "incomplete"
    PASSWORD_CHANGE_REQUIRED = "password_change_required"
    LOCKED_OUT = "locked_out"
    UNSUPPORTED_FILE_TYPE = "unsupported_file_type"
    IMAGE_TOO_LARGE = "image_too_large"
    FILE_TOO_LARGE = "file_too_large"


class ServiceError(Exception):
    """A business rule refused the action. `fields` maps a field name to its messages."""

    code: ErrorCode = ErrorCode.INVALID
    status = 400

    def __init__(
        self,
        message: str,
        *,
        code: StrEnum | None = None,
        fields: dict[str, list[str]] | None = None,
        **extra,
    ):
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        self.fields = fields or {}
        self.extra = extra


def apply_service_error(form, exc: ServiceError) -> None:
    """A refused action's field messages onto the form (the rest as a form-wide error)."""
    placed = False
    for name, errors in exc.fields.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


class NotFound(ServiceError):
    code = ErrorCode.NOT_FOUND
    status = 404


class PermissionDenied(ServiceError):
    code = ErrorCode.PERMISSION_DENIED
    status = 403


class Conflict(ServiceError):
    """Someone else changed the object since the caller read it."""

    code = ErrorCode.CONFLICT
    status = 409


class IllegalTransition(Conflict):
    """The object's current state does not allow the action."""

    code = ErrorCode.ILLEGAL_TRANSITION


class SelfReview(PermissionDenied):
    code = ErrorCode.SELF_REVIEW


class Incomplete(ServiceError):
    """The action needs data that is not there yet (e.g. an unassessed vehicle)."""

    code = ErrorCode.INCOMPLETE
    status = 409


class UnsupportedFileType(ServiceError):
    """An upload whose content is not on the allowlist, whatever its name or declared type."""

    code = ErrorCode.UNSUPPORTED_FILE_TYPE


class ImageTooLarge(ServiceError):
    """An image with more pixels than we decode (a decompression bomb or a huge scan)."""

    code = ErrorCode.IMAGE_TOO_LARGE


class LockedOut(ServiceError):
    """Too many consecutive failed logins for this username: locked for a cool-off period."""

    code = ErrorCode.LOCKED_OUT
    status = 429
