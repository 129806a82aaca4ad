"""Which compensation standard is in force for an accident date (rules.standards)."""

from dataclasses import replace
from datetime import date

import pytest

from lossdesk.rules.errors import RuleInputError
from lossdesk.rules.standards import (
    PROVINCE_STANDARDS_SEED,
    check_in_force,
    find_standard,
    in_force_on,
    period_of,
    periods,
    usual_effective_from,
)

SEED = PROVINCE_STANDARDS_SEED
ZJ_2020 = find_standard("浙江", 2020)
ZJ_2022 = find_standard("浙江", 2022)
ZJ_2023 = find_standard("浙江", 2023)


def test_a_row_is_in_force_from_the_first_of_january_after_its_statistical_year() -> None:
    assert usual_effective_from(2022) == date(2023, 1, 1)
    assert ZJ_2022.starts == date(2023, 1, 1)
    assert replace(ZJ_2022, effective_from=date(2023, 3, 1)).starts == date(2023, 3, 1)


def test_a_row_ends_the_day_before_the_next_row_of_its_province_and_region_starts() -> None:
    spans = periods(SEED)[("浙江", "一般地区")]
    assert [(s.row.data_year, s.start, s.end) for s in spans] == [
        (2020, date(2021, 1, 1), date(2022, 12, 31)),  # no 2021 row: 2020 runs on
        (2022, date(2023, 1, 1), date(2023, 12, 31)),
        (2023, date(2024, 1, 1), None),  # the latest stays in force
    ]
    # 宁波 has its own rows, ending on their own.
    ningbo = periods(SEED)[("浙江", "宁波")]
    assert [(s.row.data_year, s.end) for s in ningbo] == [
        (2020, date(2022, 12, 31)),
        (2022, None),
    ]
    assert period_of(ZJ_2022, SEED).period == "2023-01-01 至 2023-12-31"
    assert period_of(ZJ_2023, SEED).period == "2024-01-01 起"


def test_an_own_end_date_ends_a_row_early_and_leaves_a_gap() -> None:
    ended = replace(ZJ_2022, effective_to=date(2023, 6, 30))
    rows = [ZJ_2020, ended, ZJ_2023]
    assert period_of(ended, rows).end == date(2023, 6, 30)
    with pytest.raises(RuleInputError) as raised:
        in_force_on(date(2023, 8, 1), "浙江", rows=rows)
    assert raised.value.field == "standard"
    assert raised.value.message == (
        "事故日期 2023-08-01 没有适用的浙江 一般地区赔偿标准（已有：2020年数据（2021-01-01 至 "
        "2022-12-31）、2022年数据（2023-01-01 至 2023-06-30）、2023年数据（2024-01-01 起））"
    )


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2021, 1, 1), 2020),
        (date(2022, 12, 31), 2020),
        (date(2023, 1, 1), 2022),
        (date(2023, 12, 31), 2022),
        (date(2024, 1, 1), 2023),
        (date(2030, 6, 1), 2023),
    ],
)
def test_the_row_in_force_on_a_date(day, year) -> None:
    assert in_force_on(day, "浙江").row.data_year == year


def test_no_row_before_the_first_one_starts() -> None:
    with pytest.raises(RuleInputError) as raised:
        in_force_on(date(2020, 12, 31), "浙江")
    assert raised.value.field == "standard"
    assert (
        "2020-12-31" in raised.value.message and "2020年数据（2021-01-01 至" in raised.value.message
    )


def test_an_unknown_province_or_region_is_named() -> None:
    with pytest.raises(RuleInputError) as raised:
        in_force_on(date(2024, 1, 1), "火星")
    assert raised.value.field == "province"
    with pytest.raises(RuleInputError) as raised:
        in_force_on(date(2024, 1, 1), "浙江", "温州")
    assert raised.value.field == "region"
    assert "宁波" in raised.value.message and "一般地区" in raised.value.message


def test_a_named_row_in_force_passes_the_check() -> None:
    span = check_in_force(ZJ_2022, date(2023, 7, 1), SEED)
    assert (span.row, span.start, span.end) == (ZJ_2022, date(2023, 1, 1), date(2023, 12, 31))


def test_a_named_row_out_of_force_names_its_dates_and_the_row_in_force() -> None:
    with pytest.raises(RuleInputError) as raised:
        check_in_force(ZJ_2022, date(2025, 3, 1), SEED)
    assert raised.value.field == "standard"
    assert raised.value.message == (
        "浙江 一般地区 2022年数据 适用于 2023-01-01 至 2023-12-31 的事故，事故日期 2025-03-01 "
        "不在其内；该日适用 浙江 一般地区 2023年数据（2024-01-01 起）"
    )


def test_a_newer_row_than_the_accident_is_refused_too() -> None:
    with pytest.raises(RuleInputError) as raised:
        check_in_force(ZJ_2023, date(2023, 5, 1), SEED)
    assert raised.value.message == (
        "浙江 一般地区 2023年数据 适用于 2024-01-01 起的事故，事故日期 2023-05-01 不在其内；"
        "该日适用 浙江 一般地区 2022年数据（2023-01-01 至 2023-12-31）"
    )


def test_a_date_no_row_covers_says_so() -> None:
    with pytest.raises(RuleInputError) as raised:
        check_in_force(ZJ_2020, date(2019, 5, 1), SEED)
    assert raised.value.message.endswith("该日没有适用的浙江 一般地区赔偿标准")
