"""The rescues of a case through the API (GET and POST /cases/{case_no}/rescues), on the
case page and in the adjusting report."""

from datetime import timedelta

import pytest
from django.test import Client as PageClient
from django.urls import reverse
from django.utils import timezone

from lossdesk.claims.pdf import adjusting_report_html
from lossdesk.field.models import Rescue
from lossdesk.field.services import do_record_rescue
from lossdesk.field.tests.test_services import add_photo, rescue_data
from lossdesk.testing import API, client_for, error_of

pytestmark = pytest.mark.django_db


def url(case) -> str:
    return f"{API}/cases/{case.case_no}/rescues"


def body(**overrides) -> dict:
    now = timezone.localtime()
    data = {
        "type": "tow",
        "firm": "杭州畅通道路救援有限公司",
        "start_place": "文三路与学院路交叉口",
        "end_place": "杭州大众4S店",
        "distance_km": "12.5",
        "fee": "¥350",
        "started_at": (now - timedelta(minutes=50)).isoformat(),
        "ended_at": (now - timedelta(minutes=10)).isoformat(),
    }
    data.update(overrides)
    return data


def test_the_surveyor_posts_a_rescue_and_lists_it(firm):
    case = firm.surveying_case()
    shot = add_photo(firm, case)
    api = client_for(firm.zhangsan)
    response = api.post(url(case), body(photos=[shot.pk]), format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["type"], created["fee"], created["distance_km"]) == ("tow", "350.00", "12.50")
    assert created["photos"] == [shot.pk]
    assert created["recorded_by"]["full_name"] == "张三"
    case.refresh_from_db()
    assert created["case_version"] == case.version
    listed = api.get(url(case)).json()
    assert listed["count"] == 1
    assert listed["results"][0]["id"] == created["id"]
    assert listed["results"][0]["firm"] == "杭州畅通道路救援有限公司"


def test_bad_input_is_a_400_with_chinese_field_messages_and_saves_nothing(firm):
    case = firm.surveying_case()
    api = client_for(firm.zhangsan)
    response = api.post(url(case), body(type="boat", fee="abc", firm=""), format="json")
    assert response.status_code == 400
    fields = error_of(response)["fields"]
    assert set(fields) == {"type", "fee", "firm"}
    assert fields["fee"] == ["请输入数字。"]
    assert "boat" in fields["type"][0]
    # The service's own rule, in the same shape.
    response = api.post(url(case), body(end_place=""), format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_rescue"
    assert error["fields"] == {"end_place": ["拖车须填写终点（拖往何处）。"]}
    # An id beyond any database integer is a field message, not a server error.
    response = api.post(url(case), body(photos=[2**70]), format="json")
    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["photos.0"]
    assert not Rescue.objects.exists()


def test_a_case_the_caller_does_not_hold_is_404_for_get_and_post(firm):
    case = firm.surveying_case()
    api = client_for(firm.wangwu)
    assert api.get(url(case)).status_code == 404
    response = api.post(url(case), body(), format="json")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert not Rescue.objects.exists()


def test_a_stale_version_is_409(firm):
    case = firm.surveying_case()
    response = client_for(firm.zhangsan).post(
        url(case), body(version=case.version - 1), format="json"
    )
    assert response.status_code == 409
    assert error_of(response)["code"] == "conflict"


def test_the_case_page_and_the_adjusting_report_show_the_rescue(firm):
    case = firm.assessed_case()
    do_record_rescue(case, rescue_data(type="crane"), actor=firm.zhangsan)
    page = PageClient()
    page.force_login(firm.lisi)
    html = page.get(reverse("claims:case-detail", args=[case.case_no])).content.decode()
    assert 'data-testid="rescue-panel"' in html
    assert "吊装 · 杭州畅通道路救援有限公司" in html and "350.00 元" in html
    report = adjusting_report_html(case, None)
    assert "救援情况" in report
    assert (
        "吊装" in report and "文三路与学院路交叉口 → 杭州大众4S店" in report and "350.00" in report
    )


def test_a_case_without_rescues_shows_no_rescue_section(firm):
    case = firm.assessed_case()
    assert "救援情况" not in adjusting_report_html(case, None)
    page = PageClient()
    page.force_login(firm.lisi)
    html = page.get(reverse("claims:case-detail", args=[case.case_no])).content.decode()
    assert 'data-testid="rescue-panel"' not in html
