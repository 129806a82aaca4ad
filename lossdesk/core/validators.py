"""Field validators for Chinese plates, phone numbers (mobile or fixed line) and VINs."""

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


# A fixed line's extension: "0571-88886666-123", "…转123", "… ext 123", "…#123".
_EXTENSION = re.compile(r"^(?P<number>.+?)(?:-|转|分机|ext\.?|x|#)(?P<extension>\d{1,6})$", re.I)
_MOBILE = phonenumbers.PhoneNumberType.MOBILE
_PHONE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}
PHONE_MESSAGE = "电话号码不正确（手机 11 位；固定电话须带区号，如 0571-88886666，分机写在最后）。"
MOBILE_MESSAGE = "手机号码不正确（11位，以1开头）。"


def _strip(value: str) -> str:
    value = re.sub(r"[\s()（）]", "", value or "")
    return re.sub(r"^(?:\+86|0086)-?", "", value)


def _parse(digits: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return None
    if not digits.isdigit() or not phonenumbers.is_valid_number(number):
        return None
    return number if phonenumbers.number_type(number) in _PHONE_TYPES else None


def parse_phone(value: str) -> tuple[phonenumbers.PhoneNumber, str] | None:
    """A Chinese mobile or fixed-line number (with its extension, or ""), or None."""
    value = _strip(value)
    number = _parse(value.replace("-", ""))
    if number is not None:
        return number, ""
    match = _EXTENSION.match(value)
    number = _parse(match["number"].replace("-", "")) if match else None
    # only a fixed line has extensions: "13800138000-12" is a mistyped mobile
    if number is not None and phonenumbers.number_type(number) != _MOBILE:
        return number, match["extension"]
    return None


def is_mobile(value: str) -> bool:
    parsed = parse_phone(value)
    return parsed is not None and not parsed[1] and phonenumbers.number_type(parsed[0]) == _MOBILE


def normalize_phone(value: str) -> str:
    """One spelling per number: mobiles as 11 digits, fixed lines as "0571-88886666" (and
    "-123" for an extension). Input that is no number comes back stripped, for the
    validators to refuse."""
    parsed = parse_phone(value)
    if parsed is None:
        return re.sub(r"[\s\-()]", "", value or "").removeprefix("+86")
    number, extension = parsed
    digits = phonenumbers.national_significant_number(number)
    area = phonenumbers.length_of_geographical_area_code(number)
    if not area:
        return digits
    return f"0{digits[:area]}-{digits[area:]}" + (f"-{extension}" if extension else "")


def validate_phone(value: str) -> None:
    """A phone the firm calls: a mobile or a fixed line with its area code."""
    if parse_phone(value) is None:
        raise ValidationError(PHONE_MESSAGE, code="phone")


def validate_mobile(value: str) -> None:
    """A number an SMS goes to: mobiles only."""
    if not is_mobile(value):
        message = (
            "这是固定电话，不能接收短信，请填写手机号码。"
            if parse_phone(value) is not None
            else MOBILE_MESSAGE
        )
        raise ValidationError(message, code="mobile")


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
