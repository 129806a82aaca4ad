"""Case monitoring: each stage's deadline from the case's own records, by the most specific
rule, in working time by the mainland calendar with its 调休 days and the administrator's
table; reminders and escalations sent once however often the job runs."""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from lossdesk.claims import registry
from lossdesk.claims import services as claims_services
from lossdesk.claims.models import Case
from lossdesk.intake.services.dispatch import do_dispatch_case
from lossdesk.notify.models import SmsMessage
from lossdesk.quality.choices import DeadlineStage, DeadlineStatus, NoticeKind
from lossdesk.quality.deadlines import evaluate_deadlines, refresh_case_deadlines
from lossdesk.quality.models import CalendarDay, CaseDeadline, DeadlineNotice, DeadlineRule

pytestmark = pytest.mark.django_db
BEIJING = ZoneInfo("Asia/Shanghai")


def deadlines(case) -> dict[str, CaseDeadline]:
    refresh_case_deadlines(case.pk)
    return {d.stage: d for d in CaseDeadline.objects.filter(case=case)}


def test_a_case_not_dispatched_in_ten_minutes_is_overdue(firm):
    now = timezone.now()
    case = firm.registered_case(reported_at=now - timedelta(minutes=25))

    (dispatch,) = deadlines(case).values()

    assert dispatch.stage == DeadlineStage.DISPATCH and dispatch.allowed == "10 分钟"
    assert dispatch.due_at == case.report.reported_at + timedelta(minutes=10)
    assert dispatch.status_at(now) == DeadlineStatus.OVERDUE
    assert dispatch.person is None and dispatch.met_at is None


def test_each_stage_is_met_by_the_record_that_ends_it(firm):
    case = firm.in_review_case(reported_at=timezone.now() - timedelta(minutes=30))

    stages = deadlines(case)

    assert set(stages) == {"dispatch", "arrival", "survey", "assessment", "review"}
    dispatch, arrival = case.dispatches.get(), stages["arrival"]
    assert stages["dispatch"].met_at == dispatch.dispatched_at
    assert stages["dispatch"].status_at(timezone.now()) == DeadlineStatus.MET_LATE
    assert (arrival.started_at, arrival.met_at) == (dispatch.dispatched_at, dispatch.arrived_at)
    assert arrival.status_at(timezone.now()) == DeadlineStatus.MET
    assert stages["survey"].person == firm.zhangsan
    assert stages["review"].met_at is None and stages["review"].allowed == "1 个工作日"

    claims_services.do_review_case(case, decision="approved", actor=firm.lisi)
    stages = deadlines(case)
    assert stages["review"].met_at is not None
    assert stages["report"].started_at == stages["review"].met_at


def test_a_cancelled_case_leaves_the_board(firm):
    case = firm.registered_case(reported_at=timezone.now() - timedelta(hours=1))
    assert deadlines(case)
    claims_services.do_cancel_case(case, reason="duplicate", note="重复报案", actor=firm.zhaoliu)
    assert deadlines(case) == {}


def test_three_working_days_from_the_eve_of_national_day_end_on_the_make_up_saturday(firm):
    # 2026: 1–7 October off, Saturday 10 October worked (调休), by chinese-calendar.
    with time_machine.travel(datetime(2026, 9, 30, 10, 0, tzinfo=BEIJING), tick=False):
        case = firm.assessing_case(
            accident_time=timezone.now() - timedelta(hours=2),
            reported_at=timezone.now() - timedelta(hours=1),
        )
    assessment = deadlines(case)["assessment"]
    assert assessment.allowed == "3 个工作日"
    assert timezone.localtime(assessment.due_at) == datetime(2026, 10, 10, 10, 0, tzinfo=BEIJING)


def test_the_administrators_table_overrides_the_published_calendar(firm):
    CalendarDay.objects.create(day=datetime(2026, 10, 10).date(), working=False, name="测试")
    with time_machine.travel(datetime(2026, 9, 30, 10, 0, tzinfo=BEIJING), tick=False):
        case = firm.assessing_case(
            accident_time=timezone.now() - timedelta(hours=2),
            reported_at=timezone.now() - timedelta(hours=1),
        )
    due = deadlines(case)["assessment"].due_at
    assert timezone.localtime(due) == datetime(2026, 10, 12, 10, 0, tzinfo=BEIJING)  # Monday


def test_the_most_specific_rule_applies(firm):
    DeadlineRule.objects.create(stage="dispatch", client=firm.client, amount=20, unit="minutes")
    DeadlineRule.objects.create(stage="dispatch", branch=firm.hangzhou, amount=15, unit="minutes")
    case = firm.registered_case(reported_at=timezone.now() - timedelta(minutes=5))
    assert deadlines(case)["dispatch"].allowed == "20 分钟"  # the client's wins


def test_a_document_request_is_due_at_the_end_of_its_due_date(firm):
    case = firm.assessing_case()
    due_date = timezone.localdate() + timedelta(days=2)
    request = claims_services.do_request_documents(
        case, items="驾驶证、行驶证", due_date=due_date, actor=firm.zhangsan
    )
    documents = deadlines(case)["documents"]
    assert documents.document_request_id == request.pk and documents.person == firm.zhangsan
    assert timezone.localtime(documents.due_at) == datetime.combine(
        due_date + timedelta(days=1), datetime.min.time(), tzinfo=BEIJING
    )


def test_saving_a_case_record_refreshes_its_deadlines_after_the_commit(
    firm, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        case = firm.registered_case(reported_at=timezone.now() - timedelta(minutes=30))
        do_dispatch_case(case, surveyor=firm.zhangsan, actor=firm.zhaoliu)
    refreshes = [c for c in callbacks if getattr(c, "func", None) is refresh_case_deadlines]
    assert len(refreshes) == 1  # once per case and transaction
    stages = {d.stage: d for d in CaseDeadline.objects.filter(case=case)}
    assert set(stages) == {"dispatch", "arrival"} and stages["dispatch"].met_at is not None


def test_a_bad_rule_is_refused_naming_the_field(firm):
    with pytest.raises(ValidationError) as error:
        DeadlineRule(stage="review", amount=61, unit="working_days", line="boat").full_clean()
    assert error.value.message_dict["amount"] == ["时限须在 1 到 60 工作日之间。"]
    assert "没有险种线 boat" in error.value.message_dict["line"][0]
    with pytest.raises(ValidationError) as error:
        DeadlineRule(stage="dispatch", amount=10, unit="minutes").full_clean()  # the seeded one
    assert "已有时限设置" in error.value.message_dict["stage"][0]


def test_the_job_reminds_then_escalates_once_each(firm, django_capture_on_commit_callbacks):
    firm.zhoujiu.mobile = "13900009999"
    firm.zhoujiu.save()
    now = timezone.now()
    case = firm.registered_case(reported_at=now - timedelta(minutes=9))
    dispatch = deadlines(case)["dispatch"]

    sent = evaluate_deadlines(now)  # 1 minute left: remind who may dispatch in 杭州
    assert (sent.reminders, sent.escalations) == (1, 0)
    reminders = DeadlineNotice.objects.filter(kind=NoticeKind.REMINDER)
    assert {n.recipient for n in reminders} == {firm.zhaoliu, firm.zhoujiu}
    assert case.case_no in reminders[0].message and "10 分钟" in reminders[0].message
    assert evaluate_deadlines(now).reminders == 0

    later = now + timedelta(minutes=2)
    assert evaluate_deadlines(later).escalations == 1
    assert evaluate_deadlines(later).escalations == 0
    escalation = DeadlineNotice.objects.get(kind=NoticeKind.ESCALATION)
    assert escalation.recipient == firm.zhoujiu and "已于" in escalation.message
    sms = SmsMessage.objects.get(template__code="deadline_escalation")
    assert sms.phone == "13900009999" and case.case_no in sms.body
    dispatch.refresh_from_db()
    assert dispatch.escalated_at == later


def test_the_scheduled_command_runs_both_jobs(firm):
    now = timezone.now()
    case = firm.registered_case(
        accident_time=now - timedelta(hours=3), reported_at=now - timedelta(hours=2)
    )
    out = StringIO()
    call_command("evaluate_deadlines", "--refresh", stdout=out)
    assert "提醒 0 条，升级 1 条" in out.getvalue()
    assert CaseDeadline.objects.get(case=case).escalated_at is not None
    out = StringIO()
    call_command("evaluate_deadlines", stdout=out)
    assert "提醒 0 条，升级 0 条" in out.getvalue()


def test_the_registry_gives_each_person_the_open_deadlines_of_their_own_work(firm):
    """What the phone's inbox shows (claims.registry.deadlines_for): the surveyor's open
    stages, nearest first, overdue once due; nobody else's, nothing met."""
    surveying = firm.surveying_case(reported_at=timezone.now() - timedelta(minutes=30))
    in_review = firm.in_review_case()
    survey = deadlines(surveying)["survey"]
    assert deadlines(in_review)["review"].person is None  # the reviewers', no one's own
    cases = Case.objects.all()

    mine = registry.deadlines_for(cases, firm.zhangsan, now=survey.started_at)
    assert mine == {surveying.pk: [registry.Deadline("完成查勘", survey.due_at, False)]}
    later = registry.deadlines_for(cases, firm.zhangsan, now=survey.due_at + timedelta(minutes=1))
    assert later[surveying.pk][0].overdue
    assert registry.deadlines_for(cases, firm.lisi) == {}
