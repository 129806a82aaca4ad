"""Bad input is a 400 in the project's error body naming the field, never a 500."""

import pytest

from lossdesk.calc.tests.conftest import API
from lossdesk.calc.tests.test_api_vectors import TV8_BODY, tv2_body

pytestmark = pytest.mark.django_db

TP = {
    "assessed_loss": "10000",
    "ctpl_item_limits": "2000",
    "liability_ratio": "full",
    "policy_limit": "1000000",
}
INJURY = {
    "age": 35,
    "outcome": "disability",
    "standard": {"province": "江苏", "year": 2024},
    "disability_grades": [10],
}


def ctpl_loss(**changes) -> dict:
    body = tv2_body()
    body["losses"][0] = {**body["losses"][0], **changes}
    return body


BAD_INPUT = [
    # negative amounts
    ("actual-value", {**TV8_BODY, "new_price": "-1"}, "new_price"),
    ("actual-value", {**TV8_BODY, "repair_cost": "-5"}, "repair_cost"),
    ("ctpl", ctpl_loss(amount="-1200"), "losses.0.amount"),
    ("commercial", {"third_party": {**TP, "assessed_loss": "-1"}}, "third_party.assessed_loss"),
    ("commercial", {"own_damage": {"sum_insured": "-1"}}, "own_damage.sum_insured"),
    ("injury", {**INJURY, "medical_amount": "-0.01"}, "medical_amount"),
    # unknown kinds
    ("ctpl", ctpl_loss(kind="theft"), "losses.0.kind"),
    ("actual-value", {**TV8_BODY, "vehicle_class": "tank"}, "vehicle_class"),
    ("actual-value", {**TV8_BODY, "vehicle_class": "mini_truck"}, "use"),  # a "/" cell
    ("injury", {**INJURY, "outcome": "coma"}, "outcome"),
    ("injury", {**INJURY, "addon_rule": {"kind": "double"}}, "addon_rule.kind"),
    # ratios outside 0–1
    (
        "commercial",
        {"third_party": {**TP, "liability_ratio": "1.5"}},
        "third_party.liability_ratio",
    ),
    (
        "commercial",
        {"third_party": {**TP, "liability_ratio": "most"}},
        "third_party.liability_ratio",
    ),
    (
        "commercial",
        {"third_party": {**TP, "liability_deductible_rate": "-0.1"}},
        "third_party.liability_deductible_rate",
    ),
    (
        "commercial",
        {"own_damage": {"sum_insured": "1", "repair_cost": "1", "absolute_deductible_rates": [2]}},
        "own_damage.absolute_deductible_rates.0",
    ),
    (
        "commercial",
        {"third_party": {**TP, "absolute_deductible_rates": ["0.6", "0.6"]}},
        "third_party.absolute_deductible_rates",
    ),
    ("injury", {**INJURY, "addon_rule": {"extras_cap": "1.2"}}, "addon_rule.extras_cap"),
    # grades outside 1–10
    ("injury", {**INJURY, "disability_grades": [0]}, "disability_grades.0"),
    ("injury", {**INJURY, "disability_grades": [10, 11]}, "disability_grades.1"),
    ("injury", {**INJURY, "disability_grades": []}, "disability_grades"),
    # unknown province / year / region
    ("injury", {**INJURY, "standard": {"province": "火星", "year": 2024}}, "standard.province"),
    ("injury", {**INJURY, "standard": {"province": "江苏", "year": 1999}}, "standard.year"),
    (
        "injury",
        {**INJURY, "standard": {"province": "江苏", "year": 2024, "region": "苏州"}},
        "standard.region",
    ),
    ("injury", {**INJURY, "standard": {}}, "standard"),
    # the standard lacks a figure the case needs
    (
        "injury",
        {"age": 40, "outcome": "death", "standard": {"province": "江苏", "year": 2023}},
        "standard.average_wage",
    ),
    # inconsistent or missing input
    ("actual-value", {**TV8_BODY, "first_registration": "2020-01-01"}, "months"),
    ("actual-value", {k: v for k, v in TV8_BODY.items() if k != "months"}, "months"),
    ("actual-value", {**TV8_BODY, "months": 38.5}, "months"),
    ("actual-value", {**TV8_BODY, "salvage_value": "100"}, "repair_cost"),
    (
        "actual-value",
        {
            **TV8_BODY,
            "months": None,
            "first_registration": "2024-05-01",
            "accident_date": "2024-01-01",
        },
        "accident_date",
    ),
    ("ctpl", tv2_body(accident_date="2008-01-31"), "accident_date"),
    ("ctpl", tv2_body(accident_date="2024-13-01"), "accident_date"),
    (
        "ctpl",
        tv2_body(vehicles=[{"id": "A", "at_fault": True}, {"id": "A", "at_fault": False}]),
        "vehicles.1.id",
    ),
    ("ctpl", tv2_body(vehicles=[]), "vehicles"),
    ("ctpl", ctpl_loss(vehicle_id="Z", victim="乘客"), "losses.0.vehicle_id"),
    ("commercial", {}, "third_party"),
    ("commercial", {"own_damage": {"sum_insured": "100000"}}, "own_damage.repair_cost"),
    ("injury", {**INJURY, "age": -1}, "age"),
    ("injury", {**INJURY, "dependants": [{"age": 5, "supporters": 0}]}, "dependants.0.supporters"),
    ("injury", {**INJURY, "outcome": "injury"}, "disability_grades"),
    ("injury", {**INJURY, "daily_income": "100", "annual_income": "36500"}, "daily_income"),
    # a misspelt optional field is not silently ignored
    ("actual-value", {**TV8_BODY, "repair_costs": "1000"}, "repair_costs"),
    ("injury", {**INJURY, "standard": {"province": "江苏", "yaer": 2024}}, "standard.yaer"),
]


@pytest.mark.parametrize(
    ("endpoint", "body", "field"), BAD_INPUT, ids=[f"{e}-{f}" for e, _, f in BAD_INPUT]
)
def test_bad_input_is_a_400_naming_the_field(post, endpoint, body, field):
    response = post(endpoint, body)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["message"]
    assert field in error["fields"], error["fields"]
    assert all(error["fields"][field])


def test_a_rule_error_carries_the_rules_own_message(post):
    error = post("injury", {**INJURY, "standard": {"province": "江苏", "year": 1999}}).json()
    assert error["error"]["fields"] == {
        "standard.year": ["江苏没有 1999 年数据（已有：2023、2024）"]
    }
    assert error["error"]["message"] == "江苏没有 1999 年数据（已有：2023、2024）"


def test_a_named_standard_missing_a_figure_says_how_to_go_on(post):
    body = {"age": 40, "outcome": "death", "standard": {"province": "江苏", "year": 2023}}
    message = post("injury", body).json()["error"]["message"]
    assert "江苏 一般地区 2023年数据 未收录该项" in message


def test_malformed_json_is_a_400_parse_error(api):
    response = api.post(
        f"{API}/calc/ctpl", data='{"accident_date": ', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_a_body_that_is_not_an_object_is_a_400(post):
    response = post("injury", [1, 2, 3])
    assert response.status_code == 400
    assert "non_field_errors" in response.json()["error"]["fields"]


def test_a_form_encoded_body_is_refused_with_415(api):
    response = api.post(f"{API}/calc/actual-value", {"new_price": "1"})
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
