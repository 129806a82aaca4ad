"""The calculation API reproduces every worked example of VECTORS.md to the fen."""

import pytest

pytestmark = pytest.mark.django_db

TV8_BODY = {
    "new_price": "200000",
    "vehicle_class": "passenger_under_10",
    "use": "private",
    "months": 38,
}


def payments(body: dict) -> dict[tuple[str, str, str], str]:
    return {(p["payer"], p["victim"], p["kind"]): p["amount"] for p in body["payments"]}


# --- actual value (TV-8) ------------------------------------------------------------------


def test_tv8_the_issue_body_gives_exactly_the_issue_figures(post):
    response = post("actual-value", TV8_BODY)
    assert response.status_code == 200
    body = response.json()
    figures = {k: body[k] for k in ("monthly_rate", "months", "depreciation", "actual_value")}
    assert figures == {
        "monthly_rate": "0.0060",
        "months": 38,
        "depreciation": "45600.00",
        "actual_value": "154400.00",
    }
    assert "折旧金额 = 200000.00 × 22.8% = 45600.00" in body["explanation"]
    assert body["standard"]["name"] == "2014版示范条款 参考折旧系数表"
    assert "2014版" in body["standard"]["source"]
    assert body["rounding"]
    assert any("出险日期" in line for line in body["defaults_used"])


@pytest.mark.parametrize(
    ("months", "capped", "actual_value"), [(134, True, "40000.00"), (133, False, "40400.00")]
)
def test_tv8_depreciation_is_capped_at_80_percent(post, months, capped, actual_value):
    body = post("actual-value", {**TV8_BODY, "months": months}).json()
    assert (body["capped"], body["actual_value"]) == (capped, actual_value)


def test_tv8_a_taxi_depreciates_1_1_percent_a_month(post):
    body = post("actual-value", {**TV8_BODY, "use": "commercial_taxi", "months": 24}).json()
    assert (body["monthly_rate"], body["depreciation_rate"]) == ("0.0110", "0.2640")


def test_months_are_counted_in_whole_months_from_registration_to_accident(post):
    body = {**TV8_BODY, "first_registration": "2021-01-15", "accident_date": "2024-04-04"}
    del body["months"]
    result = post("actual-value", body).json()
    assert (result["months"], result["actual_value"]) == (38, "154400.00")
    assert "满 38 个月（不足一个月的不计）" in result["explanation"][0]
    assert result["defaults_used"] == []


def test_a_repair_cost_at_the_actual_value_is_a_constructive_total_loss(post):
    body = post(
        "actual-value", {**TV8_BODY, "repair_cost": "154400", "salvage_value": "4400"}
    ).json()
    assert body["total_loss"] == {
        "is_constructive_total_loss": True,
        "basis": "154400.00",
        "payable_on_total_loss": "150000.00",
        "explanation": body["total_loss"]["explanation"],
    }
    assert "全损可赔 = 154400.00 − 残值 4400.00 = 150000.00" in body["explanation"]


def test_a_sum_insured_below_the_actual_value_is_the_total_loss_basis(post):
    body = post(
        "actual-value", {**TV8_BODY, "repair_cost": "100000", "sum_insured": "120000"}
    ).json()
    assert body["total_loss"]["is_constructive_total_loss"] is False
    assert body["total_loss"]["basis"] == "120000.00"
    assert "未填残值：按 0 计" in body["defaults_used"]


def test_json_numbers_are_read_through_their_decimal_text(post):
    body = post("actual-value", {**TV8_BODY, "new_price": 200000.10}).json()
    assert body["depreciation"] == "45600.02"  # 200000.10 × 22.8% = 45600.0228
    assert body["actual_value"] == "154400.08"


# --- CTPL (TV-1, TV-2, TV-3, TV-6) --------------------------------------------------------


def tv2_body(**overrides) -> dict:
    return {
        "accident_date": "2024-05-01",
        "vehicles": [
            {"id": "A", "at_fault": True},
            {"id": "B", "at_fault": False},
            {"id": "C", "at_fault": False},
        ],
        "losses": [
            {"victim": "A", "kind": "property", "amount": "3000"},
            {"victim": "B", "kind": "property", "amount": "1200"},
            {"victim": "C", "kind": "property", "amount": "1000"},
        ],
        "no_fault_proxy": False,
        **overrides,
    }


def test_tv2_each_payer_is_capped_at_its_limit_to_the_fen(post):
    response = post("ctpl", tv2_body())
    assert response.status_code == 200
    body = response.json()
    assert payments(body) == {
        ("A", "B", "property"): "1090.91",
        ("A", "C", "property"): "909.09",
        ("B", "A", "property"): "96.92",
        ("B", "C", "property"): "3.08",
        ("C", "A", "property"): "96.33",
        ("C", "B", "property"): "3.67",
    }
    assert body["totals"] == {"A": "2000.00", "B": "100.00", "C": "100.00"}
    assert body["payments"][0] == {
        "payer": "A",
        "victim": "B",
        "kind": "property",
        "kind_label": "财产损失",
        "amount": "1090.91",
    }


def test_tv2_the_response_explains_the_first_pass_the_cap_and_the_shortfall(post):
    body = post("ctpl", tv2_body()).json()
    first = {(p["payer"], p["victim"]): p["amount"] for p in body["first_pass"]}
    assert first[("A", "B")] == "1142.86" and first[("A", "C")] == "952.38"
    assert any("超过有责限额 2000.00，按比例压缩" in line for line in body["explanation"])
    assert {s["victim"]: s["unpaid"] for s in body["shortfalls"]}["A"] == "2806.75"
    assert body["standard"]["name"] == "交强险责任限额（2020-09-19起）"
    assert "2020年第2号" in body["standard"]["source"]
    assert body["mutual_self_settlement"]["applies"] is False


def test_tv2_the_order_vehicles_and_losses_are_listed_in_does_not_change_the_result(post):
    body = tv2_body()
    shuffled = {
        **body,
        "vehicles": body["vehicles"][::-1],
        "losses": [body["losses"][1], body["losses"][2], body["losses"][0]],
    }
    assert payments(post("ctpl", shuffled).json()) == payments(post("ctpl", body).json())


def test_tv3_the_pedestrian_is_shared_by_every_car_and_the_smallest_share_balances(post):
    body = post(
        "ctpl",
        {
            "accident_date": "2019-06-01",
            "vehicles": [
                {"id": "A", "at_fault": True},
                {"id": "B", "at_fault": True},
                {"id": "C", "at_fault": False},
            ],
            "losses": [{"victim": "行人", "kind": "medical", "amount": "4500"}],
        },
    ).json()
    assert payments(body) == {
        ("A", "行人", "medical"): "2142.86",
        ("B", "行人", "medical"): "2142.86",
        ("C", "行人", "medical"): "214.28",
    }
    assert body["standard"]["name"] == "交强险责任限额（2008-02-01起）"
    assert "未指定无责代赔：按不适用（false）计算" in body["defaults_used"]


@pytest.mark.parametrize(
    ("day", "death_disability"), [("2020-09-18", "110000.00"), ("2020-09-19", "180000.00")]
)
def test_tv1_the_accident_date_picks_the_limit_table(post, day, death_disability):
    body = post("ctpl", tv2_body(accident_date=day)).json()
    assert body["standard"]["at_fault"]["death_disability"] == death_disability


def test_tv6_with_the_proxy_the_at_fault_car_is_paid_by_its_own_insurer(post):
    body = post(
        "ctpl",
        {
            "accident_date": "2024-05-01",
            "vehicles": [
                {"id": "A", "at_fault": True},
                {"id": "B", "at_fault": False},
                {"id": "C", "at_fault": False},
                {"id": "D", "at_fault": False},
            ],
            "losses": [{"victim": "A", "kind": "property", "amount": "5000"}],
            "no_fault_proxy": True,
        },
    ).json()
    assert body["payments"] == []
    assert [(p["payer"], p["victim"], p["amount"]) for p in body["proxy_payments"]] == [
        ("A", "A", "300.00")
    ]
    assert any("每辆有责车代赔限额 = 3 × 100.00 / 1 = 300.00" in x for x in body["explanation"])


def test_mutual_self_settlement_is_reported_when_every_condition_holds(post):
    body = post(
        "ctpl",
        {
            "accident_date": "2024-05-01",
            "vehicles": [{"id": "A", "at_fault": True}, {"id": "B", "at_fault": True}],
            "losses": [
                {"victim": "A", "kind": "property", "amount": "800"},
                {"victim": "B", "kind": "property", "amount": "1500"},
            ],
        },
    ).json()
    assert body["mutual_self_settlement"] == {"applies": True, "reasons": []}


# --- commercial (TV-7) --------------------------------------------------------------------


def test_tv7_a_liable_amount_above_the_limit_pays_the_limit_less_the_deductible(post):
    body = post(
        "commercial",
        {
            "third_party": {
                "assessed_loss": "300000",
                "ctpl_item_limits": "0",
                "liability_ratio": "major",
                "policy_limit": "150000",
                "liability_deductible_rate": "0.15",
            }
        },
    ).json()
    assert body["third_party"]["liable_amount"] == "210000.00"
    assert body["third_party"]["limit_applies"] is True
    assert body["third_party"]["payout"] == "127500.00"
    assert body["total"] == "127500.00"
    assert body["own_damage"] is None
    assert "三者险责任比例按默认：主要责任 70%" in body["defaults_used"]


def test_tv7_ctpl_limits_are_deducted_before_the_ratio(post):
    body = post(
        "commercial",
        {
            "third_party": {
                "assessed_loss": "250000",
                "ctpl_item_limits": "122000",
                "liability_ratio": 0.7,
                "policy_limit": "200000",
                "liability_deductible_rate": "0.15",
            }
        },
    ).json()
    assert body["third_party"]["payout"] == "76160.00"
    assert body["third_party"]["liability_ratio"] == "0.7"
    assert body["third_party"]["explanation"][0] == (
        "应由三者险承担 = (250000.00 − 交强险分项限额 122000.00) × 责任比例 70% = 89600.00"
    )


def test_own_damage_and_third_party_are_computed_together_with_the_default_deductible(post):
    body = post(
        "commercial",
        {
            "third_party": {
                "assessed_loss": "10000",
                "ctpl_item_limits": "2000",
                "liability_ratio": "full",
                "policy_limit": "1000000",
            },
            "own_damage": {
                "sum_insured": "150000",
                "total_loss": True,
                "actual_value": "120000",
                "salvage": "5000",
            },
        },
    ).json()
    assert body["third_party"]["payout"] == "8000.00"
    assert body["own_damage"]["basis"] == "120000.00"  # the lower actual value
    assert body["own_damage"]["payout"] == "115000.00"
    assert body["total"] == "123000.00"
    assert sum("免赔率未填" in line for line in body["defaults_used"]) == 2


# --- injury (TV-9, TV-13) -----------------------------------------------------------------


def test_jiangsu_2024_grade_ten_disability_is_132346_from_the_table(post):
    response = post(
        "injury",
        {
            "age": 35,
            "outcome": "disability",
            "standard": {"province": "江苏", "year": 2024},
            "disability_grades": [10],
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["items"] == {
        "disability_compensation": {
            "label": "残疾赔偿金",
            "amount": "132346.00",
            "formula": "66173.00 × 20年 × 10% = 132346.00",
        }
    }
    assert body["total"] == "132346.00"
    assert body["standard"]["label"] == "江苏 一般地区 2024年数据"
    assert "江苏统计局" in body["standard"]["source"]
    assert body["disability_coefficient"] == "0.1"
    assert body["compensation_years"] == 20


@pytest.mark.parametrize(
    ("grade", "amount"), [(10, "61942.00"), (9, "123884.00"), (8, "185826.00"), (1, "619420.00")]
)
def test_tv9_zhejiang_2012_inline_standard_by_grade(post, grade, amount):
    body = post(
        "injury",
        {
            "age": 40,
            "outcome": "disability",
            "standard": {"urban_disposable_income": "30971"},
            "disability_grades": [grade],
        },
    ).json()
    assert body["items"]["disability_compensation"]["amount"] == amount
    assert body["standard"]["kind"] == "inline"


@pytest.mark.parametrize(("age", "amount"), [(59, "1059240.00"), (75, "264810.00")])
def test_tv9_shanghai_death_compensation_follows_the_age_rule(post, age, amount):
    body = post(
        "injury",
        {
            "age": age,
            "outcome": "death",
            "standard": {"urban_disposable_income": "52962", "average_wage": "65412"},
        },
    ).json()
    assert body["items"]["death_compensation"]["amount"] == amount
    assert body["items"]["funeral"]["amount"] == "32706.00"


def test_every_item_of_a_death_case_is_computed_with_the_shanghai_2023_table(post):
    body = post(
        "injury",
        {
            "age": 40,
            "outcome": "death",
            "standard": {"province": "上海", "year": 2023},
            "dependants": [{"age": 10, "supporters": 2}, {"age": 70, "unable_to_work": True}],
            "medical_amount": "21000",
            "annual_income": "4800",
            "lost_income_days": 94,
            "nursing_days": 10,
            "nursing_daily_rate": "150",
            "transport_amount": "300",
            "hospital_days": 64,
            "hospital_food_daily": "20",
            "nutrition_days": 30,
            "nutrition_daily": "30",
            "mental_distress_amount": "50000",
        },
    ).json()
    amounts = {key: item["amount"] for key, item in body["items"].items()}
    assert amounts == {
        "medical": "21000.00",
        "lost_income": "1236.16",  # TV-13: 4800 ÷ 365 × 94
        "nursing": "1500.00",
        "transport": "300.00",
        "hospital_food": "1280.00",  # TV-13: 20 × 64
        "nutrition": "900.00",
        "funeral": "73098.00",  # 146196 ÷ 2
        "death_compensation": "1789540.00",  # 89477 × 20
        # years 1–8: 54919/2 + 54919 capped at 54919; years 9–10: 54919 → 10 × 54919
        "dependant_living": "549190.00",
        "mental_distress": "50000.00",
    }
    assert body["total"] == "2488044.16"
    assert body["disability_coefficient"] is None


def test_several_disabilities_use_the_default_add_on_rule_and_say_so(post):
    body = post(
        "injury",
        {
            "age": 30,
            "outcome": "disability",
            "standard": {"province": "江苏", "year": 2024},
            "disability_grades": [10, 9, 10, 10],
        },
    ).json()
    assert body["disability_coefficient"] == "0.23"
    assert body["items"]["disability_compensation"]["amount"] == "304395.80"
    assert any(line.startswith("多处伤残附加规则按默认") for line in body["defaults_used"])


def test_the_add_on_rule_can_be_configured_per_request(post):
    body = post(
        "injury",
        {
            "age": 30,
            "outcome": "disability",
            "standard": {"urban_disposable_income": "10000"},
            "disability_grades": [9, 10, 10],
            "addon_rule": {"kind": "per_extra_fixed", "fixed_rate": "0.10", "extras_cap": None},
        },
    ).json()
    assert body["disability_coefficient"] == "0.40"
    assert body["items"]["disability_compensation"]["amount"] == "80000.00"
    assert body["defaults_used"] == []
    assert any("每处增加 10%，附加合计不设上限" in line for line in body["explanation"])
