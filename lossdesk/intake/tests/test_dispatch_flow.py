"""Accept, decline, time-out and re-dispatch: the case goes back to the dispatcher's queue
with an alert; dispatch, acceptance and arrival times are kept (dispatch-to-arrival KPI);
the dispatch SMS go out only with a committed dispatch."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from lossdesk.claims.choices import CaseStatus, EventType
from lossdesk.core.errors import IllegalTransition, NotFound, PermissionDenied, ServiceError
from lossdesk.intake.choices import DispatchAlertKind, DispatchStatus
from lossdesk.intake.models import Dispatch, DispatchAlert
from lossdesk.intake.queries import dispatch_arrival_minutes
from lossdesk.intake.services.dispatch import (
    do_accept_dispatch,
    do_decline_dispatch,
    do_dispatch_case,
    do_record_arrival,
    sweep_dispatch_timeouts,
)
from lossdesk.intake.tests.conftest import fresh, sms_to

pytestmark = pytest.mark.django_db


def dispatched_case(firm, **overrides):
    case = firm.registered_case(**overrides)
    do_dispatch_case(case, surveyor=firm.zhangsan, actor=firm.zhaoliu)
    return fresh(case)


# --- decline ---------------------------------------------------------------------------


def test_a_declined_dispatch_sends_the_case_back_to_the_queue_with_the_reason(firm):
    case = dispatched_case(firm)
    do_decline_dispatch(case, reason="车辆故障，无法出车", actor=firm.zhangsan)
    case = fresh(case)
    assert (case.status, case.surveyor) == (CaseStatus.REGISTERED, None)
    dispatch = Dispatch.objects.get(case=case)
    assert dispatch.status == DispatchStatus.DECLINED
    assert dispatch.decline_reason == "车辆故障，无法出车" and dispatch.declined_at
    alert = DispatchAlert.objects.get(case=case)
    assert alert.kind == DispatchAlertKind.DECLINED and alert.resolved_at is None
    event = case.events.get(type=EventType.DISPATCH_DECLINED)
    assert event.actor == firm.zhangsan and "车辆故障" in event.message


def test_declining_needs_a_reason_and_saves_nothing_without_one(firm):
    case = dispatched_case(firm)
    with pytest.raises(ServiceError) as exc:
        do_decline_dispatch(case, reason="  ", actor=firm.zhangsan)
    assert "reason" in exc.value.fields
    assert fresh(case).status == CaseStatus.DISPATCHED
    assert not DispatchAlert.objects.exists()


def test_only_the_dispatched_surveyor_may_decline_and_only_before_accepting(firm, liuyi):
    case = dispatched_case(firm)
    with pytest.raises(NotFound):  # another surveyor does not even see the case
        do_decline_dispatch(case, reason="不是我的", actor=liuyi)
    with pytest.raises(PermissionDenied):  # the dispatcher cannot decline for the surveyor
        do_decline_dispatch(case, reason="代拒", actor=firm.zhaoliu)
    do_accept_dispatch(case, actor=firm.zhangsan)
    with pytest.raises(IllegalTransition) as exc:
        do_decline_dispatch(fresh(case), reason="太远", actor=firm.zhangsan)
    assert exc.value.extra["current_state"] == CaseStatus.SURVEYING


def test_redispatching_resolves_the_alert(firm, liuyi):
    case = dispatched_case(firm)
    do_decline_dispatch(case, reason="车辆故障", actor=firm.zhangsan)
    do_dispatch_case(fresh(case), surveyor=liuyi, actor=firm.zhaoliu)
    assert DispatchAlert.objects.get().resolved_at is not None
    assert fresh(case).status == CaseStatus.DISPATCHED


def test_the_surveyor_declines_on_the_case_page_and_lands_on_the_case_list(client, firm):
    case = dispatched_case(firm)
    client.force_login(firm.zhangsan)
    page = client.get(reverse("claims:case-detail", args=[case.case_no])).content.decode()
    assert 'data-testid="action-case-decline"' in page
    url = reverse("intake:case-decline", args=[case.case_no])
    empty = client.post(url, {"version": case.version, "reason": ""})
    assert empty.status_code == 400
    response = client.post(url, {"version": case.version, "reason": "正在处理其他案件"})
    assert response.status_code == 302 and response["Location"] == reverse("claims:case-list")
    assert fresh(case).status == CaseStatus.REGISTERED


def test_the_dispatcher_sees_the_alert_on_the_case_and_a_badge_in_the_list(client, firm):
    case = dispatched_case(firm)
    do_decline_dispatch(case, reason="车辆故障", actor=firm.zhangsan)
    client.force_login(firm.zhaoliu)
    page = client.get(reverse("claims:case-detail", args=[case.case_no])).content.decode()
    assert 'data-testid="dispatch-alert"' in page and "查勘员拒单" in page
    listing = client.get(reverse("claims:case-list")).content.decode()
    assert 'data-testid="alert-badge"' in listing


# --- time-out --------------------------------------------------------------------------


def test_a_dispatch_not_accepted_within_the_branch_deadline_times_out(firm):
    firm.hangzhou.accept_deadline_minutes = 15
    firm.hangzhou.save()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        case = dispatched_case(firm)
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert sweep_dispatch_timeouts() == 0
    assert fresh(case).status == CaseStatus.DISPATCHED
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert sweep_dispatch_timeouts() == 1
    case = fresh(case)
    assert (case.status, case.surveyor) == (CaseStatus.REGISTERED, None)
    dispatch = Dispatch.objects.get(case=case)
    assert dispatch.status == DispatchStatus.TIMED_OUT
    assert dispatch.timed_out_at == start + timedelta(minutes=16)
    alert = DispatchAlert.objects.get(case=case)
    assert alert.kind == DispatchAlertKind.TIMED_OUT
    event = case.events.get(type=EventType.DISPATCH_TIMED_OUT)
    assert event.actor is None and "15 分钟未接单" in event.message


def test_an_accepted_dispatch_never_times_out_and_a_second_sweep_finds_nothing(firm):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        accepted = dispatched_case(firm)
        do_accept_dispatch(accepted, actor=firm.zhangsan)
        pending = dispatched_case(firm, client_claim_no="PICC-PENDING")
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        assert sweep_dispatch_timeouts() == 1
        assert sweep_dispatch_timeouts() == 0
    assert fresh(accepted).status == CaseStatus.SURVEYING
    assert fresh(pending).status == CaseStatus.REGISTERED


def test_each_branch_keeps_its_own_deadline(firm):
    firm.ningbo.accept_deadline_minutes = 60
    firm.ningbo.save()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        hangzhou = dispatched_case(firm)  # default 10 minutes
        ningbo = firm.registered_case(client_claim_no="PICC-NB")
        ningbo.branch = firm.ningbo
        ningbo.save()
        do_dispatch_case(fresh(ningbo), surveyor=firm.wangwu, actor=firm.wushi)
    with time_machine.travel(start + timedelta(minutes=30), tick=False):
        assert sweep_dispatch_timeouts() == 1
    assert fresh(hangzhou).status == CaseStatus.REGISTERED
    assert fresh(ningbo).status == CaseStatus.DISPATCHED


def test_the_sweep_runs_as_a_management_command_and_as_a_task(firm, capsys):
    from lossdesk.intake.tasks import sweep_dispatch_timeouts

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        dispatched_case(firm)
        dispatched_case(firm, client_claim_no="PICC-2")
    with time_machine.travel(start + timedelta(minutes=11), tick=False):
        call_command("sweep_dispatch_timeouts")
        assert "timed out 2 dispatch(es)" in capsys.readouterr().out
        result = sweep_dispatch_timeouts.enqueue()
    assert result.return_value == 0


# --- times, KPI, SMS ---------------------------------------------------------------------


def test_dispatch_accept_and_arrival_times_give_the_dispatch_to_arrival_minutes(firm):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        case = dispatched_case(firm)
    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        do_accept_dispatch(case, actor=firm.zhangsan)
    with time_machine.travel(start + timedelta(minutes=17, seconds=30), tick=False):
        do_record_arrival(fresh(case), actor=firm.zhangsan)
    dispatch = Dispatch.objects.get(case=case)
    assert dispatch.accepted_at - dispatch.dispatched_at == timedelta(minutes=3)
    assert dispatch.dispatch_to_arrival_minutes == 17
    kpi = dispatch_arrival_minutes()
    assert kpi["arrived"] == 1 and kpi["average_minutes"] == 17 and kpi["within_10"] == 0


def test_a_dispatch_texts_the_surveyor_and_the_customer(firm, mobile_zhangsan):
    case = dispatched_case(firm, accident_place="杭州市西湖区文三路100号")
    [to_surveyor] = sms_to(case, "dispatch_to_surveyor")
    assert to_surveyor.phone == "13900000001"
    assert case.case_no in to_surveyor.body and "文三路100号" in to_surveyor.body
    [to_customer] = sms_to(case, "dispatch_to_customer")
    assert to_customer.phone == case.report.reporter_phone
    assert "张三" in to_customer.body and "13900000001" in to_customer.body


def test_a_rolled_back_dispatch_texts_nobody(firm, mobile_zhangsan):
    from lossdesk.notify.models import SmsMessage

    case = firm.registered_case()
    with pytest.raises(RuntimeError), transaction.atomic():
        do_dispatch_case(case, surveyor=firm.zhangsan, actor=firm.zhaoliu)
        raise RuntimeError("the caller's transaction fails after the dispatch")
    assert not SmsMessage.objects.exists()
    assert fresh(case).status == CaseStatus.REGISTERED


# --- the dispatch panel ----------------------------------------------------------------


def test_the_dispatch_panel_ranks_candidates_with_their_reasons(client, firm, liuyi):
    from lossdesk.intake.tests.conftest import shift

    shift(liuyi)
    case = firm.registered_case()
    client.force_login(firm.zhaoliu)
    page = client.get(reverse("claims:case-detail", args=[case.case_no])).content.decode()
    assert 'data-testid="dispatch-recommendation"' in page
    assert page.index("刘一") < page.index("张三（")  # ranked first, then the others
    assert "值班区域与出险地点一致" in page and "不在班（今日未排班）" in page
    assert f'<option value="{liuyi.pk}" selected>刘一（' in page


def test_overriding_on_the_page_without_a_reason_shows_the_field_error(client, firm, liuyi):
    from lossdesk.intake.tests.conftest import shift

    shift(liuyi)
    case = firm.registered_case()
    client.force_login(firm.zhaoliu)
    url = reverse("intake:case-dispatch", args=[case.case_no])
    response = client.post(url, {"version": case.version, "surveyor": firm.zhangsan.pk})
    assert response.status_code == 400
    assert "未选择推荐排名第一的查勘员" in response.content.decode()
    response = client.post(
        url,
        {"version": case.version, "surveyor": firm.zhangsan.pk, "override_reason": "熟悉该车型"},
    )
    assert response.status_code == 302
    assert Dispatch.objects.get(case=case).override_reason == "熟悉该车型"
