from decimal import Decimal

import pytest

from lossdesk.rules.errors import RuleInputError
from lossdesk.rules.injury import (
    ITEM_KEYS,
    AddonKind,
    AddonRule,
    Dependant,
    InjuryInput,
    Standard,
    compensation_years,
    compute_injury,
    disability_coefficient,
)
from lossdesk.rules.standards import PROVINCE_STANDARDS_SEED, find_standard

ZHEJIANG_2012 = Standard(urban_disposable_income="30971")
SHANGHAI_OLD = Standard(urban_disposable_income="52962", average_wage="65412")


def disability(standard: Standard, grades: list[int], age: int = 35) -> Decimal:
    result = compute_injury(InjuryInput(age, "disability", standard, disability_grades=grades))
    return result.items["disability_compensation"].amount


def test_the_item_keys_are_those_of_the_2022_interpretation_and_the_appraisal_fee() -> None:
    assert ITEM_KEYS == (
        "medical",
        "lost_income",
        "nursing",
        "transport",
        "hospital_food",
        "nutrition",
        "disability_compensation",
        "assistive_devices",
        "funeral",
        "death_compensation",
        "dependant_living",
        "mental_distress",
        "appraisal_fee",
    )


# --- TV-9 --------------------------------------------------------------------------------

ZHEJIANG_TABLE = {
    10: "61942",
    9: "123884",
    8: "185826",
    7: "247768",
    6: "309710",
    5: "371652",
    4: "433594",
    3: "495536",
    2: "557478",
    1: "619420",
}


@pytest.mark.parametrize(("grade", "amount"), ZHEJIANG_TABLE.items())
def test_tv9_zhejiang_2012_disability_compensation_by_grade(grade: int, amount: str) -> None:
    assert disability(ZHEJIANG_2012, [grade]) == Decimal(amount)


def test_tv9_zhejiang_2012_death_compensation_is_619420() -> None:
    result = compute_injury(InjuryInput(40, "death", Standard("30971", average_wage="40000")))
    assert result.items["death_compensation"].amount == Decimal("619420")


def test_tv9_the_rural_figures_follow_the_same_formula() -> None:
    rural = Standard("13071", average_wage="1")
    assert disability(rural, [10]) == Decimal("26142")
    death = compute_injury(InjuryInput(40, "death", rural)).items["death_compensation"]
    assert death.amount == Decimal("261420")


def test_tv9_shanghai_death_compensation_under_60_is_twenty_years() -> None:
    death = compute_injury(InjuryInput(59, "death", SHANGHAI_OLD)).items["death_compensation"]
    assert death.amount == Decimal("1059240.00")
    assert death.formula == "52962.00 × 20年 = 1059240.00"


@pytest.mark.parametrize("age", [75, 80, 99])
def test_tv9_shanghai_death_compensation_from_75_is_five_years(age: int) -> None:
    death = compute_injury(InjuryInput(age, "death", SHANGHAI_OLD)).items["death_compensation"]
    assert death.amount == Decimal("264810.00")


def test_tv9_the_funeral_allowance_is_six_months_of_the_average_wage() -> None:
    funeral = compute_injury(InjuryInput(40, "death", SHANGHAI_OLD)).items["funeral"]
    assert funeral.amount == Decimal("32706.00")  # 5451 a month × 6
    assert funeral.formula == "65412.00 ÷ 12 × 6个月 = 32706.00"


def test_tv9_a_fractional_income_is_kept_until_the_item_is_rounded() -> None:
    assert disability(Standard("32598.7"), [4]) == Decimal("456381.80")


def test_the_formula_shows_income_years_and_coefficient() -> None:
    result = compute_injury(
        InjuryInput(30, "disability", Standard("66173"), disability_grades=[10])
    )
    assert result.items["disability_compensation"].formula == "66173.00 × 20年 × 10% = 132346.00"


# --- years and coefficients --------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "years"), [(0, 20), (59, 20), (60, 20), (61, 19), (70, 10), (74, 6), (75, 5), (90, 5)]
)
def test_compensation_years_shrink_after_60_and_stop_at_5_from_75(age: int, years: int) -> None:
    assert compensation_years(age) == years


def test_one_grade_nine_and_three_grade_ten_disabilities_give_23_percent() -> None:
    assert disability_coefficient([10, 9, 10, 10]) == Decimal("0.23")


def test_a_grade_one_disability_absorbs_the_others() -> None:
    assert disability_coefficient([1, 5, 10]) == Decimal("1.0")


def test_the_add_ons_are_capped_at_ten_percent() -> None:
    # 五级 60% + 3 × 六级 5% = 15% of add-ons, capped at 10%
    assert disability_coefficient([5, 6, 6, 6]) == Decimal("0.70")


def test_the_total_coefficient_is_capped_at_100_percent() -> None:
    rule = AddonRule(extras_cap=None)
    assert disability_coefficient([2, 2, 2], rule) == Decimal("1")


def test_a_fixed_add_on_per_extra_disability_can_be_configured() -> None:
    rule = AddonRule(kind=AddonKind.per_extra_fixed, fixed_rate=Decimal("0.10"), extras_cap=None)
    assert disability_coefficient([9, 10, 10], rule) == Decimal("0.40")


def test_an_add_on_table_by_grade_can_be_configured() -> None:
    table = {g: Decimal("0.10") if g <= 5 else Decimal("0.05") for g in range(2, 11)}
    rule = AddonRule(kind=AddonKind.grade_table, grade_table=table, extras_cap=Decimal("0.20"))
    assert disability_coefficient([4, 5, 8], rule) == Decimal("0.85")


def test_the_add_on_rule_is_named_in_the_explanation() -> None:
    result = compute_injury(InjuryInput(30, "disability", ZHEJIANG_2012, disability_grades=[9, 10]))
    assert any("十分之一" in line and "21%" in line for line in result.explanation)


@pytest.mark.parametrize(
    ("grades", "field"), [([], "disability_grades"), ([11], "disability_grades.0")]
)
def test_a_disability_needs_grades_from_1_to_10(grades: list[int], field: str) -> None:
    with pytest.raises(RuleInputError) as caught:
        compute_injury(InjuryInput(30, "disability", ZHEJIANG_2012, disability_grades=grades))
    assert caught.value.field == field


# --- TV-13 structure ---------------------------------------------------------------------


def test_tv13_daily_items_follow_the_exam_structure() -> None:
    result = compute_injury(
        InjuryInput(
            age=40,
            outcome="disability",
            standard=Standard("4800"),
            disability_grades=[8],
            medical_amount="21000",
            annual_income="4800",
            lost_income_days=94,
            hospital_days=64,
            hospital_food_daily="20",
        )
    )
    items = result.items
    assert items["lost_income"].amount == Decimal("1236.16")
    assert items["lost_income"].formula == "4800.00 ÷ 365 × 94天 = 1236.16"
    assert items["hospital_food"].amount == Decimal("1280.00")
    assert items["disability_compensation"].amount == Decimal("28800.00")
    assert items["medical"].amount == Decimal("21000.00")
    assert result.total == Decimal("52316.16")


def test_tv13_death_items_follow_the_exam_structure() -> None:
    result = compute_injury(InjuryInput(40, "death", Standard("10800", average_wage="16400")))
    assert result.items["death_compensation"].amount == Decimal("216000.00")
    assert result.items["funeral"].amount == Decimal("8200.00")


def test_nursing_is_days_times_rate_times_carers() -> None:
    result = compute_injury(
        InjuryInput(
            30,
            "injury",
            ZHEJIANG_2012,
            nursing_days=64,
            nursing_daily_rate="150",
            nursing_carers=2,
        )
    )
    assert result.items["nursing"].amount == Decimal("19200.00")


# --- dependants --------------------------------------------------------------------------

JIANGSU = Standard("66173", "42197", "127620")


def test_a_minor_dependant_is_counted_to_18_and_split_between_supporters() -> None:
    result = compute_injury(InjuryInput(40, "death", JIANGSU, dependants=[Dependant(10, 2)]))
    assert result.items["dependant_living"].amount == Decimal("168788.00")  # 42197 × 8 ÷ 2


def test_a_disability_scales_dependant_living_by_the_coefficient() -> None:
    result = compute_injury(
        InjuryInput(
            40, "disability", JIANGSU, disability_grades=[10], dependants=[Dependant(10, 2)]
        )
    )
    assert result.items["dependant_living"].amount == Decimal("16878.80")


def test_a_dependant_unable_to_work_follows_the_60_and_75_rule() -> None:
    result = compute_injury(
        InjuryInput(40, "death", JIANGSU, dependants=[Dependant(65, 3, unable_to_work=True)])
    )
    assert result.items["dependant_living"].amount == Decimal("210985.00")  # 42197 × 15 ÷ 3


def test_an_adult_able_to_work_is_not_a_dependant() -> None:
    result = compute_injury(InjuryInput(40, "death", JIANGSU, dependants=[Dependant(30)]))
    assert result.items["dependant_living"].amount == 0


def test_several_dependants_are_capped_at_one_years_consumption_year_by_year() -> None:
    standard = Standard("52962", "30000", "65412")
    dependants = [Dependant(5, 2), Dependant(10, 2), Dependant(70, 3, unable_to_work=True)]
    result = compute_injury(InjuryInput(50, "death", standard, dependants=dependants))
    item = result.items["dependant_living"]
    # years 1–8: 15000 + 15000 + 10000 capped at 30000; 9–10: 15000 + 10000; 11–13: 15000
    assert item.amount == Decimal("335000.00")
    assert "已按年度上限" in item.formula


# --- which items appear ------------------------------------------------------------------


def test_only_the_items_of_the_outcome_and_the_given_inputs_appear() -> None:
    injury = compute_injury(InjuryInput(30, "injury", ZHEJIANG_2012, medical_amount="800"))
    assert list(injury.items) == ["medical"]
    death = compute_injury(InjuryInput(30, "death", SHANGHAI_OLD, mental_distress_amount=50000))
    assert list(death.items) == ["funeral", "death_compensation", "mental_distress"]
    disabled = compute_injury(InjuryInput(30, "disability", ZHEJIANG_2012, disability_grades=[10]))
    assert list(disabled.items) == ["disability_compensation"]


def test_the_total_is_the_sum_of_the_rounded_items() -> None:
    result = compute_injury(
        InjuryInput(
            30,
            "death",
            SHANGHAI_OLD,
            medical_amount="1000.005",
            transport_amount="300",
            assistive_devices_amount=None,
        )
    )
    assert result.items["medical"].amount == Decimal("1000.01")
    assert result.total == sum(item.amount for item in result.items.values())


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (InjuryInput(30, "coma", ZHEJIANG_2012), "outcome"),
        (InjuryInput(-1, "injury", ZHEJIANG_2012), "age"),
        (InjuryInput(30, "death", ZHEJIANG_2012), "standard.average_wage"),
        (
            InjuryInput(30, "death", SHANGHAI_OLD, dependants=[Dependant(5)]),
            "standard.urban_consumption",
        ),
        (InjuryInput(30, "injury", ZHEJIANG_2012, medical_amount=1.5), "medical_amount"),  # type: ignore[arg-type]
        (InjuryInput(30, "injury", ZHEJIANG_2012, transport_amount="abc"), "transport_amount"),
        (InjuryInput(30, "injury", ZHEJIANG_2012, disability_grades=[5]), "disability_grades"),
        (InjuryInput(30, "injury", ZHEJIANG_2012, dependants=[Dependant(5)]), "dependants"),
        (
            InjuryInput(30, "death", JIANGSU, dependants=[Dependant(5, supporters=0)]),
            "dependants.0.supporters",
        ),
        (
            InjuryInput(30, "injury", JIANGSU, daily_income=100, annual_income=36500),
            "daily_income",
        ),
        (InjuryInput(30, "injury", Standard("-1")), "standard.urban_disposable_income"),
    ],
)
def test_bad_input_names_its_field(data: InjuryInput, field: str) -> None:
    with pytest.raises(RuleInputError) as caught:
        compute_injury(data)
    assert caught.value.field == field


# --- province standards ------------------------------------------------------------------


def test_jiangsu_2024_data_is_the_row_for_2025_cases() -> None:
    row = find_standard("江苏", 2024)
    assert (row.urban_disposable_income, row.urban_consumption, row.average_wage) == (
        Decimal("66173"),
        Decimal("42197"),
        Decimal("127620"),
    )
    assert row.wage_year == 2023
    assert "非私营" in row.wage_label


def test_shanghai_stores_the_monthly_wage_as_an_annual_figure() -> None:
    row = find_standard("上海", 2023)
    assert row.average_wage == Decimal("146196")
    assert "12183" in row.wage_label
    result = compute_injury(InjuryInput(40, "death", row.to_standard()))
    assert result.items["funeral"].amount == Decimal("73098.00")


def test_a_region_with_its_own_figures_is_found_by_region() -> None:
    assert find_standard("浙江", 2022, "宁波").urban_disposable_income == Decimal("76690")
    assert find_standard("广东", 2021, "深圳").urban_disposable_income == Decimal("70847")


def test_a_standard_row_feeds_the_calculation_and_its_explanation() -> None:
    standard = find_standard("浙江", 2020).to_standard()
    result = compute_injury(InjuryInput(40, "death", standard))
    assert result.items["funeral"].amount == Decimal("54322.50")
    assert "浙江 一般地区 2020年数据" in result.explanation[0]


@pytest.mark.parametrize(
    ("province", "year", "region", "field"),
    [
        ("火星", 2024, "一般地区", "province"),
        ("江苏", 1999, "一般地区", "year"),
        ("江苏", 2024, "苏州", "region"),
    ],
)
def test_an_unknown_standard_names_the_missing_field(
    province: str, year: int, region: str, field: str
) -> None:
    with pytest.raises(RuleInputError) as caught:
        find_standard(province, year, region)
    assert caught.value.field == field


def test_every_seed_row_is_unique_and_sourced() -> None:
    keys = [(r.province, r.data_year, r.region) for r in PROVINCE_STANDARDS_SEED]
    assert len(keys) == len(set(keys)) == 21
    assert all(r.source for r in PROVINCE_STANDARDS_SEED)
    assert all(r.wage_label for r in PROVINCE_STANDARDS_SEED if r.average_wage is not None)
