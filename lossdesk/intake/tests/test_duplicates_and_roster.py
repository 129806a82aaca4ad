"""The likely-duplicate flag (same plate or VIN, accidents within 72 hours) shown to the
dispatcher, and the roster page the recommendation reads."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import ADDITION, DELETION, LogEntry
from django.urls import reverse
from django.utils import timezone

from lossdesk.claims.choices import EventType
from lossdesk.intake.models import RosterShift
from lossdesk.testing import VALID_VINS

pytestmark = pytest.mark.django_db


def at(hours_ago: float):
    return timezone.now() - timedelta(hours=hours_ago)


def test_the_same_plate_within_72_hours_is_flagged_against_the_first_report(firm):
    first = firm.registered_case(accident_time=at(80), reported_at=at(79), vin="")
    second = firm.registered_case(
        client_claim_no="PICC-DUP-2", accident_time=at(10), reported_at=at(9), vin=""
    )
    assert second.report.possible_duplicate_of == first.report
    event = second.events.get(type=EventType.POSSIBLE_DUPLICATE)
    assert first.report.report_no in event.message and "车牌相同" in event.message
    assert first.report.possible_duplicate_of is None


def test_the_same_vin_under_another_plate_is_flagged_too(firm):
    first = firm.registered_case(vin=VALID_VINS[1], plate="浙A11111")
    second = firm.registered_case(client_claim_no="PICC-VIN", vin=VALID_VINS[1], plate="浙B22222")
    assert second.report.possible_duplicate_of == first.report
    assert "VIN相同" in second.events.get(type=EventType.POSSIBLE_DUPLICATE).message


def test_accidents_more_than_72_hours_apart_or_of_other_vehicles_are_not_flagged(firm):
    firm.registered_case(accident_time=at(100), reported_at=at(99))
    later = firm.registered_case(
        client_claim_no="PICC-LATER", accident_time=at(27), reported_at=at(26)
    )  # 73 hours after the first
    other = firm.registered_case(
        client_claim_no="PICC-OTHER-CAR", plate="浙C33333", vin=VALID_VINS[2]
    )
    assert later.report.possible_duplicate_of is None
    assert other.report.possible_duplicate_of is None
    assert not later.events.filter(type=EventType.POSSIBLE_DUPLICATE).exists()


def test_the_dispatcher_sees_the_flag_on_the_case_and_as_a_badge_in_the_list(client, firm):
    first = firm.registered_case()
    second = firm.registered_case(client_claim_no="PICC-DUP-2")
    client.force_login(firm.zhaoliu)
    page = client.get(reverse("claims:case-detail", args=[second.case_no])).content.decode()
    assert 'data-testid="duplicate-flag"' in page
    assert first.report.report_no in page and first.case_no in page
    listing = client.get(reverse("claims:case-list")).content.decode()
    assert listing.count('data-testid="duplicate-badge"') == 1
    original = client.get(reverse("claims:case-detail", args=[first.case_no])).content.decode()
    assert 'data-testid="duplicate-flag"' not in original


def test_the_flag_does_not_link_to_a_case_the_viewer_cannot_see(client, firm):
    first = firm.registered_case()
    second = firm.registered_case(client_claim_no="PICC-DUP-2")
    first.branch = firm.ningbo  # the first report was handled by 宁波
    first.save()
    client.force_login(firm.zhaoliu)
    page = client.get(reverse("claims:case-detail", args=[second.case_no])).content.decode()
    assert first.report.report_no in page
    assert first.case_no not in page


def test_the_dispatcher_keeps_the_roster_of_their_branch(client, firm):
    client.force_login(firm.zhaoliu)
    day = timezone.localdate()
    url = reverse("intake:roster")
    assert client.get(url).status_code == 200
    data = {
        "surveyor": firm.zhangsan.pk,
        "zone": "西湖区",
        "date": day.isoformat(),
        "start_time": "20:00",
        "end_time": "08:00",
    }
    assert client.post(url, data).status_code == 302
    shift = RosterShift.objects.get()
    assert shift.branch == firm.hangzhou
    assert shift.bounds()[1].date() == day + timedelta(days=1)  # overnight
    page = client.get(f"{url}?date={day.isoformat()}").content.decode()
    assert "西湖区" in page and "（次日）" in page
    refused = client.post(url, {**data, "surveyor": firm.wangwu.pk})  # 宁波's surveyor
    assert refused.status_code == 400
    client.force_login(firm.wushi)
    assert client.post(url, {"delete": shift.pk}).status_code == 404
    client.force_login(firm.zhaoliu)
    assert client.post(url, {"delete": shift.pk}).status_code == 302
    assert not RosterShift.objects.exists()
    # Both changes are in the admin log, by the dispatcher, naming the shift.
    logged = LogEntry.objects.filter(user=firm.zhaoliu).order_by("action_time", "id")
    assert [entry.action_flag for entry in logged] == [ADDITION, DELETION]
    assert all(
        "张三" in entry.change_message and "西湖区" in entry.change_message for entry in logged
    )
