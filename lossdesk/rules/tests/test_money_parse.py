"""The one money parser: what it accepts and refuses; it never raises anything but its error."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lossdesk.rules.errors import RuleInputError
from lossdesk.rules.money import MONEY, PRICE, QUANTITY, AmountError, D, parse_amount

ACCEPTED = [
    ("1280", Decimal("1280")),
    ("1280.00", Decimal("1280.00")),
    (" 12.5 ", Decimal("12.5")),
    ("1,280.00", Decimal("1280.00")),
    ("1,234,567.89", Decimal("1234567.89")),
    ("１２８０", Decimal("1280")),
    ("１，２８０．５０", Decimal("1280.50")),
    ("¥1280", Decimal("1280")),
    ("￥1,280.00", Decimal("1280.00")),
    ("1280元", Decimal("1280")),
    (".5", Decimal("0.5")),
    ("0", Decimal("0")),
    (3, Decimal("3")),
    (12.5, Decimal("12.5")),
    (Decimal("7.10"), Decimal("7.10")),
    ("999999999999.99", Decimal("999999999999.99")),
]
REFUSED = [
    ("", "请输入数字。"),
    ("abc", "请输入数字。"),
    ("两个", "请输入数字。"),
    ("1e5", "请输入数字。"),
    ("1E+5", "请输入数字。"),
    ("NaN", "请输入数字。"),
    ("Infinity", "请输入数字。"),
    ("-Infinity", "请输入数字。"),
    ("1,2", "请输入数字。"),
    ("12,34.5", "请输入数字。"),
    ("--5", "请输入数字。"),
    ("1" * 40, "请输入数字。"),
    (True, "请输入数字。"),
    (None, "请输入数字。"),
    ([1], "请输入数字。"),
    (Decimal("NaN"), "请输入数字。"),
    (float("inf"), "请输入数字。"),
    ("-5", "不能小于 0。"),
    ("1.234", "最多 2 位小数。"),
    ("1000000000000", "不能大于 999,999,999,999.99。"),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_accepted(text, expected):
    result = parse_amount(text)
    assert result == expected
    assert result.as_tuple().exponent == expected.as_tuple().exponent


@pytest.mark.parametrize(("text", "message"), REFUSED)
def test_refused(text, message):
    with pytest.raises(AmountError) as caught:
        parse_amount(text, field="amount")
    assert (caught.value.field, caught.value.message) == ("amount", message)


def test_limits_per_kind_and_caller_options():
    assert MONEY.maximum == Decimal("999999999999.99")
    assert PRICE.maximum == Decimal("9999999999.99")
    assert QUANTITY.maximum == Decimal("999999.99")
    with pytest.raises(AmountError, match=r"不能大于 999,999\.99"):
        parse_amount("1000000", QUANTITY)
    with pytest.raises(AmountError, match="必须大于 0"):
        parse_amount("0", positive=True)
    assert parse_amount("-12.50", allow_negative=True) == Decimal("-12.50")


in_range = st.decimals(min_value=0, max_value=MONEY.maximum, places=2)


@given(in_range)
def test_grouped_text_round_trips(amount):
    assert parse_amount(format(amount, ",.2f")) == amount


@given(st.decimals(min_value=MONEY.maximum + Decimal("0.01"), allow_nan=False, places=2))
def test_out_of_range_is_refused(amount):
    with pytest.raises(AmountError):
        parse_amount(format(amount, "f"))


@given(st.one_of(st.text(max_size=40), st.floats(), st.integers(), st.decimals()))
def test_only_the_parsers_error_is_ever_raised(value):
    try:
        result = parse_amount(value)
    except AmountError as exc:
        assert exc.message
    else:
        assert Decimal(0) <= result <= MONEY.maximum


@pytest.mark.parametrize(
    "text", ["1,2,3", "12,34", "1e5", "1E+2", "NaN", "Infinity", "1.", "", " ", "1 000", "0x10"]
)
def test_d_takes_plain_decimal_notation_only(text):
    with pytest.raises(RuleInputError):
        D(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,280.50", "1280.50"),
        ("-3", "-3"),
        (" 0.5 ", "0.5"),
        (".5", "0.5"),
        ("1,000,000", "1000000"),
    ],
)
def test_d_reads_plain_decimals_and_thousands(text, expected):
    assert D(text) == Decimal(expected)
