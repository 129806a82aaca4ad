"""The re-survey (复勘) from the phone: claims' declared action on a phone page, for the
user's own visit, offered where the desktop offers it; refusals as the phone's other forms
show them; the case page lists the case's re-surveys."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from lossdesk.claims.choices import EventType, ResurveyReason
from lossdesk.claims.models import Case, Resurvey
from lossdesk.field.tests.test_pages import m, page
from lossdesk.testing import client_for, error_of

pytestmark = pytest.mark.django_db

HIDDEN = ResurveyReason.HIDDEN_DAMAGE


def a_day_ago():
    """Cases are built a day ago: a visit earlier today came after their survey."""
    return time_machine.travel(timezone.now() - timedelta(days=1))


def typed(moment) -> str:
    """A time as the phone's datetime-local input sends it (local, to the minute)."""
    return f"{timezone.localtime(moment):%Y-%m-%dT%H:%M}"


def visit(user, **overrides) -> dict:
    data = {
        "surveyor": user.pk,
        "arrived_at": typed(timezone.now() - timedelta(minutes=30)),
        "reason": HIDDEN,
        "note": "拆检后见水箱框架变形",
    }
    data.update(overrides)
    return data


def test_the_phone_offers_the_re_survey_where_the_desktop_offers_it(firm):
    with a_day_ago():
        assessing = firm.assessed_case(plate="浙A00001")
        surveying = firm.surveying_case(plate="浙A00002")
        issued = firm.issued_case(plate="浙A00003")
    surveyor = page(firm.zhangsan)
    html = surveyor.get(m("case", assessing)).content.decode()
    assert 'data-testid="m-resurvey"' in html
    for case in (surveying, issued):  # before the survey is complete, after the fee
        html = surveyor.get(m("case", case)).content.decode()
        assert 'data-testid="m-resurvey"' not in html, case.status
    # The reviewer may not record one; the assessor may, but only for a colleague who went
    # (the desktop page's select), so the phone's "my visit" is not theirs.
    for user in (firm.lisi, firm.qianqi):
        assert (
            'data-testid="m-resurvey"' not in page(user).get(m("case", assessing)).content.decode()
        )

    form = surveyor.get(m("m-resurvey", assessing)).content.decode()
    assert f'data-queue-url="/api/v1/cases/{assessing.case_no}/resurveys"' in form
    assert 'data-queue-method="POST"' in form
    assert f'type="hidden" name="surveyor" value="{firm.zhangsan.pk}"' in form
    assert '<select name="surveyor"' not in form  # who went is the user
    now = typed(timezone.now())[:-3]  # the hour: the page may be drawn across a minute
    assert f'name="arrived_at" value="{now}' in form and 'data-now-offset="480"' in form
    assert "拆检复勘" in form and "保险公司要求" in form and "保存复勘记录" in form


def test_the_surveyor_records_their_own_visit_and_the_case_page_lists_it(firm):
    with a_day_ago():
        case = firm.assessed_case()  # 张三 prepared the sheet: he still sees the case
    # The case is now another surveyor's: the visit is still the phone user's own.
    colleague = firm.staff("zhouer", "周二", "surveyor", firm.hangzhou)
    Case.objects.filter(pk=case.pk).update(surveyor=colleague)
    client = page(firm.zhangsan)
    arrived = timezone.now() - timedelta(minutes=30)

    response = client.post(m("m-resurvey", case), visit(firm.zhangsan, arrived_at=typed(arrived)))

    assert response.status_code == 302 and response["Location"] == m("case", case)
    resurvey = Resurvey.objects.get(case=case)
    assert (resurvey.surveyor, resurvey.recorded_by) == (firm.zhangsan, firm.zhangsan)
    assert resurvey.arrived_at == arrived.replace(second=0, microsecond=0)
    assert (resurvey.reason, resurvey.note) == (HIDDEN, "拆检后见水箱框架变形")
    assert case.events.filter(type=EventType.RESURVEY_RECORDED).count() == 1
    html = client.get(m("case", case)).content.decode()
    assert "已记录 张三 的复勘（拆检复勘）。" in html
    listed = html[html.index('data-testid="resurveys"') :]
    assert f"{timezone.localtime(arrived):%m-%d %H:%M}</span> 拆检复勘" in listed
    assert listed.count('data-testid="resurvey"') == 1


def test_a_page_post_without_who_went_is_a_form_error_not_the_cases_surveyor(firm):
    with a_day_ago():
        case = firm.assessed_case()
    data = visit(firm.zhangsan)
    del data["surveyor"]
    assert page(firm.zhangsan).post(m("m-resurvey", case), data).status_code == 400
    assert not Resurvey.objects.exists()


def test_the_services_refusals_show_in_chinese_beside_the_fields_with_the_input_kept(firm):
    with a_day_ago():
        case = firm.assessed_case()
    client = page(firm.zhangsan)
    future = typed(timezone.now() + timedelta(hours=2))

    response = client.post(m("m-resurvey", case), visit(firm.zhangsan, arrived_at=future))

    assert response.status_code == 400
    html = response.content.decode()
    assert "到达时间不能晚于现在。" in html
    assert f'value="{future}"' in html and "拆检后见水箱框架变形</textarea>" in html
    assert "data-now-offset" not in html  # field.js leaves the typed time alone

    before = typed(timezone.now() - timedelta(days=2))
    html = client.post(m("m-resurvey", case), visit(firm.zhangsan, arrived_at=before)).content
    assert "到达时间不能早于完成查勘的时间（" in html.decode()

    other = visit(firm.zhangsan, reason=ResurveyReason.OTHER, note="  ")
    html = client.post(m("m-resurvey", case), other).content.decode()
    assert "复勘原因为「其他」时须填写说明。" in html
    assert '<option value="other" selected>' in html
    assert not Resurvey.objects.exists()


def test_refused_states_and_positions_keep_the_input_on_the_phones_page(firm):
    """A refused post is the re-survey's phone page again with what was typed and why
    (decision 0007, fifth amendment), not a message on the case page."""
    with a_day_ago():
        surveying = firm.surveying_case(plate="浙A00001")
        in_review = firm.in_review_case(plate="浙A00002")
    note = "拆检后见水箱框架变形"
    surveyor = page(firm.zhangsan)
    response = surveyor.post(m("m-resurvey", surveying), visit(firm.zhangsan, note=note))
    assert response.status_code == 409
    html = response.content.decode()
    assert "案件当前状态为「查勘中」，不能执行「记录复勘」。" in html
    assert "您填写的内容已保留在下方，尚未保存。" in html and note in html
    assert "当前状态（查勘中）下不能记录复勘" in html
    assert f'href="{m("case", surveying)}"' in html  # the phone's case page, not the desk's

    reviewer = page(firm.lisi)  # 李四 sees the case but does not work the assessment
    response = reviewer.post(m("m-resurvey", in_review), visit(firm.zhangsan, note=note))
    assert response.status_code == 403
    assert "权限" in response.content.decode() and note in response.content.decode()

    # 钱七 (assessor) may record one, but did not go: the service names who may have.
    assessor = page(firm.qianqi)
    response = assessor.post(m("m-resurvey", in_review), visit(firm.qianqi, note=note))
    assert response.status_code == 400
    assert "在职查勘员" in response.content.decode() and note in response.content.decode()
    assert not Resurvey.objects.exists()


def test_a_page_drawn_before_another_change_still_records_but_the_same_visit_twice_is_refused(
    firm,
):
    """Like the rescue: a visit conflicts with no other edit, so the version the page was
    drawn at is not checked (the queue sends none); the one collision there is, the same
    visit recorded twice, is refused beside its time."""
    with a_day_ago():
        case = firm.assessed_case()
    client = page(firm.zhangsan)
    stale = case.version
    Case.objects.filter(pk=case.pk).update(version=stale + 3)  # e.g. photos sent meanwhile
    data = {**visit(firm.zhangsan), "version": stale}

    assert client.post(m("m-resurvey", case), data).status_code == 302
    assert Resurvey.objects.filter(case=case).count() == 1  # recorded, not refused as stale
    response = client.post(m("m-resurvey", case), data)

    assert response.status_code == 400
    assert "张三 在该时间的复勘已经记录过。" in response.content.decode()
    assert Resurvey.objects.filter(case=case).count() == 1


def test_the_queues_send_is_the_api_post_with_who_went_and_a_resend_stays_one(firm):
    """What queue.js sends: the form's fields as JSON without the page's version, under an
    Idempotency-Key. A send repeated after a lost answer is refused as already recorded
    (the queue shows it as failed with that reason); the visit is recorded once."""
    with a_day_ago():
        case = firm.assessed_case()
    api = client_for(firm.zhangsan)
    url = f"/api/v1/cases/{case.case_no}/resurveys"
    body = visit(firm.zhangsan)
    headers = {"HTTP_IDEMPOTENCY_KEY": "9b0f6f52-8f4e-4c8e-9a55-2a1b0d4f9e11"}

    created = api.post(url, body, format="json", **headers)
    assert created.status_code == 201, created.content
    assert created.json()["surveyor"]["id"] == firm.zhangsan.pk
    again = api.post(url, body, format="json", **headers)
    assert again.status_code == 400
    assert error_of(again)["fields"]["arrived_at"] == ["张三 在该时间的复勘已经记录过。"]
    assert Resurvey.objects.filter(case=case).count() == 1
