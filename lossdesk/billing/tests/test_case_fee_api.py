"""The case fee through the API and the case page: GET /cases/{case_no}/fee, the adjustment
request and decision, scoped like the case; the 公估费 panel by permission."""

from decimal import Decimal

import pytest
from django.test import Client as PageClient
from django.urls import reverse

from lossdesk.billing.models import FeeAdjustment
from lossdesk.billing.tests.test_case_fees import HALF_OF_8115, PERCENTAGE, contract
from lossdesk.claims.choices import EventType
from lossdesk.testing import API, Firm, client_for, error_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(firm):
    contract(firm, PERCENTAGE)
    return firm.issued_case(lines=HALF_OF_8115)


def fee_url(case) -> str:
    return f"{API}/cases/{case.case_no}/fee"


def page(user):
    client = PageClient()
    client.force_login(user)
    return client


def test_the_fee_answers_its_components_inputs_and_explanation(firm, issued):
    response = client_for(firm.finance).get(fee_url(issued))
    assert response.status_code == 200
    body = response.json()
    assert (body["computed_fee"], body["fee"], body["pending_adjustment"]) == (
        "300.00",
        "300.00",
        "0.00",
    )
    assert body["trigger"] == "report_issued" and body["missing_contract"] is False
    [motor] = body["components"]
    assert motor["line"] == "motor" and motor["contract_version"] == 1
    assert motor["inputs"]["approved_amount"] == "8115.00"
    assert motor["components"][0]["amount"] == "300.00"
    assert body["explanation"][-1] == "公估费合计 = 300.00"


def test_no_fee_before_the_report_is_404(firm):
    case = firm.approved_case()
    response = client_for(firm.finance).get(fee_url(case))
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_position_without_the_fee_right_is_refused(firm, issued):
    response = client_for(firm.lisi).get(fee_url(issued))
    assert response.status_code == 403


def test_another_branch_gets_404(firm, issued):
    ningbo_finance = Firm.staff("nb_fin", "宁波财务", "finance", firm.ningbo)
    ningbo_manager = Firm.staff("nb_mgr", "宁波负责人", "branch_manager", firm.ningbo)
    assert client_for(ningbo_finance).get(fee_url(issued)).status_code == 404
    response = client_for(ningbo_finance).post(
        f"{fee_url(issued)}/adjustments", {"amount": "10", "reason": "x"}, format="json"
    )
    assert response.status_code == 404
    adjustment = client_for(firm.finance).post(
        f"{fee_url(issued)}/adjustments", {"amount": "10", "reason": "x"}, format="json"
    )
    decision = f"{fee_url(issued)}/adjustments/{adjustment.json()['id']}/decision"
    response = client_for(ningbo_manager).put(decision, {"decision": "approve"}, format="json")
    assert response.status_code == 404
    assert FeeAdjustment.objects.get().status == "pending"


def test_request_then_approve_through_the_api(firm, issued):
    response = client_for(firm.finance).post(
        f"{fee_url(issued)}/adjustments",
        {"amount": "-40.00", "reason": "委托方协商下浮"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["amount"], created["status"]) == ("-40.00", "pending")
    body = client_for(firm.finance).get(fee_url(issued)).json()
    assert (body["fee"], body["pending_adjustment"]) == ("300.00", "-40.00")
    decision = f"{fee_url(issued)}/adjustments/{created['id']}/decision"
    response = client_for(firm.zhoujiu).put(decision, {"decision": "approve"}, format="json")
    assert response.status_code == 200
    assert (response.json()["fee"], response.json()["computed_fee"]) == ("260.00", "300.00")
    again = client_for(firm.zhoujiu).put(
        decision, {"decision": "refuse", "note": "x"}, format="json"
    )
    assert again.status_code == 409
    types = list(
        issued.events.filter(type__startswith="fee_").order_by("id").values_list("type", flat=True)
    )
    assert types == [
        EventType.FEE_COMPUTED,
        EventType.FEE_ADJUSTMENT_REQUESTED,
        EventType.FEE_ADJUSTMENT_APPROVED,
    ]


def test_bad_requests_name_their_field(firm, issued):
    url = f"{fee_url(issued)}/adjustments"
    response = client_for(firm.finance).post(url, {"amount": "0", "reason": "x"}, format="json")
    assert response.status_code == 400 and "amount" in error_of(response)["fields"]
    response = client_for(firm.finance).post(url, {"amount": "5"}, format="json")
    assert response.status_code == 400 and "reason" in error_of(response)["fields"]
    response = client_for(firm.zhoujiu).post(url, {"amount": "5", "reason": "x"}, format="json")
    assert response.status_code == 403
    assert not FeeAdjustment.objects.exists()


def test_self_approval_is_refused_through_the_api(firm, issued):
    from django.contrib.auth.models import Permission

    firm.finance.position.permissions.add(Permission.objects.get(codename="decide_feeadjustment"))
    finance = type(firm.finance).objects.get(pk=firm.finance.pk)
    created = client_for(finance).post(
        f"{fee_url(issued)}/adjustments", {"amount": "5", "reason": "x"}, format="json"
    )
    decision = f"{fee_url(issued)}/adjustments/{created.json()['id']}/decision"
    response = client_for(finance).put(decision, {"decision": "approve"}, format="json")
    assert response.status_code == 403
    assert error_of(response)["code"] == "self_review"


def test_the_case_page_shows_the_fee_panel_by_permission(firm, issued):
    url = reverse("claims:case-detail", kwargs={"case_no": issued.case_no})
    html = page(firm.finance).get(url).content.decode()
    assert 'data-testid="fee-panel"' in html and "300.00" in html
    assert "8115.00 × 3% = 243.45，低于最低收费，按最低收费 300.00" in html
    assert "申请调整公估费" in html  # finance's panel
    assert 'data-testid="fee-panel"' not in page(firm.lisi).get(url).content.decode()


def test_adjust_and_decide_from_the_pages(firm, issued):
    adjust = reverse("billing:case-fee-adjust", kwargs={"case_no": issued.case_no})
    response = page(firm.finance).post(
        adjust, {"version": issued.version, "amount": "25.00", "reason": "夜间查勘加收"}
    )
    assert response.status_code == 302
    adjustment = FeeAdjustment.objects.get()
    detail = reverse("claims:case-detail", kwargs={"case_no": issued.case_no})
    html = page(firm.zhoujiu).get(detail).content.decode()
    assert 'data-testid="fee-pending"' in html and 'data-testid="fee-decide"' in html
    decide = reverse(
        "billing:case-fee-decide", kwargs={"case_no": issued.case_no, "pk": adjustment.pk}
    )
    response = page(firm.zhoujiu).post(decide, {"version": issued.version, "decision": "approve"})
    assert response.status_code == 302
    adjustment.refresh_from_db()
    assert adjustment.status == "approved"
    html = page(firm.zhoujiu).get(detail).content.decode()
    assert "325.00" in html and "批准公估费调整" in html  # the total and the timeline
    assert issued.fee.adjusted_total == Decimal("325.00")
