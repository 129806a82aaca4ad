"""POST /api/v1/calc/fee: the issue's worked examples through the API, the error body naming
the field, and the schema with its examples."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from lossdesk.billing.api.views import (
    EXAMPLE_BRACKETS,
    EXAMPLE_CASE,
    EXAMPLE_CONTRACTS,
    EXTRAS_CASE,
)
from lossdesk.rules.fees import EXTRA_KEYS, MODE_KEYS, FeeMode
from lossdesk.testing import API, client_for, error_of

pytestmark = pytest.mark.django_db

URL = f"{API}/calc/fee"
PERCENTAGE = EXAMPLE_CONTRACTS["percentage"][1]


def post(user, body):
    return client_for(user).post(URL, body, format="json")


@pytest.mark.parametrize(
    ("mode", "amount", "fee"),
    [
        ("percentage", "8115.00", "300.00"),
        ("percentage", "250000.00", "5000.00"),
        ("progressive", "60000.00", "1800.00"),
        ("flat_bracket", "60000.00", "1200.00"),
    ],
)
def test_the_issue_worked_examples(firm, mode, amount, fee):
    contract = {"mode": mode, "brackets": EXAMPLE_BRACKETS} if mode != "percentage" else PERCENTAGE
    case = {**EXAMPLE_CASE, "approved_amount": amount}
    response = post(firm.zhangsan, {"contract": contract, "case": case})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["fee"] == fee
    assert body["explanation"][-1] == f"公估费 = {fee}"
    assert body["contract"] == contract


def test_the_answer_explains_each_component_and_gives_the_canonical_contract(firm):
    contract = EXAMPLE_CONTRACTS["per_case"][1]
    response = post(firm.zhangsan, {"contract": contract, "case": {**EXAMPLE_CASE, "night": True}})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {
        "fee": "404.00",
        "components": [
            {
                "code": "base",
                "label": "基本费（按件固定）",
                "amount": "200.00",
                "formula": "每案 200.00",
            },
            {
                "code": "per_item",
                "label": "标的费",
                "amount": "100.00",
                "formula": "2 个损失标的 × 50.00 = 100.00",
            },
            {
                "code": "distance",
                "label": "远程查勘费",
                "amount": "4.00",
                "formula": "(12 − 10) km × 2.00 = 4.00",
            },
            {
                "code": "night",
                "label": "夜间/节假日加收",
                "amount": "100.00",
                "formula": "夜间或节假日查勘，加收 100.00",
            },
        ],
        "explanation": [
            "车险收费，按件固定",
            "基本费（按件固定）：每案 200.00",
            "标的费：2 个损失标的 × 50.00 = 100.00",
            "远程查勘费：(12 − 10) km × 2.00 = 4.00",
            "夜间/节假日加收：夜间或节假日查勘，加收 100.00",
            "公估费 = 200.00 + 100.00 + 4.00 + 100.00 = 404.00",
        ],
        "contract": contract,
    }


def test_the_extras_example_charges_night_rescue_and_re_survey_on_the_minimum(firm):
    contract = EXAMPLE_CONTRACTS["extras"][1]
    response = post(firm.zhangsan, {"contract": contract, "case": EXTRAS_CASE})
    assert response.status_code == 200, response.content
    body = response.json()
    assert [(c["code"], c["amount"]) for c in body["components"]] == [
        ("base", "300.00"),
        ("night", "100.00"),
        ("rescue", "150.00"),
        ("resurvey", "80.00"),
    ]
    assert body["fee"] == "630.00"
    assert body["contract"] == contract
    refused = post(
        firm.zhangsan,
        {"contract": {**contract, "night_to": "20:00"}, "case": {**EXTRAS_CASE, "rescues": -1}},
    )
    assert refused.status_code == 400
    assert set(error_of(refused)["fields"]) == {"contract.night_to", "case.rescues"}


def test_json_numbers_are_read_through_their_decimal_text(firm):
    contract = {"mode": "percentage", "rate": 0.03, "minimum": 300, "maximum": 5000}
    case = {"line": "motor", "approved_amount": 8115.55}
    response = post(firm.zhangsan, {"contract": contract, "case": case})
    assert response.status_code == 200, response.content
    assert response.json()["contract"] == {
        "mode": "percentage",
        "rate": "0.03",
        "minimum": "300.00",
        "maximum": "5000.00",
    }
    assert response.json()["fee"] == "300.00"


def test_a_cancelled_case_needs_no_approved_amount(firm):
    contract = {**PERCENTAGE, "cancellation_fee": "150"}
    after = post(
        firm.zhangsan,
        {"contract": contract, "case": {"line": "motor", "cancelled_after_survey": True}},
    )
    assert after.status_code == 200, after.content
    assert after.json()["fee"] == "150.00"
    before = post(
        firm.zhangsan, {"contract": contract, "case": {"line": "motor", "cancelled": True}}
    )
    assert before.json()["fee"] == "0.00"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        # Brackets that overlap, leave a gap, or do not end open: the bracket is named.
        (
            {
                "contract": {
                    "mode": "progressive",
                    "brackets": [
                        {"up_to": "10000", "rate": "0.04"},
                        {"up_to": "5000", "rate": "0.03"},
                        {"up_to": None, "rate": "0.02"},
                    ],
                },
                "case": EXAMPLE_CASE,
            },
            {"contract.brackets.1.up_to"},
        ),
        (
            {
                "contract": {
                    "mode": "flat_bracket",
                    "brackets": [
                        {"up_to": "10000", "rate": "0.04"},
                        {"from": "20000", "up_to": None, "rate": "0.02"},
                    ],
                },
                "case": EXAMPLE_CASE,
            },
            {"contract.brackets.1.from"},
        ),
        (
            {
                "contract": {
                    "mode": "progressive",
                    "brackets": [
                        {"up_to": "10000", "rate": "0.04"},
                        {"up_to": "50000", "rate": "0.02"},
                    ],
                },
                "case": EXAMPLE_CASE,
            },
            {"contract.brackets.1.up_to"},
        ),
        # Every bad key of the contract and of the case at once.
        (
            {
                "contract": {"mode": "percentage", "rate": "3", "colour": "red"},
                "case": {**EXAMPLE_CASE, "line": "marine", "approved_amount": "-1"},
            },
            {"contract.rate", "contract.colour", "case.line", "case.approved_amount"},
        ),
        ({"contract": "3%", "case": EXAMPLE_CASE}, {"contract"}),
        ({"contract": {"mode": "hourly"}, "case": EXAMPLE_CASE}, {"contract.mode"}),
        ({"contract": PERCENTAGE, "case": {**EXAMPLE_CASE, "speed": 1}}, {"case.speed"}),
        ({"contract": PERCENTAGE}, {"case"}),
        ({"contract": PERCENTAGE, "case": EXAMPLE_CASE, "note": "x"}, {"note"}),
        # What only the case and the terms together tell: the rules' check, under "case.".
        ({"contract": PERCENTAGE, "case": {"line": "motor"}}, {"case.approved_amount"}),
        (
            {
                "contract": {**PERCENTAGE, "per_item": "50"},
                "case": {"line": "motor", "approved_amount": "100"},
            },
            {"case.loss_items"},
        ),
        (
            {
                "contract": PERCENTAGE,
                "case": {**EXAMPLE_CASE, "cancelled": False, "cancelled_after_survey": True},
            },
            {"case.cancelled_after_survey"},
        ),
    ],
)
def test_bad_input_is_a_400_naming_each_field(firm, body, fields):
    response = post(firm.zhangsan, body)
    assert response.status_code == 400, response.content
    error = error_of(response)
    assert error["code"] == "invalid"
    assert set(error["fields"]) == fields


def test_the_bracket_error_says_what_is_wrong_in_chinese(firm):
    contract = {
        "mode": "progressive",
        "brackets": [
            {"up_to": "10000", "rate": "0.04"},
            {"up_to": "10000", "rate": "0.03"},
            {"up_to": None, "rate": "0.02"},
        ],
    }
    response = post(firm.zhangsan, {"contract": contract, "case": EXAMPLE_CASE})
    message = error_of(response)["fields"]["contract.brackets.1.up_to"][0]
    assert message == "须大于上一档的上限 10000.00（各档须按金额从低到高排列，不能重叠）"


def test_login_is_needed(firm):
    response = post(None, {"contract": PERCENTAGE, "case": EXAMPLE_CASE})
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"


def test_the_schema_documents_the_terms_and_the_issue_examples():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"][f"{URL}"]["post"]
    content = operation["requestBody"]["content"]["application/json"]
    examples = {name: example["value"] for name, example in content["examples"].items()}
    contracts = {name: value["contract"] for name, value in examples.items()}
    assert {contract["mode"] for contract in contracts.values()} == {m.value for m in FeeMode}
    assert contracts["Percentage"] == {
        "mode": "percentage",
        "rate": "0.03",
        "minimum": "300.00",
        "maximum": "5000.00",
    }
    assert contracts["Progressive"]["brackets"] == [
        {"up_to": "10000.00", "rate": "0.04"},
        {"up_to": "50000.00", "rate": "0.03"},
        {"up_to": None, "rate": "0.02"},
    ]
    assert contracts["FlatBracket"]["brackets"] == contracts["Progressive"]["brackets"]
    assert contracts["PerCase"]["amount"] == "200.00"
    cases = {name: value["case"] for name, value in examples.items()}
    assert cases.pop("Extras") == EXTRAS_CASE
    assert all(case == EXAMPLE_CASE for case in cases.values())
    assert {"rescue_fee", "resurvey_fee", "night_from"} <= set(contracts["Extras"])
    # The documented terms name exactly the keys the rules take.
    terms = schema["components"]["schemas"]["FeeTermsDocRequest"]["properties"]
    rule_keys = {"mode", *EXTRA_KEYS}
    for required, optional in MODE_KEYS.values():
        rule_keys |= required | optional
    assert set(terms) == rule_keys
    bracket = schema["components"]["schemas"]["FeeBracketRequest"]["properties"]
    assert set(bracket) == {"from", "up_to", "rate"}
    answer = operation["responses"]["200"]["content"]["application/json"]
    assert answer["schema"] == {"$ref": "#/components/schemas/FeeResult"}
