"""Alerts where people work: on the case page, above the reviewer's conclusion, on the board
with each rule's hit rate (page and API), worked to a decision on the timeline."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from lossdesk.claims.choices import EventType
from lossdesk.quality.models import Alert
from lossdesk.quality.services import do_resolve_alert, evaluate_case
from lossdesk.testing import API, client_for

pytestmark = pytest.mark.django_db


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def late(firm, make="in_review_case", **kwargs):
    now = timezone.now()
    case = getattr(firm, make)(
        accident_time=now - timedelta(days=3), reported_at=now - timedelta(hours=1), **kwargs
    )
    (alert,) = [a for a in evaluate_case(case) if a.rule == "late_report"]
    return case, alert


def test_raising_and_resolving_an_alert_are_on_the_timeline(firm):
    case, alert = late(firm, "registered_case")
    raised = case.events.get(type=EventType.ALERT_RAISED)
    assert raised.actor is None and raised.data["rule"] == "late_report"
    assert "出险后超时报案" in raised.message

    do_resolve_alert(alert, decision="confirmed", reason="", actor=firm.zhoujiu)

    resolved = case.events.get(type=EventType.ALERT_RESOLVED)
    assert resolved.actor == firm.zhoujiu and resolved.data == {
        "alert": alert.pk,
        "decision": "confirmed",
    }


def test_the_case_page_and_the_review_page_show_the_alert(firm):
    case, alert = late(firm)
    page = web(firm.lisi).get(f"/cases/{case.case_no}/").content.decode()
    assert 'data-testid="case-alerts"' in page and alert.explanation in page
    assert f"/quality/alerts/{alert.pk}/resolve/" in page

    review = web(firm.lisi).get(f"/cases/{case.case_no}/review/").content.decode()
    alerts_at = review.index('data-testid="case-alerts"')
    assert alerts_at < review.index("审核结论") and alert.explanation in review

    # A surveyor sees the alert but is not offered to decide it.
    own = web(firm.zhangsan).get(f"/cases/{case.case_no}/").content.decode()
    assert alert.explanation in own and "/resolve/" not in own


def test_an_alert_is_worked_on_its_page_and_the_user_returns_to_the_case(firm):
    case, alert = late(firm)
    client = web(firm.lisi)
    url = f"/quality/alerts/{alert.pk}/resolve/"

    refused = client.post(url, {"decision": "dismissed", "reason": ""})
    assert refused.status_code == 400 and "排除预警须写明理由。" in refused.content.decode()

    done = client.post(
        url,
        {
            "decision": "dismissed",
            "reason": "客户住院，家属代报",
            "next": f"/cases/{case.case_no}/",
        },
    )
    assert done.status_code == 302 and done["Location"] == f"/cases/{case.case_no}/"
    alert.refresh_from_db()
    assert (alert.status, alert.reason, alert.resolved_by) == (
        "dismissed",
        "客户住院，家属代报",
        firm.lisi,
    )
    # A decided alert shows its decision, not a second form; a foreign `next` is not followed.
    decided = client.get(url).content.decode()
    assert "该预警已排除" in decided and "<form" not in decided.split("处理结论")[1]


def test_a_resolve_page_does_not_redirect_off_site(firm):
    _, alert = late(firm)
    answer = web(firm.lisi).post(
        f"/quality/alerts/{alert.pk}/resolve/",
        {"decision": "confirmed", "next": "https://evil.example/"},
    )
    assert answer["Location"] == "/quality/alerts/"


def test_another_branch_sees_neither_the_alert_nor_its_page(firm):
    _, alert = late(firm)
    ningbo = firm.staff("ningbo_boss", "宁波经理", "branch_manager", firm.ningbo)
    assert web(ningbo).get(f"/quality/alerts/{alert.pk}/resolve/").status_code == 404
    assert alert.explanation not in web(ningbo).get("/quality/alerts/").content.decode()


def test_the_board_filters_and_shows_each_rules_hit_rate(firm):
    phones = {"vin": "", "reporter_phone": "13900003333"}
    _, confirmed = late(firm, "registered_case", plate="浙C30001", **phones)
    _, dismissed = late(firm, "registered_case", plate="浙C30002", **phones)
    _, still_open = late(firm, "registered_case", plate="浙C30003", vin="")
    Alert.objects.exclude(rule="late_report").delete()
    do_resolve_alert(confirmed, decision="confirmed", reason="", actor=firm.zhoujiu)
    do_resolve_alert(dismissed, decision="dismissed", reason="属实", actor=firm.zhoujiu)

    client = web(firm.zhoujiu)
    board = client.get("/quality/alerts/").content.decode()  # open ones by default
    assert board.count('data-testid="alert-row"') == 1 and still_open.case.case_no in board
    everything = client.get("/quality/alerts/", {"status": "all"}).content.decode()
    assert everything.count('data-testid="alert-row"') == 3
    assert ">50.0%<" in everything.replace(" ", "")  # 1 confirmed of 2 decided

    (row,) = client_for(firm.zhoujiu).get(f"{API}/alerts/statistics").json()
    assert row == {
        "rule": "late_report",
        "rule_version": 1,
        "title": "出险后超时报案",
        "raised": 3,
        "open": 1,
        "confirmed": 1,
        "dismissed": 1,
        "hit_rate": 0.5,
    }
    assert client_for(firm.wushi).get(f"{API}/alerts/statistics").json() == []
    assert Alert.objects.count() == 3
