"""The injury calculator with an accident date (the standard in force) and the CTPL /
commercial split, through POST /api/v1/calc/injury and `calculations.injury_split`."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from lossdesk.calc import calculations, standards
from lossdesk.calc.models import CompensationStandard, CtplLimitTable
from lossdesk.calc.tests.conftest import API

pytestmark = pytest.mark.django_db

GRADE_TEN = {"age": 35, "outcome": "disability", "disability_grades": [10]}


def fields(response) -> dict:
    assert response.status_code == 400, response.content
    return response.json()["error"]["fields"]


# --- the standard in force on the accident date ----------------------------------------------


def test_a_named_standard_not_in_force_names_its_dates_and_the_row_in_force(post):
    body = {
        **GRADE_TEN,
        "accident_date": "2025-03-01",
        "standard": {"province": "浙江", "year": 2022},
    }
    assert fields(post("injury", body)) == {
        "standard": [
            "浙江 一般地区 2022年数据 适用于 2023-01-01 至 2023-12-31 的事故，事故日期 "
            "2025-03-01 不在其内；该日适用 浙江 一般地区 2023年数据（2024-01-01 起）"
        ]
    }


def test_a_named_standard_in_force_is_used_and_its_dates_shown(post):
    body = {
        **GRADE_TEN,
        "accident_date": "2023-07-01",
        "standard": {"province": "浙江", "year": 2022},
    }
    result = post("injury", body).json()
    assert result["items"]["disability_compensation"]["amount"] == "142536.00"  # 71268 × 2
    standard = result["standard"]
    assert (standard["effective_from"], standard["effective_to"]) == ("2023-01-01", "2023-12-31")
    assert standard["in_force"] == "2023-01-01 至 2023-12-31"
    assert (
        "出险日期 2023-07-01：适用 浙江 一般地区 2022年数据（2023-01-01 至 2023-12-31）"
        in result["explanation"]
    )
    assert result["split"] is None


def test_a_province_without_a_year_takes_the_row_in_force_on_the_accident_date(post):
    body = {**GRADE_TEN, "accident_date": "2025-03-01", "standard": {"province": "江苏"}}
    result = post("injury", body).json()
    assert result["standard"]["year"] == 2024
    assert result["items"]["disability_compensation"]["amount"] == "132346.00"
    body["accident_date"] = "2024-12-31"
    assert post("injury", body).json()["standard"]["year"] == 2023
    body["standard"] = {"province": "浙江", "region": "宁波"}
    assert post("injury", body).json()["standard"]["label"] == "浙江 宁波 2022年数据"


def test_a_province_without_a_year_needs_an_accident_date(post):
    body = {**GRADE_TEN, "standard": {"province": "江苏"}}
    assert fields(post("injury", body)) == {
        "standard.year": ["请填写统计年度，或填写出险日期以选用当日适用的标准"]
    }


def test_no_row_in_force_on_the_accident_date_lists_the_rows_dates(post):
    body = {**GRADE_TEN, "accident_date": "2020-06-01", "standard": {"province": "江苏"}}
    (message,) = fields(post("injury", body))["standard"]
    assert message.startswith("事故日期 2020-06-01 没有适用的江苏 一般地区赔偿标准")
    assert "2023年数据（2024-01-01 至 2024-12-31）" in message


def test_an_own_end_date_set_in_the_table_is_obeyed(post):
    CompensationStandard.objects.filter(province="江苏", data_year=2023).update(
        effective_to=date(2024, 6, 30)
    )
    body = {
        **GRADE_TEN,
        "accident_date": "2024-08-01",
        "standard": {"province": "江苏", "year": 2023},
    }
    (message,) = fields(post("injury", body))["standard"]
    assert message == (
        "江苏 一般地区 2023年数据 适用于 2024-01-01 至 2024-06-30 的事故，事故日期 2024-08-01 "
        "不在其内；该日没有适用的江苏 一般地区赔偿标准"
    )


def test_every_seeded_province_and_region_has_a_row_in_force_for_todays_accidents():
    # The demo's provinces (浙江 with 宁波, 江苏, 广东 with 深圳) among them: the latest row
    # of each stays in force.
    today = timezone.localdate()
    pairs = set(CompensationStandard.objects.values_list("province", "region"))
    assert {("浙江", "一般地区"), ("浙江", "宁波"), ("江苏", "一般地区"), ("广东", "深圳")} <= pairs
    for province, region in pairs:
        span = standards.compensation_standard_for(province, None, region, today)
        assert span.end is None, (province, region)


def test_figures_typed_in_are_not_checked_against_the_date(post):
    body = {
        **GRADE_TEN,
        "accident_date": "2010-01-01",
        "standard": {"urban_disposable_income": "30971"},
    }
    assert post("injury", body).json()["total"] == "61942.00"


def test_without_an_accident_date_a_named_row_is_used_whatever_its_dates(post):
    body = {**GRADE_TEN, "standard": {"province": "浙江", "year": 2020}}
    result = post("injury", body).json()
    assert result["standard"]["in_force"] == "2021-01-01 至 2022-12-31"
    assert result["split"] is None


# --- the split --------------------------------------------------------------------------------

# 江苏 2024 十级 (132346) + 医疗 25000, 住院 伙食 10 × 100, 营养 20 × 30, 误工 8000,
# 护理 25 × 200, 交通 400, 鉴定费 1500: the example of rules/tests/test_injury_split.py.
SPLIT_BODY = {
    **GRADE_TEN,
    "accident_date": "2025-03-01",
    "standard": {"province": "江苏", "year": 2024},
    "medical_amount": "25000",
    "hospital_days": 10,
    "hospital_food_daily": "100",
    "nutrition_days": 20,
    "nutrition_daily": "30",
    "lost_income_amount": "8000",
    "nursing_days": 25,
    "nursing_daily_rate": "200",
    "transport_amount": "400",
    "appraisal_fee_amount": "1500",
    "split": {"at_fault": True, "liability_ratio": "major", "commercial_limit": "1000000"},
}


def test_the_split_answers_ctpl_per_item_group_the_commercial_share_and_the_rest(post):
    response = post("injury", SPLIT_BODY)
    assert response.status_code == 200, response.content
    result = response.json()
    assert result["total"] == "173846.00"  # the appraisal fee is an item too
    split = result["split"]
    assert split["accident_date"] == "2025-03-01"
    assert split["ctpl"]["name"] == "交强险责任限额（2020-09-19起）"
    assert split["ctpl"]["limits"] == {"medical": "18000.00", "death_disability": "180000.00"}
    medical, death_disability = split["parts"]
    assert medical == {
        "kind": "medical",
        "label": "医疗费用",
        "items": {
            "medical": {"label": "医疗费", "amount": "25000.00"},
            "hospital_food": {"label": "住院伙食补助费", "amount": "1000.00"},
            "nutrition": {"label": "营养费", "amount": "600.00"},
        },
        "amount": "26600.00",
        "limit": "18000.00",
        "ctpl_paid": "18000.00",
        "excess": "8600.00",
    }
    assert list(death_disability["items"]) == [
        "lost_income",
        "nursing",
        "transport",
        "disability_compensation",
    ]
    assert (death_disability["amount"], death_disability["ctpl_paid"]) == ("145746.00",) * 2
    assert split["uncovered"] == {
        "items": {"appraisal_fee": {"label": "鉴定费", "amount": "1500.00"}},
        "amount": "1500.00",
    }
    assert split["total"] == "173846.00"
    assert split["ctpl_total"] == "163746.00"
    assert split["commercial"] == {
        "base": "10100.00",
        "liability_ratio": "0.7",
        "liability_level": "major",
        "liable_amount": "7070.00",
        "limit": "1000000.00",
        "limit_applies": False,
        "liability_deductible_rate": "0",
        "absolute_deductible_rate": "0",
        "payout": "7070.00",
    }
    assert split["insurance_total"] == "170816.00"
    assert split["unpaid"] == "3030.00"
    assert split["explanation"][0].startswith("出险日期 2025-03-01，交强险限额：")
    assert "未指定受害人是否为第三者：按第三者（非本车车上人员）计算" in split["defaults_used"]
    assert any("事故责任免赔率未填" in line for line in split["defaults_used"])
    assert result["items"]["appraisal_fee"]["amount"] == "1500.00"


def test_the_accident_date_picks_the_ctpl_limits(post):
    body = {**SPLIT_BODY, "accident_date": "2020-09-18", "standard": {"province": "江苏"}}
    CompensationStandard.objects.create(
        province="江苏",
        data_year=2019,
        effective_from=date(2020, 1, 1),
        urban_disposable_income=Decimal("51056"),
        source="测试",
    )
    split = post("injury", body).json()["split"]
    assert split["ctpl"]["name"] == "交强险责任限额（2008-02-01起）"
    assert split["ctpl"]["limits"] == {"medical": "10000.00", "death_disability": "110000.00"}


def test_a_new_ctpl_table_in_the_admin_applies_to_the_split(post):
    CtplLimitTable.objects.create(
        effective_from=date(2025, 1, 1),
        name="测试限额",
        at_fault_death_disability=Decimal("200000"),
        at_fault_medical=Decimal("30000"),
        at_fault_property=Decimal("2000"),
        not_at_fault_death_disability=Decimal("20000"),
        not_at_fault_medical=Decimal("3000"),
        not_at_fault_property=Decimal("100"),
        source="测试",
    )
    split = post("injury", SPLIT_BODY).json()["split"]
    assert split["parts"][0]["ctpl_paid"] == "26600.00"  # now under the 30000 limit
    assert split["commercial"]["base"] == "1500.00"


def test_the_insured_vehicles_passenger_gets_nothing(post):
    body = {**SPLIT_BODY, "split": {**SPLIT_BODY["split"], "third_party": False}}
    split = post("injury", body).json()["split"]
    assert (split["ctpl_total"], split["commercial"]["payout"]) == ("0.00", "0.00")
    assert split["unpaid"] == split["total"] == "173846.00"
    assert any("车上人员" in line for line in split["explanation"])
    assert not any("第三者：按第三者" in line for line in split["defaults_used"])


@pytest.mark.parametrize(
    ("split", "field"),
    [
        ({"liability_ratio": "full"}, "split.at_fault"),
        ({"at_fault": True}, "split.liability_ratio"),
        ({"at_fault": True, "liability_ratio": "most"}, "split.liability_ratio"),
        (
            {"at_fault": True, "liability_ratio": "1", "commercial_limit": "-1"},
            "split.commercial_limit",
        ),
        (
            {"at_fault": True, "liability_ratio": "1", "absolute_deductible_rates": ["0.6", "0.5"]},
            "split.absolute_deductible_rates",
        ),
        ({"at_fault": True, "liability_ratio": "1", "ratio": "1"}, "split.ratio"),
    ],
)
def test_bad_split_input_is_a_400_naming_the_field(post, split, field):
    assert field in fields(post("injury", {**SPLIT_BODY, "split": split}))


def test_a_split_needs_the_accident_date(post):
    body = {key: value for key, value in SPLIT_BODY.items() if key != "accident_date"}
    assert fields(post("injury", body)) == {
        "accident_date": ["计算交强险与商业三者险分摊时须填写出险日期（按当日有效的交强险限额）"]
    }


def test_a_vehicle_not_at_fault_defaults_to_no_commercial_share(post):
    body = {**SPLIT_BODY, "split": {"at_fault": False}}
    split = post("injury", body).json()["split"]
    assert split["ctpl"]["limits"] == {"medical": "1800.00", "death_disability": "18000.00"}
    assert split["commercial"]["liability_level"] == "none"
    assert split["commercial"]["payout"] == "0.00"
    assert split["commercial"]["limit"] is None
    # 医疗 26600 → 1800; 死亡伤残 145746 → 18000; with the appraisal fee 1500,
    # 173846 − 19800 = 154046 is not paid.
    assert split["ctpl_total"] == "19800.00"
    assert split["unpaid"] == "154046.00"


def test_the_split_reads_the_standards_in_a_fixed_number_of_queries(api, django_assert_num_queries):
    # the token and its user, the province's standards, the CTPL limit tables
    with django_assert_num_queries(3):
        response = api.post(f"{API}/calc/injury", SPLIT_BODY, format="json")
    assert response.status_code == 200


# --- the function the injury line calls ---------------------------------------------------


def test_injury_split_takes_the_saved_items_as_they_are(post):
    result = post("injury", SPLIT_BODY).json()
    split = calculations.injury_split(
        result["items"], date(2025, 3, 1), True, True, "major", Decimal("1000000")
    )
    expected = dict(result["split"])
    expected["defaults_used"] = [
        line for line in expected["defaults_used"] if "是否为第三者" not in line
    ]
    assert split == expected


def test_injury_split_names_its_own_parameters_in_errors():
    from lossdesk.rules.errors import RuleInputError

    with pytest.raises(RuleInputError) as raised:
        calculations.injury_split({"medical": "1"}, None, True, True, "full")
    assert raised.value.field == "accident_date"
    with pytest.raises(RuleInputError) as raised:
        calculations.injury_split({"medical": "1"}, "2025-02-30", True, True, "full")
    assert raised.value.field == "accident_date"  # a date (ISO text, as stored, is read)
    with pytest.raises(RuleInputError) as raised:
        calculations.injury_split({"medical": "x"}, date(2025, 3, 1), True, True, "full")
    assert raised.value.field == "items.medical"
    with pytest.raises(RuleInputError) as raised:
        calculations.injury_split({"medical": "1"}, date(2025, 3, 1), True)
    assert raised.value.field == "liability_ratio"
