"""The injury assessment at the shared /loss-items/{seq}/sheet resource: the calculator's
body plus the person and the bills; the answer as stored, the ID number masked by position."""

from decimal import Decimal

import pytest

from lossdesk.audit.models import PiiAccess
from lossdesk.calc import calculations
from lossdesk.claims.choices import LossItemKind
from lossdesk.injury.tests.test_services import BILLS, CALCULATOR, PERSON, person_aged
from lossdesk.testing import API, client_for, error_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(firm):
    case = firm.assessing_case(injured_persons=1)
    return case.loss_items.get(kind=LossItemKind.INJURY)


def url(item):
    return f"{API}/cases/{item.case.case_no}/loss-items/{item.seq}/sheet"


def body(item, **overrides):
    return {"person": person_aged(item, 40), "bills": BILLS, **CALCULATOR, **overrides}


def test_put_then_get_answers_the_person_the_audit_and_the_calculators_compensation(firm, item):
    api = client_for(firm.zhangsan)
    assert api.get(url(item)).status_code == 404

    response = api.put(url(item), {**body(item), "version": item.case.version}, format="json")

    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["kind"] == "injury" and answer["person"]["age"] == 40
    assert (answer["claimed_total"], answer["reasonable_total"], answer["deducted_total"]) == (
        "1930.00",
        "1630.00",
        "300.00",
    )
    lines = answer["bills"][0]["lines"]
    assert [(line["deducted"], line["deduction_reason"]) for line in lines] == [
        ("300.00", "non_insured_drug"),
        ("0.00", ""),
    ]
    compensation = answer["compensation"]
    calculator = calculations.injury(
        {**CALCULATOR, "age": 40, "medical_amount": answer["reasonable_total"]}
    )
    assert compensation["items"] == calculator["items"]
    assert Decimal(compensation["total"]) == Decimal(calculator["total"])
    # Split by the survey's full liability: all of it within the CTPL limits.
    assert compensation["split"]["ctpl_total"] == compensation["total"]
    assert compensation["split"]["commercial"]["liability_ratio"] == "1.00"
    assert api.get(url(item)).json() == answer


def test_the_id_number_is_masked_without_the_pii_right_and_logged_with_it(firm, item):
    client_for(firm.zhangsan).put(url(item), body(item), format="json")
    full = body(item)["person"]["id_number"]

    masked = client_for(firm.lisi).get(url(item)).json()["person"]["id_number"]
    shown = client_for(firm.zhoujiu).get(url(item)).json()["person"]["id_number"]

    assert not firm.lisi.has_perm("org.view_pii") and masked != full and masked[-4:] == full[-4:]
    assert firm.zhoujiu.has_perm("org.view_pii") and shown == full
    logged = [(r.user, r.fields) for r in PiiAccess.objects.filter(case_no=item.case.case_no)]
    assert any(user == firm.zhoujiu and "id_number" in fields for user, fields in logged)
    assert not any(user == firm.lisi for user, _ in logged)


def test_bad_input_is_a_field_error_per_cell(firm, item):
    person = {**PERSON, "id_number": "110105194912310021"}  # the check digit is X
    bills = [{**BILLS[0], "lines": [{**BILLS[0]["lines"][1], "reasonable": "651"}]}]
    response = client_for(firm.zhangsan).put(
        url(item), body(item, person=person, bills=bills), format="json"
    )
    assert response.status_code == 400
    fields = error_of(response)["fields"]
    assert fields["person.id_number"] == ["身份证号码校验位不正确"]
    assert "bills.0.lines.0.reasonable" in fields


def test_a_concurrent_edit_is_409_with_the_saved_assessment(firm, item):
    version = item.case.version
    api = client_for(firm.zhangsan)
    assert api.put(url(item), {**body(item), "version": version}, format="json").status_code == 200
    late = client_for(firm.qianqi).put(
        url(item), {**body(item, disability_grades=[9]), "version": version}, format="json"
    )
    assert late.status_code == 409
    error = error_of(late)
    assert error["code"] == "conflict" and error["current_version"] == version + 1
    assert error["current_sheet"]["assessment_no"].startswith("RS")
