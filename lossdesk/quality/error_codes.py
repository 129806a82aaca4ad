"""Why the quality services refuse (`error.code`); bad input is `invalid` per field."""

from enum import StrEnum


class QualityErrorCode(StrEnum):
    # An alert is confirmed or dismissed once.
    ALERT_ALREADY_RESOLVED = "alert_already_resolved"
    # Staff quality: a reply or an appeal is the person's own; an appeal is decided by a
    # committee member who neither registered the entry nor is its person.
    NOT_THE_PERSON = "not_the_person"
    CONFLICT_OF_INTEREST = "conflict_of_interest"
    # One conduct evaluation per person and half-year.
    EVALUATION_EXISTS = "evaluation_exists"
