"""Why a statement, payment or reconciliation is refused (the API's `error.code`). A
statement whose status forbids the change is core's `illegal_transition`; per-field checks
are `invalid`; a sheet that cannot be read is the import pipeline's code."""

from enum import StrEnum


class BillingErrorCode(StrEnum):
    NO_CASES_TO_BILL = "no_cases_to_bill"
    CASE_ON_STATEMENT = "case_on_statement"
    OVER_ALLOCATION = "over_allocation"
    EXCEEDS_OUTSTANDING = "exceeds_outstanding"
    DUPLICATE_PAYMENT = "duplicate_payment"
    # An approved commission month never changes: no re-run, no rule taking effect inside it.
    MONTH_LOCKED = "month_locked"
