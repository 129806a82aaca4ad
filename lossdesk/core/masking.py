"""Masking of personal data for positions without the right to see it."""

import re

VIEW_PII_PERM = "org.view_pii"


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


def phone_for(user, value: str) -> str:
    return value if can_view_pii(user) else mask_phone(value)
