"""The injury assessment at the shared /loss-items/{seq}/sheet resource: the calculator's
body plus the person and the bills; the answer as stored, the ID number masked by position."""

from decimal import Decimal

import pytest
from django.utils import timezone

from lossdesk.audit.models import PiiAccess
from lossdesk.calc import calculations
from lossdesk.claims.choices import LossItemKind
from lossdesk.injury.tests.test_services import (
    BILLS,
    CALCULATOR,
    PERSON,
    on_accident_day,
    person_aged,
)
from lossdesk.testing import API, client_for, error_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(firm):
    case = firm.assessing_case(injured_persons=1)
    return case.loss_items.get(kind=LossItemKind.INJURY)


def url(item):
    return f"{API}/cases/{item.case.case_no}/loss-items/{item.seq}/sheet"


def body(item, **overrides):
    body = {"person": person_aged(item, 40), "bills": BILLS, **CALCULATOR, **overrides}
    return {**body, "bills": on_accident_day(item, body["bills"])}


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


def test_an_injured_person_goes_from_first_visit_to_approval_through_the_api(firm):
    """The surveyor's steps, the assessment at the sheet resource, submission and the
    reviewer's approval: the case's approved amount includes the stored compensation."""
    case = firm.assessed_case(injured_persons=1)  # the vehicles assessed already
    item = case.loss_items.get(kind=LossItemKind.INJURY)
    base = f"{API}/cases/{case.case_no}"
    day = timezone.localdate(case.report.accident_time).isoformat()
    surveyor = client_for(firm.zhangsan)

    def send(method, path, body, status=200):
        response = getattr(surveyor, method)(f"{base}/{path}", body, format="json")
        assert response.status_code == status, response.content
        return response.json()

    send(
        "put",
        f"loss-items/{item.seq}/injury-survey",
        {
            "visited_on": day,
            "hospital": "杭州市第一人民医院",
            "admitted_on": day,
            "diagnosis": "左桡骨远端骨折",
            "outcome": "recovered",
            "discharged_on": day,
        },
    )
    visit = send(
        "post",
        f"loss-items/{item.seq}/hospital-visits",
        {
            "visited_on": day,
            "kind": "patrol",
            "present": False,
            "findings": "床位空置",
        },
        201,
    )
    shown = surveyor.get(base).json()["loss_items"]
    flag_id = next(i for i in shown if i["seq"] == item.seq)["investigation_flags"][0]["id"]
    send(
        "put",
        f"investigation-flags/{flag_id}/decision",
        {
            "status": "confirmed",
            "note": "两次查床不在",
        },
    )
    send(
        "post",
        f"loss-items/{item.seq}/disability-appraisals",
        {
            "injury": "左腕关节功能丧失",
            "grade": 10,
            "institution": "鉴定所",
            "appraised_on": day,
        },
        201,
    )
    bills = [
        {
            **BILLS[0],
            "lines": [
                *BILLS[0]["lines"],
                {
                    "category": "bed",
                    "item": "床位费",
                    "claimed": "200",
                    "reasonable": "0",
                    "deduction_reason": "bed_blocking",
                    "note": f"走访 {visit['visited_on']} 不在床",
                },
            ],
        }
    ]
    sheet = send("put", f"loss-items/{item.seq}/sheet", body(item, bills=bills))
    assert sheet["deducted_total"] == "500.00"  # 300 非医保用药 + 200 挂床
    send("post", "submit-for-review", {"version": surveyor.get(base).json()["version"]})
    reviewer = client_for(firm.lisi)
    version = reviewer.get(base).json()["version"]
    response = reviewer.post(
        f"{base}/review", {"decision": "approved", "version": version}, format="json"
    )
    assert response.status_code == 200, response.content

    case.refresh_from_db()
    assert case.status in ("approved", "in_second_review")
    assert case.assessed_amount >= Decimal(sheet["compensation"]["total"])
