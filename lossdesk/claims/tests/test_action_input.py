"""Claims' own forms keep what the user typed when the post is refused (decision 0007, fifth
amendment): the survey, the re-survey, the review, document requests, their fulfilment and
the cancellation. The case changed meanwhile: 409, the input and what happened shown, the
current version carried so a deliberate second send records once; the state no longer
allows it: 409, the input shown; the service refuses a field: 400, the input kept. Nothing
is recorded by a refused post."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from lossdesk.claims import services
from lossdesk.claims.choices import CaseStatus, DocumentRequestStatus, ResurveyReason
from lossdesk.claims.models import Case, DocumentRequest, Resurvey
from lossdesk.testing import (
    SURVEY,
    changed_meanwhile,
    hidden_inputs,
    refused_with_input,
    resend,
    tag,
)

pytestmark = pytest.mark.django_db

CHANGED = "您填写期间案件已被他人修改"
KEPT = "您填写的内容已保留在下方，尚未保存。"
DESCRIPTION = "两车在文三路路口追尾，本车前保险杠、左前大灯、水箱框架受损，对方车后保险杠凹陷。"
RESURVEY_NOTE = "拆检后发现水箱框架与左前纵梁变形，需补充定损。"
REVIEW_REASON = "左前大灯报价高于本地价，请按本地价调整后重新提交。"
ITEMS = "驾驶证、行驶证复印件，维修发票原件及事故认定书"
CANCEL_NOTE = "委托方来电撤回委托，客户已与对方私了，不再索赔。"


def url(name: str, case: Case, **kwargs) -> str:
    return reverse(name, kwargs={"case_no": case.case_no, **kwargs})


def recorded_list(html: str) -> str:
    start = html.index("data-recorded")
    return html[start : html.index("</ul>", start)]


def an_hour_ago() -> str:
    return f"{timezone.localtime() - timedelta(hours=1):%Y-%m-%dT%H:%M}"


# --- the survey ------------------------------------------------------------------------------


def test_a_survey_sent_after_the_case_changed_keeps_the_record_and_saves_on_the_second_send(
    client, firm
):
    case = firm.surveying_case()
    client.force_login(firm.zhangsan)
    seen = changed_meanwhile(firm, case)
    typed = {**SURVEY, "description": DESCRIPTION}
    path = url("claims:case-survey", case)

    html = refused_with_input(
        client.post(path, {**typed, "version": seen}), 409, CHANGED, KEPT, DESCRIPTION
    )

    assert "请核对案件当前情况" in html and "在新窗口查看当前情况" in html
    assert not hasattr(Case.objects.get(pk=case.pk), "survey")
    assert hidden_inputs(html)["version"] == str(case.version)
    assert resend(client, path, html, typed).status_code == 302
    assert Case.objects.get(pk=case.pk).survey.description == DESCRIPTION


def test_a_survey_missing_a_required_field_comes_back_with_the_record(client, firm):
    case = firm.surveying_case()
    client.force_login(firm.zhangsan)
    typed = {**SURVEY, "description": DESCRIPTION, "scene": ""}

    response = client.post(url("claims:case-survey", case), {**typed, "version": case.version})

    refused_with_input(response, 400, DESCRIPTION)
    assert response.context["form"].errors["scene"]
    assert not hasattr(Case.objects.get(pk=case.pk), "survey")


def test_a_survey_on_a_case_cancelled_meanwhile_keeps_the_record_and_saves_nothing(client, firm):
    case = firm.surveying_case()
    client.force_login(firm.zhangsan)
    seen = case.version
    services.do_cancel_case(case, reason="customer_withdrew", note="", actor=firm.zhaoliu)
    typed = {**SURVEY, "description": DESCRIPTION}
    path = url("claims:case-survey", case)

    html = refused_with_input(
        client.post(path, {**typed, "version": seen}), 409, CHANGED, KEPT, DESCRIPTION
    )

    assert "已注销" in html
    # The second send is refused by the state, and the record is still on the page.
    html = refused_with_input(resend(client, path, html, typed), 409, "未保存：", DESCRIPTION)
    assert "已注销" in html
    assert not hasattr(Case.objects.get(pk=case.pk), "survey")


# --- the re-survey ---------------------------------------------------------------------------


def surveyed_yesterday(firm) -> Case:
    """A re-survey is after the completed survey: the survey was completed a day ago."""
    with time_machine.travel(timezone.now() - timedelta(days=1)):
        return firm.assessing_case()


def resurvey_data(firm, **overrides) -> dict:
    return {
        "surveyor": firm.zhangsan.pk,
        "arrived_at": an_hour_ago(),
        "reason": ResurveyReason.OTHER,
        "note": RESURVEY_NOTE,
        **overrides,
    }


def test_a_re_survey_sent_after_a_colleague_recorded_one_lists_theirs_and_is_recorded_once(
    client, firm
):
    case = surveyed_yesterday(firm)
    client.force_login(firm.zhangsan)
    seen = case.version
    services.do_record_resurvey(
        case,
        surveyor_id=firm.zhangsan.pk,
        arrived_at=timezone.now() - timedelta(hours=3),
        reason=ResurveyReason.HIDDEN_DAMAGE,
        note="",
        actor=firm.qianqi,
    )
    typed = resurvey_data(firm)
    path = url("claims:case-resurvey", case)

    html = refused_with_input(
        client.post(path, {**typed, "version": seen}), 409, CHANGED, KEPT, RESURVEY_NOTE
    )

    assert "钱七 记录" in recorded_list(html) and "勿重复提交" in html
    assert f'value="{typed["arrived_at"]}"' in tag(html, "arrived_at")
    assert Resurvey.objects.filter(case=case).count() == 1
    assert resend(client, path, html, typed).status_code == 302
    assert Resurvey.objects.filter(case=case, note=RESURVEY_NOTE).count() == 1


def test_a_re_survey_the_service_refuses_keeps_the_input_and_names_the_field(client, firm):
    case = surveyed_yesterday(firm)
    client.force_login(firm.zhangsan)
    future = f"{timezone.localtime() + timedelta(hours=2):%Y-%m-%dT%H:%M}"

    response = client.post(
        url("claims:case-resurvey", case),
        {**resurvey_data(firm, arrived_at=future), "version": case.version},
    )

    refused_with_input(response, 400, RESURVEY_NOTE)
    assert response.context["form"].errors["arrived_at"]
    assert not Resurvey.objects.filter(case=case).exists()


# --- the review ------------------------------------------------------------------------------


def test_a_review_sent_after_the_case_changed_keeps_the_reason_and_is_recorded_once(client, firm):
    case = firm.in_review_case()
    client.force_login(firm.lisi)
    seen = changed_meanwhile(firm, case)
    typed = {"decision": "returned", "reason": REVIEW_REASON}
    path = url("claims:case-review", case)

    html = refused_with_input(
        client.post(path, {**typed, "version": seen}), 409, CHANGED, KEPT, REVIEW_REASON
    )

    assert not case.reviews.exists()
    assert resend(client, path, html, typed).status_code == 302
    assert list(case.reviews.values_list("reason", flat=True)) == [REVIEW_REASON]


def test_a_review_after_a_colleague_reviewed_lists_theirs_and_keeps_the_reason(client, firm):
    case = firm.in_review_case()
    client.force_login(firm.lisi)
    seen = case.version
    services.do_review_case(case, decision="returned", reason="单证不全", actor=firm.sunba)

    response = client.post(
        url("claims:case-review", case),
        {"decision": "returned", "reason": REVIEW_REASON, "version": seen},
    )

    html = refused_with_input(response, 409, "未保存：", KEPT, REVIEW_REASON)
    assert "孙八" in recorded_list(html) and "退回" in recorded_list(html)
    assert list(case.reviews.values_list("reviewer", flat=True)) == [firm.sunba.pk]


# --- document requests -----------------------------------------------------------------------


def test_a_document_request_sent_after_a_colleague_sent_one_lists_it_and_is_recorded_once(
    client, firm
):
    case = firm.assessing_case()
    client.force_login(firm.qianqi)
    seen = case.version
    services.do_request_documents(case, items="身份证复印件", actor=firm.lisi)
    typed = {"items": ITEMS, "due_date": ""}
    path = url("claims:case-request-documents", case)

    html = refused_with_input(client.post(path, {**typed, "version": seen}), 409, KEPT, ITEMS)

    assert "身份证复印件" in recorded_list(html) and "李四 发起" in recorded_list(html)
    assert not DocumentRequest.objects.filter(case=case, items=ITEMS).exists()
    assert resend(client, path, html, typed).status_code == 302
    assert DocumentRequest.objects.filter(case=case, items=ITEMS).count() == 1


def test_a_document_request_the_service_refuses_keeps_the_items(client, firm):
    case = firm.assessing_case()
    client.force_login(firm.qianqi)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()

    response = client.post(
        url("claims:case-request-documents", case),
        {"items": ITEMS, "due_date": yesterday, "version": case.version},
    )

    refused_with_input(response, 400, ITEMS)
    assert response.context["form"].errors["due_date"]
    assert not DocumentRequest.objects.filter(case=case).exists()


def test_a_fulfilment_of_a_request_answered_meanwhile_keeps_the_note(client, firm):
    case = firm.assessing_case()
    request = services.do_request_documents(case, items=ITEMS, actor=firm.qianqi)
    services.do_fulfil_document_request(request, note="客户已当面交齐", actor=firm.lisi)
    client.force_login(firm.qianqi)
    case.refresh_from_db()
    note = "客户通过邮件补交了维修发票扫描件"

    response = client.post(
        url("claims:case-fulfil-documents", case, pk=request.pk),
        {f"dr{request.pk}-note": note, f"dr{request.pk}-version": case.version},
    )

    refused_with_input(response, 409, "未保存：", KEPT, note)
    request.refresh_from_db()
    assert (request.status, request.fulfil_note) == (
        DocumentRequestStatus.FULFILLED,
        "客户已当面交齐",
    )


# --- the cancellation ------------------------------------------------------------------------


def test_a_cancellation_sent_after_the_case_changed_keeps_the_note_and_cancels_on_the_second_send(
    client, firm
):
    case = firm.surveying_case()
    client.force_login(firm.zhaoliu)
    seen = changed_meanwhile(firm, case)
    typed = {"reason": "other", "note": CANCEL_NOTE}
    path = url("claims:case-cancel", case)

    html = refused_with_input(
        client.post(path, {**typed, "version": seen}), 409, CHANGED, KEPT, CANCEL_NOTE
    )

    assert Case.objects.get(pk=case.pk).status == CaseStatus.SURVEYING
    assert resend(client, path, html, typed).status_code == 302
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CANCELLED


def test_a_cancellation_of_a_case_closed_meanwhile_keeps_the_note(client, firm):
    case = firm.issued_case()
    client.force_login(firm.zhaoliu)
    seen = case.version
    services.do_close_case(case, actor=firm.lisi)

    response = client.post(
        url("claims:case-cancel", case), {"reason": "other", "note": CANCEL_NOTE, "version": seen}
    )

    refused_with_input(response, 409, "未保存：", KEPT, CANCEL_NOTE)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED
