"""Why the quality services refuse (`error.code`); bad input is `invalid` per field."""

from enum import StrEnum


class QualityErrorCode(StrEnum):
    # An alert is confirmed or dismissed once.
    ALERT_ALREADY_RESOLVED = "alert_already_resolved"
