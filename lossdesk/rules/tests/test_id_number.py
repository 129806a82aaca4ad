from datetime import date, datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from lossdesk.rules.errors import RuleInputError
from lossdesk.rules.id_number import IdNumber, Sex, age_on, check_digit, parse_id_number

TODAY = date(2026, 12, 4)


def iso_7064_mod_11_2(first_17: str) -> str:
    """The check character straight from ISO 7064 MOD 11-2, independent of the module.

    Weight of position i (counted from 1 at the left of the full 18 characters) is
    2^(18 − i) mod 11; the check value c makes Σ (digit × weight) + c ≡ 1 (mod 11), with
    10 written X.
    """
    total = sum(int(ch) * pow(2, 17 - i, 11) for i, ch in enumerate(first_17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def build(region: str, birth: date, sequence: str) -> str:
    first_17 = f"{region}{birth:%Y%m%d}{sequence}"
    return first_17 + iso_7064_mod_11_2(first_17)


def refusal(text: object, today: date | None = TODAY) -> str:
    with pytest.raises(RuleInputError) as caught:
        parse_id_number(text, today=today)
    assert caught.value.field == "id_number"
    return caught.value.message


# Known numbers.


def test_the_gb_11643_sample_number_parses_into_its_parts() -> None:
    assert parse_id_number("11010519491231002X", today=TODAY) == IdNumber(
        number="11010519491231002X",
        region_code="110105",
        birth_date=date(1949, 12, 31),
        sequence_code="002",
        sex=Sex.female,
        check_digit="X",
    )


def test_the_independent_check_function_agrees_with_the_published_samples() -> None:
    # The GB 11643 sample, and the widely published 1880 example (refused below for its
    # birth year, but its check digit is right).
    assert iso_7064_mod_11_2("11010519491231002") == "X"
    assert iso_7064_mod_11_2("44052418800101001") == "4"
    assert check_digit("11010519491231002") == "X"
    assert check_digit("44052418800101001") == "4"


def test_an_odd_sequence_code_is_a_man() -> None:
    number = build("330106", date(1985, 6, 15), "371")
    parsed = parse_id_number(number, today=TODAY)
    assert parsed.sex == Sex.male == "male"
    assert parsed.birth_date == date(1985, 6, 15)


def test_spaces_full_width_digits_and_a_lower_case_x_are_accepted() -> None:
    assert parse_id_number("  11010519491231002x\t", today=TODAY).number == "11010519491231002X"
    full_width = "１１０１０５１９４９１２３１００２ｘ"
    assert parse_id_number(full_width, today=TODAY).number == "11010519491231002X"
    assert parse_id_number("　11010519491231002Ｘ　", today=TODAY).check_digit == "X"


def test_a_birth_on_today_is_accepted() -> None:
    assert parse_id_number(build("310101", TODAY, "123"), today=TODAY).birth_date == TODAY


def test_today_defaults_to_the_real_date() -> None:
    tomorrow = date.today() + timedelta(days=1)
    assert "晚于今天" in refusal(build("310101", tomorrow, "123"), today=None)
    assert parse_id_number(build("310101", date.today(), "123")).birth_date == date.today()


# Refusals.


@pytest.mark.parametrize(
    "text",
    [
        "11010519491231002",  # 17 characters
        "110105194912310021X",  # 19
        "110105491231002",  # the old 15-digit number
    ],
)
def test_a_wrong_length_is_refused(text: str) -> None:
    assert "18 位" in refusal(text)


@pytest.mark.parametrize(
    "text",
    [
        "1101051949123100XX",  # X only as the check character
        "11010519491231002Y",
        "110105 9491231002X",  # an inner space
        "11010519491231002-",
        "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",  # Arabic-Indic digits are digits to \d, not to us
    ],
)
def test_wrong_characters_are_refused(text: str) -> None:
    assert refusal(text) == "身份证号码前 17 位须为数字，最后一位须为数字或 X"


def test_an_empty_or_non_text_number_is_refused() -> None:
    assert refusal("  ") == "请填写身份证号码"
    assert refusal(None) == "身份证号码须为文字"
    assert refusal(11010519491231002) == "身份证号码须为文字"


@pytest.mark.parametrize("birth", ["19990230", "19991301", "20230229", "19990000", "00000101"])
def test_an_impossible_birth_date_is_refused(birth: str) -> None:
    first_17 = f"110105{birth}002"
    assert refusal(first_17 + iso_7064_mod_11_2(first_17)) == "身份证号码中的出生日期无效"


def test_a_birth_before_1900_is_refused() -> None:
    assert refusal("440524188001010014") == "身份证号码中的出生日期无效"
    assert parse_id_number(build("440524", date(1900, 1, 1), "001"), today=TODAY)


def test_a_birth_date_in_the_future_is_refused() -> None:
    tomorrow = TODAY + timedelta(days=1)
    assert refusal(build("110105", tomorrow, "002")) == "身份证号码中的出生日期晚于今天"


def test_a_wrong_check_digit_is_refused() -> None:
    assert refusal("110105194912310021") == "身份证号码校验位不正确"
    assert refusal("11010519491231002x".replace("x", "0")) == "身份证号码校验位不正确"


# age_on.


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (date(1990, 5, 20), date(1990, 5, 20), 0),
        (date(1990, 5, 20), date(2020, 5, 19), 29),
        (date(1990, 5, 20), date(2020, 5, 20), 30),
        (date(1990, 12, 31), date(2026, 1, 1), 35),
        # 29 February: still the old age on 28 February of a non-leap year, one more on 1 March.
        (date(2000, 2, 29), date(2001, 2, 28), 0),
        (date(2000, 2, 29), date(2001, 3, 1), 1),
        (date(2000, 2, 29), date(2004, 2, 28), 3),
        (date(2000, 2, 29), date(2004, 2, 29), 4),
    ],
)
def test_age_in_whole_years(birth: date, on: date, age: int) -> None:
    assert age_on(birth, on) == age


def test_age_takes_a_datetime_by_its_date() -> None:
    assert age_on(date(1990, 5, 20), datetime(2020, 5, 20, 0, 1)) == 30


def test_age_refuses_a_date_before_the_birth_and_non_dates() -> None:
    with pytest.raises(RuleInputError) as caught:
        age_on(date(1990, 5, 20), date(1990, 5, 19))
    assert (caught.value.field, caught.value.message) == ("on_date", "日期不能早于出生日期")
    with pytest.raises(RuleInputError) as caught:
        age_on("1990-05-32", date(2020, 1, 1))
    assert caught.value.field == "birth_date"
    with pytest.raises(RuleInputError) as caught:
        age_on(19900520, date(2020, 1, 1))
    assert caught.value.field == "birth_date"


# Properties.

regions = st.text(alphabet="0123456789", min_size=6, max_size=6)
births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
sequences = st.text(alphabet="0123456789", min_size=3, max_size=3)


@given(region=regions, birth=births, sequence=sequences)
def test_a_built_number_parses_back_to_its_parts(region: str, birth: date, sequence: str) -> None:
    number = build(region, birth, sequence)
    parsed = parse_id_number(number, today=TODAY)
    assert parsed.number == number
    assert parsed.region_code == region
    assert parsed.birth_date == birth
    assert parsed.sequence_code == sequence
    assert parsed.sex == (Sex.male if int(sequence[2]) % 2 else Sex.female)
    assert parsed.check_digit == number[17]


@given(
    region=regions,
    birth=births,
    sequence=sequences,
    position=st.integers(min_value=0, max_value=17),
    replacement=st.sampled_from("0123456789X"),
)
def test_changing_any_single_character_makes_the_number_invalid(
    region: str, birth: date, sequence: str, position: int, replacement: str
) -> None:
    number = build(region, birth, sequence)
    assume(number[position] != replacement)
    changed = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(RuleInputError):
        parse_id_number(changed, today=TODAY)


def anniversary(birth: date, years: int) -> date:
    """The day a person born on ``birth`` completes ``years``; 29 Feb falls to 1 Mar."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return date(birth.year + years, 3, 1)


@given(birth=births, days=st.integers(min_value=0, max_value=45_000))
def test_age_is_the_number_of_anniversaries_passed(birth: date, days: int) -> None:
    on = birth + timedelta(days=days)
    age = age_on(birth, on)
    assert anniversary(birth, age) <= on < anniversary(birth, age + 1)
