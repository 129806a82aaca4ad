"""Re-surveys (复勘): a visit on site after the completed survey, recorded while the case is
assessed, reviewed or approved, by the positions that work the assessment; who went, when,
why. The case stays in its state; the version moves and the timeline says so."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from lossdesk.claims import services
from lossdesk.claims.choices import (
    CancelReason,
    CaseStatus,
    EventType,
    ResurveyReason,
    ReviewDecision,
)
from lossdesk.claims.error_codes import CaseErrorCode
from lossdesk.claims.models import Resurvey
from lossdesk.claims.workflow import Action, available_actions
from lossdesk.core.errors import (
    Conflict,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ServiceError,
)
from lossdesk.intake.services.delegation import do_accept_delegation, do_request_delegation
from lossdesk.intake.services.dispatch import (
    do_accept_dispatch,
    do_dispatch_case,
    do_record_arrival,
)
from lossdesk.testing import API, SURVEY, Firm, add_damage_photo, client_for, error_of

pytestmark = pytest.mark.django_db

HIDDEN = ResurveyReason.HIDDEN_DAMAGE


def a_day_ago():
    """Cases are built a day ago: a visit earlier today came after their survey."""
    return time_machine.travel(timezone.now() - timedelta(days=1))


def completed_at(case):
    return case.events.get(type=EventType.SURVEY_COMPLETED).created_at


def record(case, actor, **kwargs):
    kwargs.setdefault("arrived_at", timezone.now() - timedelta(minutes=5))
    kwargs.setdefault("reason", HIDDEN)
    return services.do_record_resurvey(case, actor=actor, **kwargs)


def test_the_surveyor_records_a_re_survey_and_the_case_stays_where_it_is(firm):
    with a_day_ago():
        case = firm.assessed_case()
    arrived = timezone.now() - timedelta(minutes=30)
    resurvey = record(case, firm.zhangsan, arrived_at=arrived, note="拆检后见水箱框架变形")
    assert (resurvey.surveyor, resurvey.recorded_by) == (firm.zhangsan, firm.zhangsan)
    assert (resurvey.arrived_at, resurvey.reason) == (arrived, HIDDEN)
    assert resurvey.note == "拆检后见水箱框架变形"
    before = case.version
    case.refresh_from_db()
    assert (case.status, case.version) == (CaseStatus.ASSESSING, before + 1)
    event = case.events.get(type=EventType.RESURVEY_RECORDED)
    local = timezone.localtime(arrived)
    assert event.message == f"记录复勘：张三 {local:%Y-%m-%d %H:%M} 到达现场"
    assert event.data == {
        "resurvey": resurvey.pk,
        "surveyor": firm.zhangsan.pk,
        "reason": "hidden_damage",
        "note": "拆检后见水箱框架变形",
    }
    assert event.actor == firm.zhangsan


def in_second_review(firm):
    firm.client.second_review_threshold = 1000
    firm.client.save()
    with a_day_ago():
        case = firm.in_review_case()
    services.do_review_case(case, decision=ReviewDecision.APPROVED, level=1, actor=firm.lisi)
    case.refresh_from_db()
    return case


@pytest.mark.parametrize(
    "build",
    [
        lambda firm: firm.assessing_case(),
        lambda firm: firm.in_review_case(),
        in_second_review,
        lambda firm: firm.approved_case(),
    ],
    ids=["assessing", "in_review", "in_second_review", "approved"],
)
def test_recorded_from_the_survey_completed_until_the_report(firm, build):
    with a_day_ago():
        case = build(firm)
    status = case.status
    record(case, firm.qianqi)  # the assessor
    case.refresh_from_db()
    assert case.status == status and case.resurveys.count() == 1


def paused_while_assessing(firm):
    with a_day_ago():
        case = firm.assessing_case()
    services.do_request_documents(case, items="驾驶证", actor=firm.lisi)
    case.refresh_from_db()
    return case


def cancelled(firm):
    with a_day_ago():
        case = firm.assessing_case()
    services.do_cancel_case(case, reason=CancelReason.CUSTOMER_WITHDREW, actor=firm.zhaoliu)
    case.refresh_from_db()
    return case


@pytest.mark.parametrize(
    "build",
    [
        lambda firm: firm.surveying_case(),  # the survey itself is still going on
        paused_while_assessing,
        lambda firm: firm.issued_case(),  # the fee is computed: it would not count
        lambda firm: firm.closed_case(),
        cancelled,
    ],
    ids=["surveying", "awaiting_documents", "report_issued", "closed", "cancelled"],
)
def test_refused_before_the_survey_is_completed_and_once_the_report_is_issued(firm, build):
    with a_day_ago():
        case = build(firm)
    with pytest.raises(IllegalTransition) as refused:
        record(case, firm.zhangsan)
    assert refused.value.extra["current_state"] == case.status
    assert "不能执行「记录复勘」" in refused.value.message
    assert not Resurvey.objects.exists()
    assert not case.events.filter(type=EventType.RESURVEY_RECORDED).exists()


def test_a_case_paused_for_documents_records_the_visit_once_it_resumes(firm):
    with a_day_ago():
        case = paused_while_assessing(firm)
    arrived = timezone.now() - timedelta(minutes=20)  # during the pause
    services.do_fulfil_document_request(case.document_requests.get(), actor=firm.lisi)
    resurvey = record(case, firm.zhangsan, arrived_at=arrived)
    assert resurvey.arrived_at == arrived


@pytest.mark.parametrize("who", ["zhaoliu", "lisi", "zhoujiu", "finance"])
def test_positions_that_do_not_work_the_assessment_may_not_record_one(firm, who):
    with a_day_ago():
        case = firm.assessed_case()
    actor = getattr(firm, who)
    with pytest.raises(PermissionDenied):
        record(case, actor)
    assert Action.RECORD_RESURVEY not in available_actions(actor, case)
    assert Action.RECORD_RESURVEY in available_actions(firm.qianqi, case)
    assert not Resurvey.objects.exists()


def test_a_case_outside_the_scope_is_not_found(firm):
    with a_day_ago():
        case = firm.assessed_case()
    with pytest.raises(NotFound):  # 王五, surveyor in 宁波
        record(case, firm.wangwu)


def test_another_active_surveyor_of_the_branch_may_have_gone_but_no_one_else(firm):
    with a_day_ago():
        case = firm.assessed_case()
    colleague = Firm.staff("zhouyi", "周一", "surveyor", firm.hangzhou)
    resurvey = record(case, firm.qianqi, surveyor_id=colleague.pk)
    assert (resurvey.surveyor, resurvey.recorded_by) == (colleague, firm.qianqi)
    assert set(services.resurvey_surveyors(case)) == {firm.zhangsan, colleague}
    gone = Firm.staff("wuer", "吴二", "surveyor", firm.hangzhou, is_active=False)
    for other in (firm.wangwu, firm.qianqi, gone):  # 宁波; an assessor; inactive
        with pytest.raises(ServiceError) as refused:
            record(case, firm.zhangsan, surveyor_id=other.pk)
        assert refused.value.code == CaseErrorCode.INVALID_RESURVEY
        assert list(refused.value.fields) == ["surveyor"]
    assert case.resurveys.count() == 1


def test_the_receiving_branchs_surveyors_may_go_on_a_delegated_case(firm):
    with a_day_ago():
        case = firm.registered_case()
        delegation = do_request_delegation(case, to_branch=firm.ningbo, actor=firm.zhaoliu)
        do_accept_delegation(delegation, actor=firm.wushi)
        do_dispatch_case(case, surveyor=firm.wangwu, actor=firm.wushi)
        do_accept_dispatch(case, actor=firm.wangwu)
        do_record_arrival(case, actor=firm.wangwu)
        services.do_save_survey(case, SURVEY, actor=firm.wangwu)
        add_damage_photo(case, actor=firm.wangwu)
        services.do_complete_survey(case, actor=firm.wangwu)
    case.refresh_from_db()
    assert set(services.resurvey_surveyors(case)) == {firm.zhangsan, firm.wangwu}
    assert record(case, firm.wangwu).surveyor == firm.wangwu  # the default: its surveyor
    assert record(case, firm.qianqi, surveyor_id=firm.zhangsan.pk).surveyor == firm.zhangsan


def test_the_arrival_is_neither_in_the_future_nor_before_the_survey_was_completed(firm):
    with a_day_ago():
        case = firm.assessed_case()
    completed = completed_at(case)
    for arrived, says in (
        (timezone.now() + timedelta(minutes=2), "到达时间不能晚于现在。"),
        (completed.replace(second=0, microsecond=0) - timedelta(minutes=1), "不能早于完成查勘"),
    ):
        with pytest.raises(ServiceError) as refused:
            record(case, firm.zhangsan, arrived_at=arrived)
        assert refused.value.code == CaseErrorCode.INVALID_RESURVEY
        assert list(refused.value.fields) == ["arrived_at"]
        assert says in refused.value.fields["arrived_at"][0]
    # Typed to the minute: the minute the survey was completed in is not before it.
    record(case, firm.zhangsan, arrived_at=completed.replace(second=0, microsecond=0))
    assert case.resurveys.count() == 1


def test_a_reason_from_the_list_and_a_note_for_other(firm):
    with a_day_ago():
        case = firm.assessed_case()
    for reason, note, field in (("nonsense", "", "reason"), (ResurveyReason.OTHER, " ", "note")):
        with pytest.raises(ServiceError) as refused:
            record(case, firm.zhangsan, reason=reason, note=note)
        assert list(refused.value.fields) == [field]
    record(case, firm.zhangsan, reason=ResurveyReason.OTHER, note="车主要求重新核对")
    assert case.resurveys.get().note == "车主要求重新核对"


def test_the_same_visit_is_recorded_once(firm):
    with a_day_ago():
        case = firm.assessed_case()
    arrived = timezone.now() - timedelta(hours=1)
    record(case, firm.zhangsan, arrived_at=arrived)
    with pytest.raises(ServiceError) as refused:
        record(case, firm.qianqi, arrived_at=arrived, reason=ResurveyReason.CLIENT_REQUEST)
    assert refused.value.fields == {"arrived_at": ["张三 在该时间的复勘已经记录过。"]}
    assert case.resurveys.count() == 1


def test_a_stale_version_is_a_conflict(firm):
    with a_day_ago():
        case = firm.assessed_case()
    seen = case.version
    add_damage_photo(case, actor=firm.zhangsan)  # someone else moved the case on
    with pytest.raises(Conflict) as refused:
        record(case, firm.zhangsan, expected_version=seen)
    assert refused.value.extra["current_version"] == seen + 1
    assert not Resurvey.objects.exists()
    record(case, firm.zhangsan, expected_version=seen + 1)


# --- API ----------------------------------------------------------------------------------


def test_the_api_records_one_and_the_detail_lists_them_by_arrival(firm):
    with a_day_ago():
        case = firm.assessed_case()
    client = client_for(firm.zhangsan)
    url = f"{API}/cases/{case.case_no}/resurveys"
    late = timezone.now() - timedelta(minutes=10)
    early = late - timedelta(minutes=50)
    response = client.post(
        url,
        {"arrived_at": late.isoformat(), "reason": "client_request", "version": case.version},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["surveyor"] == {"id": firm.zhangsan.pk, "full_name": "张三"}
    assert (body["reason"], body["note"], body["case_version"]) == (
        "client_request",
        "",
        case.version + 1,
    )
    response = client_for(firm.qianqi).post(
        url,
        {"arrived_at": early.isoformat(), "reason": "missing_evidence", "note": "补拍底盘"},
    )
    assert response.status_code == 201, response.content
    detail = client.get(f"{API}/cases/{case.case_no}").json()
    assert detail["status"] == "assessing"
    assert [(r["reason"], r["recorded_by"]["full_name"]) for r in detail["resurveys"]] == [
        ("missing_evidence", "钱七"),
        ("client_request", "张三"),
    ]
    assert detail["resurveys"][0]["note"] == "补拍底盘"
    assert "record_resurvey" in detail["available_actions"]
    lisi = client_for(firm.lisi).get(f"{API}/cases/{case.case_no}").json()
    assert "record_resurvey" not in lisi["available_actions"]


def test_the_api_refuses_with_the_projects_codes(firm):
    with a_day_ago():
        case = firm.assessed_case()
    url = f"{API}/cases/{case.case_no}/resurveys"
    now = timezone.now()
    bad = client_for(firm.zhangsan).post(
        url, {"arrived_at": (now + timedelta(hours=1)).isoformat(), "reason": "other"}
    )
    assert bad.status_code == 400
    error = error_of(bad)
    assert error["code"] == "invalid_resurvey"
    assert set(error["fields"]) == {"arrived_at", "note"}
    unknown = client_for(firm.zhangsan).post(url, {"arrived_at": now.isoformat(), "reason": "x"})
    assert (unknown.status_code, error_of(unknown)["code"]) == (400, "invalid")
    body = {"arrived_at": (now - timedelta(minutes=1)).isoformat(), "reason": "hidden_damage"}
    denied = client_for(firm.zhaoliu).post(url, body)
    assert (denied.status_code, error_of(denied)["code"]) == (403, "permission_denied")
    stale = client_for(firm.zhangsan).post(url, {**body, "version": case.version - 1})
    assert (stale.status_code, error_of(stale)["code"]) == (409, "conflict")
    other = client_for(firm.wangwu).post(url, body)
    assert (other.status_code, error_of(other)["code"]) == (404, "not_found")
    surveying = firm.surveying_case(client_claim_no="PICC-SURVEYING")
    early = client_for(firm.zhangsan).post(f"{API}/cases/{surveying.case_no}/resurveys", body)
    assert early.status_code == 409
    assert error_of(early)["code"] == "illegal_transition"
    assert error_of(early)["current_state"] == "surveying"
    assert not Resurvey.objects.exists()


def test_the_schema_documents_the_action(firm):
    schema = client_for(None).get(f"{API}/openapi.json").json()
    operation = schema["paths"]["/api/v1/cases/{case_no}/resurveys"]["post"]
    assert "201" in operation["responses"] and "409" in operation["responses"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/ResurveyInputRequest")
    detail = schema["components"]["schemas"]["CaseDetail"]["properties"]
    assert detail["resurveys"]["items"]["$ref"].endswith("/Resurvey")


# --- the case page ------------------------------------------------------------------------


def case_page(client, user, case) -> str:
    client.force_login(user)
    return client.get(reverse("claims:case-detail", args=[case.case_no])).content.decode()


def test_the_case_page_offers_the_form_and_lists_the_re_surveys(client, firm):
    with a_day_ago():
        case = firm.assessed_case()
    assert 'data-testid="action-case-resurvey"' not in case_page(client, firm.lisi, case)
    html = case_page(client, firm.qianqi, case)
    assert 'data-testid="action-case-resurvey"' in html
    assert "暂无复勘记录。" in html
    arrived = timezone.localtime() - timedelta(hours=1)
    response = client.post(
        reverse("claims:case-resurvey", args=[case.case_no]),
        {
            "version": case.version,
            "surveyor": firm.zhangsan.pk,
            "arrived_at": f"{arrived:%Y-%m-%dT%H:%M}",
            "reason": "hidden_damage",
            "note": "拆检后见右前纵梁变形",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("claims:case-detail", args=[case.case_no])
    html = response.content.decode()
    assert "已记录 张三 的复勘（拆检复勘）。" in html
    row = html[html.index('data-testid="resurvey"') :]
    row = row[: row.index("</tr>")]
    for shown in (f"{arrived:%Y-%m-%d %H:%M}", "张三", "拆检复勘", "拆检后见右前纵梁变形", "钱七"):
        assert shown in row
    # Its timeline entry names the reason by its label.
    timeline = html[html.index('data-testid="timeline"') :]
    assert "原因：拆检复勘" in timeline and "hidden_damage" not in timeline
    # The list stays visible once no one may record any more.
    case.refresh_from_db()
    services.do_submit_for_review(case, actor=firm.zhangsan)
    services.do_review_case(case, decision=ReviewDecision.APPROVED, level=1, actor=firm.lisi)
    services.do_issue_report(case, actor=firm.lisi)
    html = case_page(client, firm.lisi, case)
    assert 'data-testid="resurvey"' in html and 'data-testid="action-case-resurvey"' not in html


def test_the_page_form_keeps_the_input_and_names_the_field(client, firm):
    with a_day_ago():
        case = firm.assessed_case()
    client.force_login(firm.zhangsan)
    url = reverse("claims:case-resurvey", args=[case.case_no])
    form = client.get(url).content.decode()
    assert f'<option value="{firm.zhangsan.pk}" selected>' in form  # the case's surveyor
    response = client.post(
        url,
        {
            "version": case.version,
            "surveyor": firm.zhangsan.pk,
            "arrived_at": f"{timezone.localtime() - timedelta(hours=1):%Y-%m-%dT%H:%M}",
            "reason": "other",
            "note": "",
        },
    )
    assert response.status_code == 400
    assert "复勘原因为「其他」时须填写说明。" in response.content.decode()
    before = completed_at(case) - timedelta(days=1)
    response = client.post(
        url,
        {
            "version": case.version,
            "surveyor": firm.zhangsan.pk,
            "arrived_at": f"{timezone.localtime(before):%Y-%m-%dT%H:%M}",
            "reason": "client_request",
        },
    )
    assert response.status_code == 400
    assert "到达时间不能早于完成查勘的时间" in response.content.decode()
    assert not Resurvey.objects.exists()


def test_the_adjusting_report_lists_the_re_surveys(firm):
    from lossdesk.claims.pdf import adjusting_report_html

    with a_day_ago():
        case = firm.approved_case()
    record(case, firm.zhangsan, reason=ResurveyReason.CLIENT_REQUEST, note="保险公司要求核对")
    report = services.do_issue_report(case, actor=firm.lisi)
    html = adjusting_report_html(case, report)
    assert "复勘</strong>（共 1 次）" in html
    assert "保险公司要求核对" in html
