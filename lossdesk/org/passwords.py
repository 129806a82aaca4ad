"""Password rules (等保 三级 身份鉴别): the complexity validator in AUTH_PASSWORD_VALIDATORS
and the temporary passwords a forced reset hands out."""

import secrets
import string

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from lossdesk.core.limits import PASSWORD_MAX

CLASSES = {
    "大写字母": frozenset(string.ascii_uppercase),
    "小写字母": frozenset(string.ascii_lowercase),
    "数字": frozenset(string.digits),
}
SYMBOL_CLASS = "符号"


def character_classes(password: str) -> set[str]:
    found = {name for name, chars in CLASSES.items() if any(c in chars for c in password)}
    if any(not c.isalnum() or not c.isascii() for c in password):
        found.add(SYMBOL_CLASS)  # anything else, spaces and non-ASCII characters included
    return found


class CharacterClassValidator:
    """At least `min_classes` of upper-case letters, lower-case letters, digits and symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if len(character_classes(password)) < self.min_classes:
            raise ValidationError(
                f"密码必须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return f"密码必须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类。"


class MaximumLengthValidator:
    """Every path that sets a password runs the validators: the one bound on its length
    (hashing a megabyte-long password on every login attempt is a cheap denial of service)."""

    def validate(self, password: str, user=None) -> None:
        if len(password) > PASSWORD_MAX:
            raise ValidationError(f"密码不能超过 {PASSWORD_MAX} 个字符。", code="password_too_long")

    def get_help_text(self) -> str:
        return f"密码不超过 {PASSWORD_MAX} 个字符。"


TEMPORARY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"  # no 0/O, 1/l/I


def generate_temporary_password(user) -> str:
    """A random 14-character password that passes every validator (read aloud or typed once,
    hence no look-alike characters), e.g. "Kp7m-Rw3x-Ta9c"."""
    while True:
        groups = ["".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(4)) for _ in range(3)]
        password = "-".join(groups)
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password
