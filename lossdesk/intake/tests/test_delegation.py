"""Delegation to a branch in another region (委托异地): both branches see the case while it
is requested or accepted, nobody else does (pages and API); accept, refuse, cancel, return;
the fee share is fixed from the firm's setting."""

from decimal import Decimal

import pytest
from django.urls import reverse

from lossdesk.claims import services as claims_services
from lossdesk.claims.choices import CaseStatus, EventType
from lossdesk.claims.models import Case
from lossdesk.core.errors import Conflict, IllegalTransition, PermissionDenied, ServiceError
from lossdesk.intake.choices import DelegationStatus, DispatchStatus
from lossdesk.intake.services.delegation import (
    do_accept_delegation,
    do_cancel_delegation,
    do_refuse_delegation,
    do_request_delegation,
    do_return_delegation,
)
from lossdesk.intake.services.dispatch import dispatchable_surveyors, do_dispatch_case
from lossdesk.intake.tests.conftest import fresh
from lossdesk.testing import API, client_for, error_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def nanjing(firm):
    """南京: 陈二 surveyor and 郑三 dispatcher, the receiving branch."""
    return {
        "surveyor": firm.staff("chener", "陈二", "surveyor", firm.nanjing),
        "dispatcher": firm.staff("zhengsan", "郑三", "dispatcher", firm.nanjing),
    }


def delegate(firm, case, **kwargs):
    return do_request_delegation(case, to_branch=firm.nanjing, actor=firm.zhaoliu, **kwargs)


def visible(user, case) -> bool:
    return Case.objects.for_user(user).filter(pk=case.pk).exists()


def test_a_requested_delegation_is_seen_by_both_branches_and_nobody_else(firm, nanjing):
    case = firm.registered_case()
    assert not visible(nanjing["dispatcher"], case)
    delegation = delegate(firm, case)
    assert delegation.status == DelegationStatus.REQUESTED
    assert visible(firm.zhaoliu, case) and visible(firm.zhoujiu, case)  # delegating branch
    assert visible(nanjing["dispatcher"], case)  # receiving branch
    assert not visible(firm.wushi, case)  # 宁波: a third branch
    assert not visible(nanjing["surveyor"], case)  # own scope: not dispatched to them


def test_a_third_branch_gets_404_on_the_page_and_the_api(client, firm, nanjing):
    case = firm.registered_case()
    delegate(firm, case)
    client.force_login(firm.wushi)
    assert client.get(reverse("claims:case-detail", args=[case.case_no])).status_code == 404
    assert client_for(firm.wushi).get(f"{API}/cases/{case.case_no}").status_code == 404
    listing = client_for(firm.wushi).get(f"{API}/cases").json()
    assert listing["count"] == 0
    client.force_login(nanjing["dispatcher"])
    assert client.get(reverse("claims:case-detail", args=[case.case_no])).status_code == 200
    assert client_for(nanjing["dispatcher"]).get(f"{API}/cases/{case.case_no}").status_code == 200


def test_the_receiving_branch_accepts_and_dispatches_its_own_surveyor(firm, nanjing):
    case = firm.registered_case()
    delegation = do_accept_delegation(delegate(firm, case), actor=nanjing["dispatcher"])
    assert delegation.status == DelegationStatus.ACCEPTED and delegation.decided_at
    assert [s.username for s in dispatchable_surveyors(fresh(case))] == ["chener"]
    do_dispatch_case(fresh(case), surveyor=nanjing["surveyor"], actor=nanjing["dispatcher"])
    assert visible(nanjing["surveyor"], case)
    assert visible(firm.zhaoliu, case)  # still the delegating branch's case
    with pytest.raises(ServiceError):  # 张三 is no longer of the working branch
        do_dispatch_case(fresh(case), surveyor=firm.zhangsan, actor=firm.zhaoliu)
    types = list(fresh(case).events.values_list("type", flat=True))
    assert EventType.DELEGATION_REQUESTED in types and EventType.DELEGATION_ACCEPTED in types


def test_a_refused_delegation_hides_the_case_from_the_receiving_branch_again(firm, nanjing):
    case = firm.registered_case()
    delegation = delegate(firm, case)
    with pytest.raises(ServiceError) as exc:
        do_refuse_delegation(delegation, reason="", actor=nanjing["dispatcher"])
    assert "reason" in exc.value.fields
    do_refuse_delegation(delegation, reason="人手不足", actor=nanjing["dispatcher"])
    assert not visible(nanjing["dispatcher"], case)
    assert fresh(case).events.get(type=EventType.DELEGATION_REFUSED).data["reason"] == "人手不足"


def test_cancel_and_return_end_the_delegation_and_take_back_a_pending_dispatch(firm, nanjing):
    case = firm.registered_case()
    delegation = do_accept_delegation(delegate(firm, case), actor=nanjing["dispatcher"])
    do_dispatch_case(fresh(case), surveyor=nanjing["surveyor"], actor=nanjing["dispatcher"])
    do_return_delegation(delegation, reason="客户已回杭州", actor=nanjing["dispatcher"])
    case = fresh(case)
    assert case.status == CaseStatus.REGISTERED and case.surveyor is None
    assert case.dispatches.get().status == DispatchStatus.CANCELLED
    assert not visible(nanjing["dispatcher"], case)
    # A new delegation can follow; the delegating branch may cancel it.
    second = delegate(firm, case)
    do_cancel_delegation(second, reason="委托方要求本地处理", actor=firm.zhaoliu)
    second.refresh_from_db()
    assert second.status == DelegationStatus.CANCELLED
    assert not visible(nanjing["dispatcher"], case)


def test_each_side_may_only_do_its_own_part(firm, nanjing):
    case = firm.registered_case()
    delegation = delegate(firm, case)
    with pytest.raises(PermissionDenied):
        do_accept_delegation(delegation, actor=firm.zhaoliu)
    with pytest.raises(PermissionDenied):
        do_cancel_delegation(delegation, reason="x", actor=nanjing["dispatcher"])
    with pytest.raises(IllegalTransition):
        do_return_delegation(delegation, reason="x", actor=nanjing["dispatcher"])
    with pytest.raises(PermissionDenied):  # the receiving branch cannot delegate further
        do_request_delegation(case, to_branch=firm.ningbo, actor=nanjing["dispatcher"])


def test_a_delegation_goes_to_another_region_once_at_a_time(firm, nanjing):
    case = firm.registered_case()
    with pytest.raises(ServiceError) as exc:
        do_request_delegation(case, to_branch=firm.hangzhou, actor=firm.zhaoliu)
    assert "to_branch" in exc.value.fields
    firm.nanjing.region = firm.hangzhou.dispatch_region
    firm.nanjing.save()
    with pytest.raises(ServiceError) as exc:
        delegate(firm, case)
    assert "同一区域" in exc.value.fields["to_branch"][0]
    firm.nanjing.region = ""
    firm.nanjing.save()
    delegate(firm, case)
    with pytest.raises(Conflict):
        delegate(firm, fresh(case))


def test_the_fee_share_comes_from_the_firm_setting(firm, nanjing, settings):
    settings.LOSSDESK_DELEGATION_FEE_SHARE = Decimal("0.40")
    case = firm.registered_case()
    delegation = delegate(firm, case)
    assert delegation.fee_share == Decimal("0.40")
    assert (
        "受托机构分成 0.40" in fresh(case).events.get(type=EventType.DELEGATION_REQUESTED).message
    )


def test_one_loss_item_can_be_named_in_the_delegation(firm, nanjing):
    case = firm.registered_case()
    item = case.loss_items.get(seq=2)
    delegation = delegate(firm, case, loss_item=item)
    assert delegation.loss_item == item
    other = firm.registered_case(client_claim_no="PICC-OTHER")
    with pytest.raises(ServiceError):
        do_request_delegation(other, to_branch=firm.nanjing, loss_item=item, actor=firm.zhaoliu)


def test_delegation_pages_work_end_to_end(client, firm, nanjing):
    case = firm.registered_case()
    client.force_login(firm.zhaoliu)
    page = client.get(reverse("claims:case-detail", args=[case.case_no])).content.decode()
    assert 'data-testid="action-case-delegate"' in page
    response = client.post(
        reverse("intake:case-delegate", args=[case.case_no]),
        {"version": case.version, "to_branch": firm.nanjing.pk, "note": "车辆在南京维修"},
    )
    assert response.status_code == 302
    delegation = case.delegations.get()
    client.force_login(nanjing["dispatcher"])
    page = client.get(reverse("claims:case-detail", args=[case.case_no])).content.decode()
    assert 'data-testid="delegation-accept"' in page
    refuse = reverse("intake:case-delegation-refuse", args=[case.case_no, delegation.pk])
    response = client.post(refuse, {"reason": "人手不足"})
    assert response.status_code == 302 and response["Location"] == reverse("claims:case-list")
    delegation.refresh_from_db()
    assert delegation.status == DelegationStatus.REFUSED


@pytest.mark.parametrize("verb", ["return", "cancel"])
def test_returning_or_cancelling_an_accepted_delegation_on_its_page(client, firm, nanjing, verb):
    case = firm.registered_case()
    delegation = delegate(firm, case)
    do_accept_delegation(delegation, note="", actor=nanjing["dispatcher"])
    # The receiving branch returns it, the delegating branch cancels it.
    client.force_login(nanjing["dispatcher"] if verb == "return" else firm.zhaoliu)
    url = reverse(f"intake:case-delegation-{verb}", args=[case.case_no, delegation.pk])
    response = client.post(url, {"reason": "客户要求回杭州定损"})
    assert response.status_code == 302
    delegation.refresh_from_db()
    expected = DelegationStatus.RETURNED if verb == "return" else DelegationStatus.CANCELLED
    assert delegation.status == expected


def test_delegations_over_the_api(firm, nanjing):
    case = firm.registered_case()
    dispatcher = client_for(firm.zhaoliu)
    same = dispatcher.post(
        f"{API}/cases/{case.case_no}/delegations", {"to_branch": firm.hangzhou.pk}
    )
    assert same.status_code == 400 and "to_branch" in error_of(same)["fields"]
    created = dispatcher.post(
        f"{API}/cases/{case.case_no}/delegations", {"to_branch": firm.nanjing.pk, "loss_item": 1}
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["status"], body["to_branch_name"], body["loss_item"]) == (
        "requested",
        "南京分公司",
        1,
    )
    receiving = client_for(nanjing["dispatcher"])
    url = f"{API}/cases/{case.case_no}/delegations/{body['id']}"
    assert receiving.post(f"{url}/accept", {}).json()["status"] == "accepted"
    assert client_for(firm.wushi).post(f"{url}/cancel", {"reason": "x"}).status_code == 404
    assert dispatcher.post(f"{url}/bogus", {}).status_code == 404
    assert receiving.get(f"{API}/cases/{case.case_no}/delegations").json()["count"] == 1


@pytest.mark.parametrize("accepted", [False, True], ids=["requested", "accepted"])
def test_only_the_cases_own_branch_cancels_a_delegated_case(client, firm, nanjing, accepted):
    """The receiving branch works its delegated part but does not end the client's case:
    no cancel button, the page and the API refuse with 403, the service too."""
    case = firm.registered_case()
    delegation = delegate(firm, case)
    if accepted:
        do_accept_delegation(delegation, actor=nanjing["dispatcher"])
    receiving = nanjing["dispatcher"]
    client.force_login(receiving)
    detail = reverse("claims:case-detail", args=[case.case_no])
    assert 'data-testid="action-case-cancel"' not in client.get(detail).content.decode()
    response = client.post(
        reverse("claims:case-cancel", args=[case.case_no]),
        {"version": fresh(case).version, "reason": "duplicate", "note": ""},
    )
    # The cancel page again with the refusal, what was chosen kept (decision 0007, fifth amendment).
    assert response.status_code == 403
    assert response.context["form"]["reason"].value() == "duplicate"
    assert "受托机构不能注销委托来的案件" in " ".join(response.context["form"].non_field_errors())
    api = client_for(receiving)
    assert "cancel" not in api.get(f"{API}/cases/{case.case_no}").json()["available_actions"]
    refused = api.post(f"{API}/cases/{case.case_no}/cancel", {"reason": "duplicate"})
    assert refused.status_code == 403
    assert error_of(refused)["code"] == "permission_denied"
    with pytest.raises(PermissionDenied):
        claims_services.do_cancel_case(fresh(case), reason="duplicate", actor=receiving)
    assert fresh(case).status == CaseStatus.REGISTERED
    # The case's own branch still may.
    client.force_login(firm.zhaoliu)
    assert 'data-testid="action-case-cancel"' in client.get(detail).content.decode()
    claims_services.do_cancel_case(fresh(case), reason="duplicate", actor=firm.zhaoliu)
    assert fresh(case).status == CaseStatus.CANCELLED
