"""The phone pages under /m/: the inbox (with the deadlines on the user's work), the case
at a glance (tap-to-call by the right to personal data, the map link), the one-tap actions
through the declared case actions, the rescue form, and the installable app's manifest and
service worker."""

import json
from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client as PageClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lossdesk.audit.models import PiiAccess
from lossdesk.claims.choices import CaseStatus
from lossdesk.field.models import Rescue
from lossdesk.field.views import InboxView
from lossdesk.intake.choices import DispatchStatus
from lossdesk.intake.services.dispatch import do_dispatch_case
from lossdesk.quality.choices import DeadlineStage
from lossdesk.quality.deadlines import refresh_case_deadlines
from lossdesk.quality.models import CaseDeadline

pytestmark = pytest.mark.django_db


def page(user) -> PageClient:
    client = PageClient()
    client.force_login(user)
    return client


def dispatched(firm, **overrides):
    case = firm.registered_case(**overrides)
    do_dispatch_case(case, surveyor=firm.zhangsan, actor=firm.zhaoliu)
    case.refresh_from_db()
    return case


def m(name, case, **kwargs):
    return reverse(f"field:{name}", kwargs={"case_no": case.case_no, **kwargs})


def test_the_inbox_lists_new_dispatches_first_then_my_open_cases(firm):
    working = firm.surveying_case(plate="浙A11111")
    new = dispatched(firm, plate="浙A22222")
    firm.surveying_case(plate="浙A33333").refresh_from_db()
    html = page(firm.zhangsan).get(reverse("field:inbox")).content.decode()
    new_at, open_at = (
        html.index('data-testid="new-dispatches"'),
        html.index('data-testid="open-cases"'),
    )
    assert new_at < html.index("浙A22222") < open_at < html.index("浙A11111")
    assert "请于" in html and "前接单" in html
    assert html.count('data-testid="dispatch"') == 1
    assert html.count('data-testid="open-case"') == 2
    assert new.case_no in html and working.case_no in html
    # 王五 (宁波) has nothing of 张三's.
    other = page(firm.wangwu).get(reverse("field:inbox")).content.decode()
    assert "浙A22222" not in other and "浙A11111" not in other


def with_deadlines(*cases):
    for case in cases:
        refresh_case_deadlines(case.pk)  # what the commit of each change schedules


def test_the_inbox_puts_my_overdue_and_soonest_deadlines_first(firm):
    old, later, overdue, none = (
        firm.surveying_case(plate=plate)
        for plate in ("浙A00001", "浙A00002", "浙A00003", "浙A00004")
    )
    with_deadlines(old, later, overdue, none)
    now = timezone.now()
    survey = CaseDeadline.objects.filter(stage=DeadlineStage.SURVEY)
    survey.filter(case=old).update(due_at=now + timedelta(hours=2))
    survey.filter(case=later).update(due_at=now + timedelta(hours=5))
    survey.filter(case=overdue).update(due_at=now - timedelta(minutes=30))
    CaseDeadline.objects.filter(case=none).delete()
    new = dispatched(firm, plate="浙A00005")

    html = page(firm.zhangsan).get(reverse("field:inbox")).content.decode()

    order = ["浙A00005", "浙A00003", "浙A00001", "浙A00002", "浙A00004"]
    assert sorted(order, key=html.index) == order
    assert html.count('data-testid="case-deadline"') == 3
    assert html.count("已超时") == 1 and html.count("m-overdue") == 1
    due = timezone.localtime(now - timedelta(minutes=30))
    assert f"完成查勘 · {due:%m-%d %H:%M} 到期 · <strong>已超时</strong>" in html
    assert new.case_no in html


def test_the_inbox_says_a_document_deadline_once(firm):
    from lossdesk.claims.services import do_request_documents

    case = firm.surveying_case(plate="浙A00001")
    due = timezone.localdate() + timedelta(days=3)
    do_request_documents(case, items="驾驶证、行驶证", due_date=due, actor=firm.zhangsan)
    with_deadlines(case)
    CaseDeadline.objects.exclude(stage=DeadlineStage.DOCUMENTS).delete()

    html = page(firm.zhangsan).get(reverse("field:inbox")).content.decode()
    assert html.count("资料补充 · ") == 1 and "补充资料截止" not in html

    # Nearest is another stage: the document due date still shows, by claims' date.
    CaseDeadline.objects.all().delete()
    with_deadlines(case)
    CaseDeadline.objects.filter(stage=DeadlineStage.DOCUMENTS).delete()
    html = page(firm.zhangsan).get(reverse("field:inbox")).content.decode()
    assert f"补充资料截止 {due:%Y-%m-%d}" in html and "资料补充 · " not in html


def test_the_inbox_limit_never_leaves_out_a_deadline_for_a_newer_case(firm, monkeypatch):
    monkeypatch.setattr(InboxView, "LIMIT", 1)
    timed = firm.surveying_case(plate="浙A00001")
    with_deadlines(timed)
    firm.surveying_case(plate="浙A00002")  # newer, no deadline (not refreshed)

    html = page(firm.zhangsan).get(reverse("field:inbox")).content.decode()

    assert "浙A00001" in html and "浙A00002" not in html


def test_the_inbox_asks_for_the_deadlines_once_however_many_cases(firm):
    def statements() -> int:
        client = page(firm.zhangsan)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("field:inbox")).status_code == 200
        return len(queries)

    with_deadlines(firm.surveying_case())
    one = statements()
    with_deadlines(*(firm.surveying_case() for _ in range(9)))
    assert statements() == one


def test_the_case_at_a_glance_calls_and_maps_for_the_surveyor(firm):
    case = firm.surveying_case()
    html = page(firm.zhangsan).get(m("case", case)).content.decode()
    assert 'href="tel:13812345678"' in html
    assert 'href="geo:0,0?q=' in html and "uri.amap.com/search?keyword=" in html
    assert "reporter_phone" in PiiAccess.objects.get(case_no=case.case_no).fields


def test_a_position_without_the_right_to_personal_data_sees_no_number_to_dial(firm):
    case = firm.surveying_case()
    html = page(firm.qianqi).get(m("case", case)).content.decode()  # 钱七, assessor
    assert "tel:" not in html and "13812345678" not in html
    assert "138****5678" in html


def test_accept_and_arrival_with_the_phones_position_come_back_to_the_phone(firm):
    case = dispatched(firm)
    client = page(firm.zhangsan)
    response = client.post(m("m-accept", case), {"version": case.version})
    assert response.status_code == 302 and response["Location"] == m("case", case)
    case.refresh_from_db()
    assert case.status == CaseStatus.SURVEYING
    response = client.post(
        m("m-arrival", case), {"version": case.version, "lat": "30.274084", "lng": "120.155070"}
    )
    assert response["Location"] == m("case", case)
    dispatch = case.dispatches.get()
    assert dispatch.status == DispatchStatus.ARRIVED
    firm.zhangsan.refresh_from_db()
    assert (str(firm.zhangsan.last_lat), str(firm.zhangsan.last_lng)) == ("30.274084", "120.155070")
    assert "已记录到达现场时间和位置。" in client.get(m("case", case)).content.decode()


def test_arrival_without_a_position_is_recorded_all_the_same(firm):
    case = dispatched(firm)
    client = page(firm.zhangsan)
    client.post(m("m-accept", case), {"version": case.version})
    case.refresh_from_db()
    response = client.post(m("m-arrival", case), {"version": case.version, "lat": "", "lng": ""})
    assert response["Location"] == m("case", case)
    assert case.dispatches.get().status == DispatchStatus.ARRIVED
    firm.zhangsan.refresh_from_db()
    assert firm.zhangsan.last_lat is None
    assert "未获取到位置" in client.get(m("case", case)).content.decode()


def test_declining_goes_back_to_the_inbox(firm):
    case = dispatched(firm)
    client = page(firm.zhangsan)
    response = client.post(m("m-decline", case), {"version": case.version, "reason": "车辆故障"})
    assert response["Location"] == reverse("field:inbox")
    case.refresh_from_db()
    assert case.status == CaseStatus.REGISTERED


def test_the_rescue_form_shows_chinese_errors_and_saves_when_right(firm):
    case = firm.surveying_case()
    client = page(firm.zhangsan)
    form = client.get(m("m-rescue", case)).content.decode()
    assert 'data-queue-url="/api/v1/cases/' in form and 'data-queue-method="POST"' in form
    bad = {"type": "tow", "firm": "畅通救援", "start_place": "文三路", "distance_km": "x"}
    response = client.post(m("m-rescue", case), bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert "请输入数字。" in html and "该字段是必填项。" in html
    assert not Rescue.objects.exists()


def test_another_branchs_surveyor_gets_404_on_every_phone_page_of_the_case(firm):
    case = firm.surveying_case()
    client = page(firm.wangwu)
    for name in ("case", "photos", "assessment", "m-survey", "m-rescue", "m-arrival"):
        assert client.get(m(name, case)).status_code == 404, name
    assert client.post(m("m-arrival", case), {"version": case.version}).status_code == 404


def test_the_manifest_names_the_app_its_scope_and_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == (
        "/m/",
        "/m/",
        "standalone",
    )
    assert {(i["sizes"], i["purpose"]) for i in manifest["icons"]} == {
        ("192x192", "any"),
        ("512x512", "any"),
        ("512x512", "maskable"),
    }
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_the_service_worker_is_served_at_the_root_and_keeps_the_shell(client):
    response = client.get("/sw.js")
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    for shell in ("/static/field/field.js", "/static/field/queue.js", "/static/field/field.css"):
        assert f'"{shell}"' in script
    assert 'const OFFLINE = "/m/offline/"' in script
