"""A property item from survey to approved through /api/v1/ alone; the sheet is the same
resource as the vehicle sheet with a property body."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from lossdesk.claims.choices import LossItemKind
from lossdesk.property.tests.test_services import SURVEY, WORKED
from lossdesk.testing import API, client_for, error_of

pytestmark = pytest.mark.django_db


def url(case, tail):
    return f"{API}/cases/{case.case_no}/{tail}"


def detail(api, case):
    response = api.get(url(case, "")[:-1])
    assert response.status_code == 200, response.content
    return response.json()


def test_a_property_item_from_survey_to_approved_through_the_api(firm):
    case = firm.assessed_case(property_loss=True)
    seq = case.loss_items.get(kind=LossItemKind.PROPERTY).seq
    zhangsan = client_for(firm.zhangsan)

    survey = zhangsan.put(
        url(case, f"loss-items/{seq}/property-survey"),
        {**SURVEY, "version": case.version},
        format="json",
    )
    assert survey.status_code == 200, survey.content
    version = survey.json()["version"]

    # JSON numbers and typed text are both accepted, as for vehicle sheets.
    lines = [{**WORKED[0], "quantity": 2, "months_used": 36}, *WORKED[1:]]
    sheet = zhangsan.put(
        url(case, f"loss-items/{seq}/sheet"),
        {"version": version, "lines": lines},
        format="json",
    )
    assert sheet.status_code == 200, sheet.content
    body = sheet.json()
    assert body["kind"] == "property" and body["total"] == "6660.00"
    assert [(line["depreciation_rate"], line["amount"]) for line in body["lines"]] == [
        ("0.625", "6250.00"),
        ("0.1", "50.00"),
        ("1", "360.00"),
    ]
    assert body["depreciation_floor"] == "0.1"
    assert zhangsan.get(url(case, f"loss-items/{seq}/sheet")).json() == body

    offer = zhangsan.post(
        url(case, f"loss-items/{seq}/offers"),
        {"offered_on": "2026-01-05", "party": "owner", "speaker": "王科长", "amount": "8000"},
        format="json",
    )
    assert offer.status_code == 201, offer.content
    negotiation = zhangsan.put(
        url(case, f"loss-items/{seq}/negotiation"),
        {"claimed_amount": "8000", "agreed_amount": "6300.00"},
        format="json",
    )
    assert negotiation.status_code == 200, negotiation.content
    item = next(i for i in negotiation.json()["loss_items"] if i["seq"] == seq)
    assert item["property_sheet"]["total"] == "6660.00"
    assert item["negotiation"]["agreed_amount"] == "6300.00"
    assert [o["amount"] for o in item["negotiation"]["offers"]] == ["8000.00"]
    assert item["property_survey"]["category"] == "road_facility"

    submitted = zhangsan.post(url(case, "submit-for-review"), {}, format="json")
    assert submitted.status_code == 200, submitted.content
    reviewed = client_for(firm.lisi).post(
        url(case, "review"), {"decision": "approved", "level": 1}, format="json"
    )
    assert reviewed.status_code == 200, reviewed.content
    answer = reviewed.json()
    assert answer["status"] in ("approved", "in_second_review")
    item = next(i for i in answer["loss_items"] if i["seq"] == seq)
    assert item["status"] in ("approved", "submitted")


@pytest.fixture
def setup(firm):
    case = firm.assessing_case(property_loss=True)
    return case, case.loss_items.get(kind=LossItemKind.PROPERTY).seq


def test_bad_lines_are_field_errors_per_cell(firm, setup):
    case, seq = setup
    lines = [
        {**WORKED[0], "months_used": -1},
        {**WORKED[1], "useful_life_years": "0"},
        {**WORKED[2], "salvage_value": "360.01"},
    ]
    response = client_for(firm.zhangsan).put(
        url(case, f"loss-items/{seq}/sheet"), {"lines": lines}, format="json"
    )
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {
        "lines.0.months_used",
        "lines.1.useful_life_years",
        "lines.2.salvage_value",
    }
    assert client_for(firm.zhangsan).get(url(case, f"loss-items/{seq}/sheet")).status_code == 404


def test_a_concurrent_edit_is_409_with_the_other_sheet(firm, setup):
    case, seq = setup
    first = client_for(firm.zhangsan).put(
        url(case, f"loss-items/{seq}/sheet"),
        {"version": case.version, "lines": WORKED},
        format="json",
    )
    assert first.status_code == 200
    late = client_for(firm.qianqi).put(
        url(case, f"loss-items/{seq}/sheet"),
        {"version": case.version, "lines": WORKED[:1]},
        format="json",
    )
    assert late.status_code == 409
    error = error_of(late)
    assert error["code"] == "conflict"
    assert error["current_version"] == case.version + 1
    assert error["current_sheet"]["total"] == "6660.00"
    assert error["current_sheet"]["assessor"]["full_name"] == firm.zhangsan.full_name


def test_an_agreed_amount_above_the_assessed_total_without_reason_is_a_field_error(firm, setup):
    case, seq = setup
    api = client_for(firm.zhangsan)
    api.put(url(case, f"loss-items/{seq}/sheet"), {"lines": WORKED}, format="json")
    response = api.put(
        url(case, f"loss-items/{seq}/negotiation"), {"agreed_amount": "7000"}, format="json"
    )
    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["above_assessed_reason"]


def test_the_owner_phone_is_masked_without_the_pii_permission(firm, setup):
    case, seq = setup
    client_for(firm.zhangsan).put(
        url(case, f"loss-items/{seq}/property-survey"),
        {**SURVEY, "owner_phone": "13912345678"},
        format="json",
    )
    viewer = firm.zhangsan if not firm.zhangsan.has_perm("org.view_pii") else firm.lisi
    item = next(i for i in detail(client_for(viewer), case)["loss_items"] if i["seq"] == seq)
    assert item["property_survey"]["owner_phone"] == "139****5678"


def test_property_steps_refuse_a_vehicle_item(firm, setup):
    case, _ = setup
    response = client_for(firm.zhangsan).put(
        url(case, "loss-items/1/property-survey"), SURVEY, format="json"
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "loss_item_not_property"


def test_the_schema_names_every_lines_sheet_body():
    openapi = SchemaGenerator().get_schema(request=None, public=True)
    put = openapi["paths"][f"{API}/cases/{{case_no}}/loss-items/{{seq}}/sheet"]["put"]
    body = put["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/LossItemSheetInputRequest"}
    one_of = openapi["components"]["schemas"]["LossItemSheetInputRequest"]["oneOf"]
    assert {ref["$ref"].rsplit("/", 1)[1] for ref in one_of} == {
        "SheetInputRequest",
        "PropertySheetInputRequest",
        "InjuryAssessmentInputRequest",
    }
    for tail in ("property-survey", "negotiation", "offers"):
        assert f"{API}/cases/{{case_no}}/loss-items/{{seq}}/{tail}" in openapi["paths"]
