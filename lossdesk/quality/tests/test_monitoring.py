"""The monitoring board (案件监控) and its API: counts of open deadlines by branch, stage and
person, the drill-down to the cases, the statistics, each within the user's case scope; a
宁波 user sees only 宁波's cases."""

from datetime import timedelta

import pytest
from django.test import Client as PageClient
from django.utils import timezone

from lossdesk.intake.services.reports import do_register_report
from lossdesk.quality.deadlines import evaluate_deadlines, refresh_case_deadlines
from lossdesk.quality.models import DeadlineNotice
from lossdesk.testing import API, PASSWORD, client_for, error_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(firm):
    """杭州: one case overdue for dispatch, one due within the hour; 宁波: one overdue."""
    now = timezone.now()
    firm.overdue = firm.registered_case(reported_at=now - timedelta(minutes=30))
    firm.due_soon = firm.registered_case(
        reported_at=now - timedelta(minutes=5), plate="浙A22222", reporter_phone="13900002222"
    )
    firm.ningbo_case = do_register_report(
        firm.report_data(
            reported_at=now - timedelta(minutes=40), plate="浙B33333", reporter_phone="13900003333"
        ),
        actor=firm.wushi,
    )
    for case in (firm.overdue, firm.due_soon, firm.ningbo_case):
        refresh_case_deadlines(case.pk)
    return firm


def page_client(user) -> PageClient:
    client = PageClient()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_board_counts_the_users_cases_by_branch(world):
    response = client_for(world.zhoujiu).get(f"{API}/monitoring/board")
    assert response.status_code == 200
    body = response.json()
    assert body["group_by"] == "branch"
    assert body["totals"] == {"overdue": 1, "due_soon": 1, "on_time": 0}
    assert body["rows"] == [
        {
            "key": str(world.hangzhou.pk),
            "label": "杭州分公司",
            "overdue": 1,
            "due_soon": 1,
            "on_time": 0,
        }
    ]


def test_a_ningbo_user_sees_only_ningbos_deadlines(world):
    api = client_for(world.wushi)
    body = api.get(f"{API}/monitoring/board", {"group_by": "stage"}).json()
    assert body["totals"] == {"overdue": 1, "due_soon": 0, "on_time": 0}
    assert body["rows"][0]["key"] == "dispatch" and body["rows"][0]["label"] == "调度"
    overdue = api.get(f"{API}/monitoring/overdue").json()["results"]
    assert [d["case_no"] for d in overdue] == [world.ningbo_case.case_no]

    page = page_client(world.wushi).get("/monitoring/cases/", {"status": "overdue"})
    assert world.ningbo_case.case_no in page.text and world.overdue.case_no not in page.text


def test_the_overdue_list_drills_down_with_its_minutes(world):
    results = client_for(world.zhoujiu).get(f"{API}/monitoring/overdue").json()["results"]
    (row,) = results
    assert row["case_no"] == world.overdue.case_no and row["stage"] == "dispatch"
    assert row["status"] == "overdue" and row["allowed"] == "10 分钟"
    assert 19 <= row["overdue_minutes"] <= 20 and row["branch"] == "杭州分公司"
    soon = client_for(world.zhoujiu).get(
        f"{API}/monitoring/deadlines", {"status": "due_soon", "branch": world.hangzhou.pk}
    )
    assert [d["case_no"] for d in soon.json()["results"]] == [world.due_soon.case_no]


def test_bad_parameters_are_a_400_naming_the_field(world):
    api = client_for(world.zhoujiu)
    assert error_of(api.get(f"{API}/monitoring/board", {"group_by": "moon"}))["fields"].keys() == {
        "group_by"
    }
    assert error_of(api.get(f"{API}/monitoring/deadlines", {"status": "met"}))["fields"].keys() == {
        "status"
    }
    error = error_of(
        api.get(f"{API}/monitoring/statistics", {"since": "2026-02-01", "until": "2026-01-01"})
    )
    assert error["fields"] == {"since": ["开始日期不能晚于结束日期。"]}
    assert api.get(f"{API}/monitoring/overdue", {"branch": "x"}).status_code == 400


def test_a_position_without_the_board_is_refused(world):
    assert client_for(world.zhangsan).get(f"{API}/monitoring/board").status_code == 403
    assert page_client(world.zhangsan).get("/monitoring/").status_code == 403


def test_the_statistics_count_stages_started_and_overdue(world):
    body = client_for(world.zhoujiu).get(f"{API}/monitoring/statistics").json()
    assert body == [
        {
            "stage": "dispatch",
            "label": "调度",
            "started": 2,
            "met": 0,
            "met_late": 0,
            "overdue": 1,
            "overdue_rate": 0.5,
            "average_minutes": None,
        }
    ]


def test_the_board_page_links_each_count_to_its_cases(world):
    page = page_client(world.zhoujiu).get("/monitoring/")
    assert page.status_code == 200
    text = page.text
    assert "案件监控" in text and "已超时 <strong>1</strong>" in text
    assert f"/monitoring/cases/?status=overdue&amp;branch={world.hangzhou.pk}" in text
    assert "/monitoring/cases/?status=overdue&amp;person=none" in text
    cases = page_client(world.zhoujiu).get(
        "/monitoring/cases/", {"status": "overdue", "person": "none", "stage": "dispatch"}
    )
    assert world.overdue.case_no in cases.text and world.due_soon.case_no not in cases.text
    # Unknown filter values are ignored, not an error.
    assert page_client(world.zhoujiu).get("/monitoring/cases/", {"branch": "x"}).status_code == 200


def test_my_notices_are_listed_and_marked_read(world):
    evaluate_deadlines()  # 周九 may dispatch: reminded of one case, escalated the other
    assert DeadlineNotice.objects.filter(recipient=world.zhoujiu, read_at__isnull=True).count() == 2
    page = page_client(world.zhoujiu).get("/monitoring/notices/")
    assert world.overdue.case_no in page.text and "超时升级" in page.text
    assert not DeadlineNotice.objects.filter(recipient=world.zhoujiu, read_at__isnull=True).exists()
