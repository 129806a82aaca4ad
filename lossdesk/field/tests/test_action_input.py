"""The phone's action pages keep what was typed when a post is refused (decision 0007, fifth
amendment), in the phone's own page: claims' `CaseActionView.kept` with the phone's
template and its case page as "the current situation". A stale version: 409, the input and
what happened, the current version carried so a deliberate second send records once; a
state refusal: 409, the input shown, with what the action has recorded. The offline queue
sends no version: its refusals are the API's (a 409 names the state), and a queued form
whose case no longer takes it is still on its page, hidden, for the queue's copy of what
was typed (field.js; test_browser.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from lossdesk.claims import services as claims_services
from lossdesk.claims.choices import CaseStatus
from lossdesk.field.models import Rescue
from lossdesk.field.services import do_record_rescue
from lossdesk.field.tests.test_pages import dispatched, m, page
from lossdesk.field.tests.test_services import rescue_data
from lossdesk.intake.choices import DispatchStatus
from lossdesk.testing import SURVEY, add_damage_photo, client_for, error_of, hidden_inputs

pytestmark = pytest.mark.django_db

CHANGED = "您填写期间案件已被他人修改"
KEPT = "您填写的内容已保留在下方，尚未保存。"
DESCRIPTION = "手机填写：本车前保险杠破裂、左前大灯碎裂，三者车尾灯破损，现场无人员受伤。"
DECLINE_REASON = "车辆在绕城高速抛锚，一小时内到不了现场"
RESCUE_NOTE = "拖车司机要求现场结算，已告知按协议月结"


def refused_on_the_phone(response, status: int, case, *texts: str) -> str:
    """The phone's page (its back link, no desktop layout), with `texts`."""
    assert response.status_code == status
    html = response.content.decode()
    assert 'class="m-back"' in html and 'class="m-h1"' in html
    for text in texts:
        assert text in html
    return html


def local(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%dT%H:%M}"


def test_a_survey_sent_from_the_phone_after_the_case_changed_keeps_the_record(firm):
    case = firm.surveying_case()
    client = page(firm.zhangsan)
    seen = case.version
    add_damage_photo(case, actor=firm.zhaoliu)
    case.refresh_from_db()
    typed = {**SURVEY, "description": DESCRIPTION}

    response = client.post(m("m-survey", case), {**typed, "version": seen})

    html = refused_on_the_phone(response, 409, case, CHANGED, KEPT, DESCRIPTION)
    assert f'href="{m("case", case)}" target="_blank"' in html  # the phone's case page
    assert hidden_inputs(html)["version"] == str(case.version)
    assert not hasattr(type(case).objects.get(pk=case.pk), "survey")
    again = client.post(m("m-survey", case), {**typed, **hidden_inputs(html)})
    assert again.status_code == 302 and again["Location"] == m("case", case)
    assert type(case).objects.get(pk=case.pk).survey.description == DESCRIPTION


def test_a_decline_sent_from_the_phone_after_the_case_changed_keeps_the_reason(firm):
    case = dispatched(firm)
    client = page(firm.zhangsan)
    seen = case.version
    add_damage_photo(case, actor=firm.zhaoliu)
    case.refresh_from_db()

    response = client.post(m("m-decline", case), {"reason": DECLINE_REASON, "version": seen})

    html = refused_on_the_phone(response, 409, case, CHANGED, KEPT, DECLINE_REASON)
    assert case.dispatches.get().status == DispatchStatus.PENDING
    again = client.post(m("m-decline", case), {"reason": DECLINE_REASON, **hidden_inputs(html)})
    assert again.status_code == 302
    assert case.dispatches.get().decline_reason == DECLINE_REASON


def test_a_rescue_on_a_case_cancelled_meanwhile_keeps_the_input_and_lists_the_recorded(firm):
    case = firm.surveying_case()
    claims_services.do_save_survey(case, SURVEY, actor=firm.zhangsan)
    do_record_rescue(case, rescue_data(), actor=firm.zhangsan)
    client = page(firm.zhangsan)
    now = timezone.now()
    typed = {
        **rescue_data(note=RESCUE_NOTE, firm="萧山平安救援队"),
        "started_at": local(now - timedelta(minutes=40)),
        "ended_at": local(now - timedelta(minutes=5)),
        "version": case.version,
    }
    claims_services.do_cancel_case(case, reason="customer_withdrew", actor=firm.zhaoliu)

    response = client.post(m("m-rescue", case), typed)

    html = refused_on_the_phone(response, 409, case, "未保存：", "已注销", KEPT, RESCUE_NOTE)
    assert 'value="萧山平安救援队"' in html
    recorded = html[html.index("data-recorded") : html.index("</ul>", html.index("data-recorded"))]
    assert "杭州畅通道路救援有限公司" in recorded and "勿重复提交" in html
    assert Rescue.objects.filter(case=case).count() == 1


def test_a_queued_survey_the_case_no_longer_takes_is_a_409_and_its_page_keeps_the_form(firm):
    """What queue.js sends (no version) to a case cancelled meanwhile: a 409 naming the
    state, which the queue shows as 失败 with the entry kept; the survey page still has the
    form (hidden, for field.js to fill with the queued record and show)."""
    case = firm.surveying_case()
    claims_services.do_cancel_case(case, reason="customer_withdrew", actor=firm.zhaoliu)

    sent = client_for(firm.zhangsan).put(
        f"/api/v1/cases/{case.case_no}/survey",
        {**SURVEY, "description": DESCRIPTION},
        format="json",
        HTTP_IDEMPOTENCY_KEY="5c2d1f0e-7a7b-4d3c-9a4f-0e1d2c3b4a59",
    )

    assert sent.status_code == 409
    assert "已注销" in error_of(sent)["message"]
    html = page(firm.zhangsan).get(m("m-survey", case)).content.decode()
    assert "当前状态（已注销）下不能" in html
    start = html.rindex("<form", 0, html.index("data-queue-url="))
    form = html[start : html.index("</form>", start)]
    assert "data-queue-url" in form and "hidden data-unsent-only" in form
    assert type(case).objects.get(pk=case.pk).status == CaseStatus.CANCELLED
