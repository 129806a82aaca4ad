"""The 18-digit 居民身份证号码 (GB 11643-1999): its parts, its check digit, and age.

Layout: 6-digit address (region) code, 8-digit birth date YYYYMMDD, 3-digit sequence code
(odd for men, even for women), check digit. The check digit is ISO 7064 MOD 11-2: the
weighted sum of the first 17 digits (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2), taken
mod 11, maps 0‥10 onto ``1 0 X 9 8 7 6 5 4 3 2``.

What we accept: surrounding spaces, full-width digits and a lower-case or full-width x.
What we refuse (``RuleInputError("id_number")``): anything but 17 digits and a digit or X,
a birth date that does not exist or lies before 1900 (no claimant alive or recently dead
was born earlier) or after today, and a wrong check digit. The region code is not checked
against GB/T 2260: codes are withdrawn over the years yet stay on issued cards, and the
permanent-residence cards of foreigners (starting with 9) follow the same layout.

Masking an ID number for display is ``lossdesk.core.masking.mask_id_number``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .errors import RuleInputError, parse_date

FIELD = "id_number"

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"\d{17}[\dX]")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘx", "0123456789XXX")
EARLIEST_BIRTH_DATE = date(1900, 1, 1)


class Sex(StrEnum):
    male = "male"
    female = "female"


SEX_LABELS: dict[Sex, str] = {Sex.male: "男", Sex.female: "女"}


@dataclass(frozen=True, slots=True)
class IdNumber:
    number: str  # normalised: 18 ASCII characters, a final X upper-case
    region_code: str  # 行政区划代码, digits 1–6
    birth_date: date
    sequence_code: str  # 顺序码, digits 15–17
    sex: Sex  # from the parity of digit 17
    check_digit: str  # "0"–"9" or "X"


def check_digit(first_17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits of a number."""
    if len(first_17) != 17 or not first_17.isascii() or not first_17.isdigit():
        raise RuleInputError(FIELD, "身份证号码前 17 位须为数字")
    total = sum(int(ch) * weight for ch, weight in zip(first_17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def parse_id_number(text: object, today: date | None = None) -> IdNumber:
    """Split a 居民身份证号码 into its parts, or ``RuleInputError("id_number")``.

    ``today`` bounds the birth date (defaults to today's date).
    """
    if not isinstance(text, str):
        raise RuleInputError(FIELD, "身份证号码须为文字")
    number = text.strip().translate(_FULL_WIDTH)
    if not number:
        raise RuleInputError(FIELD, "请填写身份证号码")
    if len(number) != 18:
        raise RuleInputError(FIELD, f"身份证号码须为 18 位，现为 {len(number)} 位")
    # isascii: \d also matches other scripts' digits, which are no part of a number.
    if not number.isascii() or not _SHAPE.fullmatch(number):
        raise RuleInputError(FIELD, "身份证号码前 17 位须为数字，最后一位须为数字或 X")
    birth = _birth_date(number[6:14])
    if birth > (today or date.today()):
        raise RuleInputError(FIELD, "身份证号码中的出生日期晚于今天")
    if check_digit(number[:17]) != number[17]:
        raise RuleInputError(FIELD, "身份证号码校验位不正确")
    return IdNumber(
        number=number,
        region_code=number[:6],
        birth_date=birth,
        sequence_code=number[14:17],
        sex=Sex.male if int(number[16]) % 2 else Sex.female,
        check_digit=number[17],
    )


def _birth_date(digits: str) -> date:
    try:
        birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise RuleInputError(FIELD, "身份证号码中的出生日期无效") from None
    if birth < EARLIEST_BIRTH_DATE:
        raise RuleInputError(FIELD, "身份证号码中的出生日期无效")
    return birth


def age_on(birth_date: object, on_date: object) -> int:
    """Age in whole years (周岁) on ``on_date``.

    A year is complete on the birthday itself. Someone born on 29 February completes a
    year on 1 March in a non-leap year: 28 February is still before the birthday, which
    that year lacks, so the age turns over on the first day after it.
    """
    birth = parse_date(birth_date, "birth_date")
    on = parse_date(on_date, "on_date")
    if on < birth:
        raise RuleInputError("on_date", "日期不能早于出生日期")
    # (2, 28) < (2, 29): comparing (month, day) gives the 1 March rule without a special case.
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
