"""Masking of personal data for positions without the right to see it.

`reveal` is the one place that decides to show a value in full, and it tells the `on_reveal`
listeners that it did (the audit app records each showing in audit.PiiAccess): every page,
API, PDF or export that shows a phone, ID number or medical detail unmasked goes through it."""

import re
from collections.abc import Callable

# Called as listener(user, field=…, case_no=…, person=…, searched=…) for each value shown in
# full (or case found by a full number). Filled at start-up by the apps that record it, so
# core needs no import of them.
on_reveal: list[Callable[..., None]] = []

VIEW_PII_PERM = "org.view_pii"
# What a masked phone still shows: a search on at most this many trailing digits tells a
# masked viewer nothing the mask does not.
MASK_TAIL = 4


def can_view_pii(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(VIEW_PII_PERM))


def mask_phone(value: str) -> str:
    """13812345678 → 138****5678; landlines keep their last four digits."""
    if not value:
        return value
    digits = re.sub(r"\D", "", value)
    if len(digits) < 7:
        return "*" * len(value)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_id_number(value: str) -> str:
    if not value:
        return value
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}" if len(value) > 8 else "****"


MEDICAL_MASK = "（医疗信息，需查看个人信息权限）"


def mask_medical(value: str) -> str:
    """Medical details (diagnosis, findings, evidence) hide whole: no part of them is safe."""
    return MEDICAL_MASK if value else value


def medical_for(user, value: str, *, case_no: str = "", person: str = "") -> str:
    return reveal(
        user, value, masked=mask_medical(value), field="medical", case_no=case_no, person=person
    )


def reveal(user, value: str, *, masked: str, field: str, case_no: str = "", person: str = ""):
    """`value` in full when `user` may see personal data (recorded), else `masked`."""
    if not can_view_pii(user):
        return masked
    if value and value != masked:
        _tell(user, field=field, case_no=case_no, person=person, searched=False)
    return value


def phone_for(user, value: str, *, field: str, case_no: str = "", person: str = "") -> str:
    return reveal(
        user, value, masked=mask_phone(value), field=field, case_no=case_no, person=person
    )


def note_phone_match(user, *, field: str, case_no: str) -> None:
    """A search by (more than the masked tail of) a phone found this case: as telling as
    showing the number."""
    _tell(user, field=field, case_no=case_no, person="", searched=True)


def _tell(user, **details) -> None:
    for listener in on_reveal:
        listener(user, **details)
