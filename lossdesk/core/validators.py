"""Field validators for Chinese plates, mobile numbers and VINs."""

import re

import phonenumbers
from django.core.exceptions import ValidationError

from lossdesk.rules.errors import RuleInputError
from lossdesk.rules.vin import decode_vin

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使"
_L = "A-HJ-NP-Z"  # plate letters: I and O are never used
PLATE_PATTERNS = (
    # 普通汽车号牌: 粤B12345, 浙A1B2C3, 苏E1234挂
    re.compile(rf"^[{PROVINCES}][{_L}][{_L}0-9]{{4}}[{_L}0-9挂学警港澳领试超]$"),
    # 小型新能源汽车号牌: 粤BD12345, 沪AF1A234
    re.compile(rf"^[{PROVINCES}][{_L}][DF][{_L}0-9][0-9]{{4}}$"),
    # 大型新能源汽车号牌: 粤B12345D
    re.compile(rf"^[{PROVINCES}][{_L}][0-9]{{5}}[DF]$"),
)


def normalize_plate(value: str) -> str:
    return re.sub(r"[\s·.\-]", "", value or "").upper()


def validate_plate(value: str) -> None:
    plate = normalize_plate(value)
    if not any(p.match(plate) for p in PLATE_PATTERNS):
        raise ValidationError(
            "车牌号格式不正确（例：浙A12345，新能源：浙AD12345 / 浙A12345D）。", code="plate"
        )


def normalize_phone(value: str) -> str:
    return re.sub(r"[\s\-()]", "", value or "").removeprefix("+86")


def validate_mobile(value: str) -> None:
    try:
        number = phonenumbers.parse(normalize_phone(value), "CN")
    except phonenumbers.NumberParseException:
        number = None
    if (
        number is None
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE
    ):
        raise ValidationError("手机号码不正确（11位，以1开头）。", code="mobile")


def normalize_vin(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


def validate_vin(value: str) -> None:
    try:
        info = decode_vin(normalize_vin(value))
    except RuleInputError as exc:
        raise ValidationError(f"VIN 不正确：{exc.message}", code="vin") from exc
    if not info.check_digit_ok:
        raise ValidationError(
            f"VIN 校验位错误：第9位应为 {info.expected_check_digit}。", code="vin_check_digit"
        )
