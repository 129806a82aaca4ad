"""Intake's forms keep what the user typed when the post is refused (decision 0007, fifth
amendment): the dispatch with its note, the decline with its reason, the delegation request
with its note and a delegation's answer with its reason. A stale version: 409, the input
and what happened shown, the current version carried so a deliberate second send records
once; a state refusal: 409, the input shown. Nothing is recorded by a refused post."""

import pytest
from django.urls import reverse

from lossdesk import testing
from lossdesk.claims.choices import CaseStatus
from lossdesk.intake.choices import DelegationStatus, DispatchStatus
from lossdesk.intake.services.delegation import (
    do_accept_delegation,
    do_cancel_delegation,
    do_request_delegation,
)
from lossdesk.intake.services.dispatch import do_dispatch_case
from lossdesk.intake.tests.conftest import fresh
from lossdesk.testing import hidden_inputs, refused_with_input, resend

pytestmark = pytest.mark.django_db

CHANGED = "您填写期间案件已被他人修改"
KEPT = "您填写的内容已保留在下方，尚未保存。"
DISPATCH_NOTE = "客户在西湖区文三路等候，车辆无法移动，请带拖车联系方式"
DECLINE_REASON = "本人车辆在萧山抛锚，两小时内无法到达现场"
DELEGATION_NOTE = "车辆已拖至南京江宁区4S店，请南京就近查勘定损"
REFUSAL_REASON = "南京本周查勘员全部在外，无法按时效接收"


def url(name: str, case, *args) -> str:
    return reverse(name, args=[case.case_no, *args])


def changed_meanwhile(firm, case) -> int:
    """The version the user's page carried, then a colleague moves the case on: a photo, or,
    for a case waiting for dispatch (which takes none), a delegation asked and taken back."""
    if fresh(case).status != CaseStatus.REGISTERED:
        return testing.changed_meanwhile(firm, case)
    seen = fresh(case).version
    asked = do_request_delegation(case, to_branch=firm.nanjing, actor=firm.zhaoliu)
    do_cancel_delegation(asked, reason="客户要求本地处理", actor=firm.zhaoliu)
    assert fresh(case).version != seen
    return seen


@pytest.fixture
def nanjing(firm):
    return firm.staff("zhengsan", "郑三", "dispatcher", firm.nanjing)


def test_a_dispatch_sent_after_the_case_changed_keeps_the_note_and_dispatches_once(client, firm):
    case = firm.registered_case()
    client.force_login(firm.zhaoliu)
    seen = changed_meanwhile(firm, case)
    typed = {"surveyor": firm.zhangsan.pk, "note": DISPATCH_NOTE, "override_reason": ""}
    path = url("intake:case-dispatch", case)

    html = refused_with_input(
        client.post(path, {**typed, "version": seen}), 409, CHANGED, KEPT, DISPATCH_NOTE
    )

    assert not case.dispatches.exists()
    assert hidden_inputs(html)["version"] == str(fresh(case).version)
    assert resend(client, path, html, typed).status_code == 302
    assert list(case.dispatches.values_list("note", flat=True)) == [DISPATCH_NOTE]


def test_a_dispatch_of_a_case_dispatched_meanwhile_keeps_the_note(client, firm):
    case = firm.registered_case()
    client.force_login(firm.zhaoliu)
    seen = case.version
    do_dispatch_case(case, surveyor=firm.zhangsan, actor=firm.zhaoliu)

    response = client.post(
        url("intake:case-dispatch", case),
        {"surveyor": firm.zhangsan.pk, "note": DISPATCH_NOTE, "version": seen},
    )

    refused_with_input(response, 409, "未保存：", KEPT, DISPATCH_NOTE)
    assert case.dispatches.count() == 1


def test_a_decline_sent_after_the_case_changed_keeps_the_reason_and_declines_once(client, firm):
    case = firm.registered_case()
    do_dispatch_case(case, surveyor=firm.zhangsan, actor=firm.zhaoliu)
    client.force_login(firm.zhangsan)
    seen = changed_meanwhile(firm, case)
    typed = {"reason": DECLINE_REASON}
    path = url("intake:case-decline", case)

    html = refused_with_input(
        client.post(path, {**typed, "version": seen}), 409, CHANGED, KEPT, DECLINE_REASON
    )

    assert fresh(case).status == CaseStatus.DISPATCHED
    response = resend(client, path, html, typed)
    assert response.status_code == 302 and response["Location"] == reverse("claims:case-list")
    dispatch = case.dispatches.get()
    assert (dispatch.status, dispatch.decline_reason) == (DispatchStatus.DECLINED, DECLINE_REASON)


def test_a_delegation_request_sent_after_the_case_changed_keeps_the_note(client, firm):
    case = firm.registered_case()
    client.force_login(firm.zhaoliu)
    seen = changed_meanwhile(firm, case)
    typed = {"to_branch": firm.nanjing.pk, "note": DELEGATION_NOTE}
    path = url("intake:case-delegate", case)

    html = refused_with_input(
        client.post(path, {**typed, "version": seen}), 409, CHANGED, KEPT, DELEGATION_NOTE
    )

    assert not case.delegations.filter(note=DELEGATION_NOTE).exists()
    assert resend(client, path, html, typed).status_code == 302
    assert case.delegations.filter(note=DELEGATION_NOTE).count() == 1


def test_a_refusal_of_a_delegation_accepted_meanwhile_keeps_the_reason(client, firm, nanjing):
    case = firm.registered_case()
    delegation = do_request_delegation(case, to_branch=firm.nanjing, actor=firm.zhaoliu)
    colleague = firm.staff("zhousi", "周四", "dispatcher", firm.nanjing)
    do_accept_delegation(delegation, note="", actor=colleague)
    client.force_login(nanjing)

    response = client.post(
        url("intake:case-delegation-refuse", case, delegation.pk), {"reason": REFUSAL_REASON}
    )

    refused_with_input(response, 409, "未保存：", KEPT, REFUSAL_REASON)
    delegation.refresh_from_db()
    assert delegation.status == DelegationStatus.ACCEPTED
