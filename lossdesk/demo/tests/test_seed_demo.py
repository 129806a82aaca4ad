"""`manage.py seed_demo`: the demo firm, its cases in every state, the printed logins, and
the refusal to seed twice. The 30-case seed runs once for the module (inside a transaction
that is rolled back afterwards); each test reads it."""

import re
from datetime import timedelta
from html.parser import HTMLParser
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.auth.hashers import check_password
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from lossdesk.claims.choices import AttachmentKind, CancelReason, CaseStatus, EventType
from lossdesk.claims.models import AdjustingReport, Attachment, Case, CaseEvent
from lossdesk.core.errors import ServiceError
from lossdesk.core.validators import validate_mobile, validate_plate, validate_vin
from lossdesk.demo import builder as demo
from lossdesk.demo import firm as firm_demo
from lossdesk.demo import vehicles as vehicle_demo
from lossdesk.demo.management.commands import seed_demo as seed_demo_command
from lossdesk.intake.choices import (
    CallbackMethod,
    CallbackStatus,
    DelegationStatus,
    DispatchAlertKind,
    DispatchStatus,
)
from lossdesk.intake.models import Callback, Delegation, DispatchAlert, Report, RosterShift
from lossdesk.intake.queries import surveyor_callback_ratings
from lossdesk.intake.scoring import POSITION_STALE_AFTER, haversine_km
from lossdesk.intake.services.dispatch import recommend_surveyors
from lossdesk.notify.backends import OutboxBackend
from lossdesk.notify.models import SmsMessage
from lossdesk.org.choices import BranchLevel, RepairShopKind
from lossdesk.org.models import Branch, Client, ClientContact, RepairShop, Staff
from lossdesk.org.positions import ADMIN_POSITIONS, STANDARD_POSITIONS
from lossdesk.parts.identification import identify_vin
from lossdesk.parts.models import Make, Part, Series
from lossdesk.parts.seeding import SERIES

DEMO_PASSWORD = "demo-pass-2026"
CASES = 30
PARTS = 300
PLATE_PREFIXES = {
    "杭州": "浙A",
    "宁波": "浙B",
    "南京": "苏A",
    "苏州": "苏E",
    "广州": "粤A",
    "深圳": "粤B",
}
PAST_SURVEY = {
    CaseStatus.ASSESSING,
    CaseStatus.IN_REVIEW,
    CaseStatus.IN_SECOND_REVIEW,
    CaseStatus.APPROVED,
    CaseStatus.REPORT_ISSUED,
    CaseStatus.CLOSED,
}


CALLBACK_EVENTS = {EventType.CALLBACK_CREATED, EventType.CALLBACK_COMPLETED}


def km_to_city(point: tuple[float, float], branch: Branch) -> float:
    """Distance to the nearest district centre of a demo city branch."""
    districts = firm_demo.CITY_BY_CODE[branch.code].districts
    return min(haversine_km(point, (lat, lng)) for _, lat, lng in districts)


def counts() -> dict[str, int]:
    models = (Branch, Staff, Client, RepairShop, Case, CaseEvent, Attachment, AdjustingReport)
    return {model.__name__: model.objects.count() for model in models}


# --- tests that need an empty database run first: the shared seed lives until the module ends


def test_seeding_refuses_a_database_that_already_has_the_firm(firm):
    before = counts()
    with pytest.raises(CommandError, match="演示数据已存在"):
        call_command("seed_demo", "--cases", "3", stdout=StringIO())
    assert counts() == before


def test_a_failing_build_leaves_no_rows_and_no_files(db, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    calls = []

    def fail_when_submitting(self, plan):
        calls.append([p for p in (tmp_path / "media").rglob("*") if p.is_file()])
        raise ServiceError("模拟失败")

    monkeypatch.setattr(demo.DemoBuilder, "_do_submit", fail_when_submitting)
    with pytest.raises(CommandError, match="模拟失败"):
        call_command("seed_demo", "--cases", "14", stdout=StringIO())
    assert calls and calls[0]  # photos had been stored when the build failed
    assert all(count == 0 for count in counts().values())
    stored = [p for p in (tmp_path / "media").rglob("*") if p.is_file()]
    assert stored == []


def test_a_weak_password_is_refused_before_anything_is_written(db):
    with pytest.raises(CommandError, match="密码"):
        call_command("seed_demo", "--password", "123", stdout=StringIO())
    assert Branch.objects.count() == 0


def test_every_state_is_planned_once_there_are_as_many_cases_as_states():
    for n in (len(CaseStatus), 30, 200):
        targets = demo.DemoBuilder(cases=n)._targets()
        assert len(targets) == n
        assert set(targets) == set(CaseStatus.values)


def test_the_same_seed_plans_the_same_staff_and_another_seed_differs():
    first, again = demo.DemoBuilder(seed=7), demo.DemoBuilder(seed=7)
    assert first.staff_plan == again.staff_plan
    assert demo.DemoBuilder(seed=8).staff_plan != first.staff_plan


def test_generated_vins_have_valid_check_digits():
    builder = demo.DemoBuilder()
    for model in vehicle_demo.MODELS:
        for year in model.years:
            validate_vin(builder._vin(model, year))


def test_the_demo_catalogue_has_a_vin_rule_for_each_demo_series_it_carries():
    rules = {
        (spec.wmi, spec.code + engine): spec.name for spec in SERIES for engine, *_ in spec.engines
    }
    for model in vehicle_demo.MODELS:
        series = model.name.split()[0]
        if any(spec.make == model.brand and spec.name == series for spec in SERIES):
            assert rules.get((model.wmi, model.vds[:3])) == series, model.name


def test_an_existing_catalogue_is_kept(db):
    Make.objects.create(name="测试品牌", name_en="Test", manufacturer="测试", wmi_codes="LXX")
    line, seconds = seed_demo_command.Command.seed_catalogue(50, 1, print, 1)
    assert line == "配件目录：已有数据，保留现有目录。" and seconds == 0.0
    assert not Part.objects.exists()


# --- the shared 30-case seed ------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        out = StringIO()
        call_command(
            "seed_demo",
            *("--cases", str(CASES), "--parts", str(PARTS), "--password", DEMO_PASSWORD),
            stdout=out,
        )
        yield SimpleNamespace(output=out.getvalue(), media=media)
        transaction.set_rollback(True)


@pytest.fixture
def demo_db(seeded, db, settings):
    settings.MEDIA_ROOT = seeded.media
    return seeded


def test_the_demo_firm_has_an_hq_three_provinces_and_six_cities(demo_db):
    hq = Branch.objects.get(code=firm_demo.HQ_CODE)
    assert (hq.name, hq.level, hq.city) == ("总部", BranchLevel.HQ, "杭州")
    provinces = Branch.objects.filter(level=BranchLevel.PROVINCE, parent=hq)
    assert set(provinces.values_list("name", flat=True)) == {
        "浙江分公司",
        "江苏分公司",
        "广东分公司",
    }
    cities = Branch.objects.filter(level=BranchLevel.CITY)
    assert set(cities.values_list("city", flat=True)) == set(PLATE_PREFIXES)
    assert all(city.path.startswith(city.parent.path) for city in cities)
    assert Branch.objects.count() == 10


def test_the_demo_staff_cover_every_position_with_admins_at_hq(demo_db):
    staff = list(Staff.objects.select_related("branch", "position"))
    assert 40 <= len(staff) <= 60
    assert {user.position.code for user in staff} == set(STANDARD_POSITIONS)
    for user in staff:
        assert user.username.isascii() and user.username.isalpha() and user.username.islower()
        validate_mobile(user.mobile)
        is_admin = user.position.code in ADMIN_POSITIONS
        assert user.is_staff == is_admin
        assert not user.is_superuser
        if is_admin or user.position.code == "finance":
            assert user.branch.code == firm_demo.HQ_CODE
    for city in Branch.objects.filter(level=BranchLevel.CITY):
        positions = [u.position.code for u in staff if u.branch_id == city.pk]
        for code in ("dispatcher", "assessor", "reviewer", "branch_manager"):
            assert positions.count(code) == 1, (city.name, code)
        assert 2 <= positions.count("surveyor") <= 3


def test_five_insurers_have_branches_in_the_three_provinces_and_contacts(demo_db):
    clients = Client.objects.prefetch_related("branches__contacts")
    assert {c.short_name for c in clients} == {
        "人保财险",
        "平安产险",
        "太保产险",
        "国寿财险",
        "大地保险",
    }
    assert Client.objects.get(short_name="人保财险").name == "中国人民财产保险股份有限公司"
    for client in clients:
        assert {b.province for b in client.branches.all()} == {"浙江", "江苏", "广东"}
        assert all(branch.contacts.exists() for branch in client.branches.all())
    for contact in ClientContact.objects.all():
        validate_mobile(contact.mobile)
    assert min(c.second_review_threshold for c in clients) < max(
        c.second_review_threshold for c in clients
    )


def test_every_city_has_two_or_three_repair_shops_with_a_4s_dealer_and_a_class_one_shop(demo_db):
    for city in Branch.objects.filter(level=BranchLevel.CITY):
        kinds = list(city.repair_shops.values_list("kind", flat=True))
        assert 2 <= len(kinds) <= 3
        assert RepairShopKind.DEALER_4S in kinds and RepairShopKind.CLASS_1 in kinds


def test_the_demo_cases_cover_every_case_status(demo_db):
    assert Case.objects.count() == CASES
    statuses = set(Case.objects.values_list("status", flat=True))
    assert statuses == set(CaseStatus.values)
    for case in Case.objects.filter(status=CaseStatus.CANCELLED):
        assert case.cancel_reason and case.closed_at
    for case in Case.objects.filter(status=CaseStatus.IN_SECOND_REVIEW):
        assert case.assessed_amount > case.client.second_review_threshold
    for case in Case.objects.filter(status=CaseStatus.AWAITING_DOCUMENTS):
        assert case.resume_status and case.document_requests.filter(status="open").exists()


def test_demo_cases_carry_valid_plates_and_vins_of_their_city(demo_db):
    for case in Case.objects.select_related("report", "branch"):
        report = case.report
        validate_plate(report.plate)
        if report.vin:
            validate_vin(report.vin)  # the check digit too
        assert report.plate.startswith(PLATE_PREFIXES[case.branch.city])
        # A case delegated as a whole had its accident in the receiving branch's city.
        whole = case.delegations.filter(loss_item__isnull=True).select_related("to_branch")
        scene = whole[0].to_branch if whole else case.branch
        assert report.accident_place.startswith(f"{scene.city}市")
        if report.accident_lat is not None:
            point = (float(report.accident_lat), float(report.accident_lng))
            assert km_to_city(point, scene) < 3
        assert report.description
        for plate in filter(None, report.third_party_plates.split(",")):
            validate_plate(plate)


def test_demo_dates_are_ordered_and_spread_over_the_last_90_days(demo_db):
    now = timezone.now()
    opened = []
    for case in Case.objects.select_related("report"):
        report = case.report
        assert report.accident_time <= report.reported_at <= case.opened_at <= now
        assert case.opened_at >= now - timedelta(days=91)
        opened.append(case.opened_at)
        events = list(case.events.order_by("id").values_list("created_at", "type"))
        assert events[0][1] == EventType.REPORT_REGISTERED
        assert events[0][0] == case.opened_at
        times = [created for created, _ in events]
        assert times == sorted(times) and times[-1] <= now
        if case.closed_at:  # only the callback comes after the end
            ending = [t for t, kind in events if kind not in CALLBACK_EVENTS]
            assert case.closed_at == ending[-1]
    assert max(opened) - min(opened) > timedelta(days=30)


def test_the_events_match_each_case_state(demo_db):
    finals = {CaseStatus.CLOSED: EventType.CLOSED, CaseStatus.CANCELLED: EventType.CANCELLED}
    in_the_queue = {
        EventType.POSSIBLE_DUPLICATE,
        EventType.DISPATCHED,
        EventType.DISPATCH_DECLINED,
        EventType.DISPATCH_TIMED_OUT,
        EventType.DELEGATION_REQUESTED,
        EventType.DELEGATION_REFUSED,
        # The alert job runs over open cases whatever their state (demo.quality).
        EventType.ALERT_RAISED,
        EventType.ALERT_RESOLVED,
    }
    for case in Case.objects.all():
        types = list(case.events.order_by("id").values_list("type", flat=True))
        if case.status in finals:
            assert [t for t in types if t not in CALLBACK_EVENTS][-1] == finals[case.status]
        if case.status in (CaseStatus.REPORT_ISSUED, CaseStatus.CLOSED):
            assert EventType.REPORT_ISSUED in types
            assert case.adjusting_report.amount == case.approved_amount > 0
        if case.status == CaseStatus.REGISTERED:
            assert types[0] == EventType.REPORT_REGISTERED
            assert set(types[1:]) <= in_the_queue
            # dispatched, then declined or timed out: back in the queue
            assert types.count(EventType.DISPATCHED) == (
                types.count(EventType.DISPATCH_DECLINED) + types.count(EventType.DISPATCH_TIMED_OUT)
            )


def test_cases_past_the_survey_have_one_to_three_photos_stored_as_jpeg_files(demo_db):
    for case in Case.objects.filter(status__in=PAST_SURVEY):
        photos = list(case.attachments.filter(kind=AttachmentKind.PHOTO))
        assert 1 <= len(photos) <= 3, case.case_no
        for photo in photos:
            assert default_storage.exists(photo.file.name)
            with default_storage.open(photo.file.name) as fh, Image.open(fh) as image:
                assert image.format == "JPEG"
                assert (image.width, image.height) == (photo.width, photo.height)


def test_no_demo_photo_is_taken_for_another_cases(demo_db):
    # Each photo is framed on its own; were they alike, every case would carry a
    # near-duplicate finding and the risk board would show nothing else.
    photos = Attachment.objects.filter(kind=AttachmentKind.PHOTO)
    assert photos.count() > 20
    assert not photos.filter(duplicate_of__isnull=False).exists()


def test_issued_adjusting_reports_are_stored_pdfs(demo_db):
    reports = list(AdjustingReport.objects.all())
    assert reports
    for report in reports:
        with default_storage.open(report.file.name) as fh:
            assert fh.read(4) == b"%PDF"


def test_every_city_branch_keeps_a_roster_from_a_few_days_back_to_a_week_ahead(demo_db):
    now, today = timezone.now(), timezone.localdate()
    for branch in Branch.objects.filter(level=BranchLevel.CITY):
        districts = {name for name, _, _ in firm_demo.CITY_BY_CODE[branch.code].districts}
        surveyors = set(
            Staff.objects.filter(branch=branch, position__code="surveyor").values_list(
                "pk", flat=True
            )
        )
        shifts = list(RosterShift.objects.filter(branch=branch))
        assert {shift.surveyor_id for shift in shifts} == surveyors
        assert {shift.zone for shift in shifts} <= districts
        dates = {shift.date for shift in shifts}
        assert {today - timedelta(days=3), today, today + timedelta(days=7)} <= dates
        assert {(s.start_time.hour, s.end_time.hour) for s in shifts} == {(8, 20), (20, 8)}
        on_duty = [shift for shift in shifts if shift.covers(now)]
        assert len(on_duty) == 1, branch.name  # one day or night shift at any time


def test_surveyors_report_positions_in_their_city_fresh_while_on_duty(demo_db):
    now = timezone.now()
    for surveyor in Staff.objects.filter(position__code="surveyor").select_related("branch"):
        point = (float(surveyor.last_lat), float(surveyor.last_lng))
        assert km_to_city(point, surveyor.branch) < 6, surveyor.username
        assert surveyor.last_position_at <= now
        shifts = RosterShift.objects.filter(surveyor=surveyor)
        if any(shift.covers(now) for shift in shifts):
            assert now - surveyor.last_position_at < POSITION_STALE_AFTER
    for branch in Branch.objects.filter(level=BranchLevel.CITY):  # someone for injuries
        assert Staff.objects.filter(branch=branch, skill_injury=True).exists()


def test_the_recommendation_for_a_case_in_the_queue_gives_real_reasons(demo_db):
    waiting = Case.objects.filter(
        status=CaseStatus.REGISTERED, report__accident_lat__isnull=False
    ).select_related("report")
    assert waiting
    for case in waiting:
        ranking = recommend_surveyors(case)
        surveyors = Staff.objects.filter(branch=case.branch, position__code="surveyor")
        assert {r.candidate.id for r in ranking} == set(surveyors.values_list("pk", flat=True))
        for ranked in ranking:
            factors = ["duty", "distance", "workload", "skills"] + ["declined"] * ranked.declined
            assert [r.factor for r in ranked.reasons] == factors
        on_duty = [r for r in ranking if r.on_duty]
        assert len(on_duty) == 1 and all(r.on_duty is False for r in ranking if not r.on_duty)
        assert on_duty[0].reasons[0].text.startswith("在班（")
        assert on_duty[0].distance_km is not None  # a fresh position and a located accident
        assert on_duty[0].reasons[1].text.startswith("距出险地 ")


def test_a_declined_dispatch_leaves_the_case_in_the_queue_with_an_alert(demo_db):
    alerts = DispatchAlert.objects.filter(resolved_at__isnull=True).select_related(
        "case", "dispatch"
    )
    assert alerts
    for alert in alerts:
        assert alert.kind == DispatchAlertKind.DECLINED
        assert alert.case.status == CaseStatus.REGISTERED and alert.case.surveyor_id is None
        assert alert.dispatch.status == DispatchStatus.DECLINED and alert.dispatch.decline_reason
    for alert in DispatchAlert.objects.filter(resolved_at__isnull=False).select_related("case"):
        again = alert.case.dispatches.filter(dispatched_at__gte=alert.created_at)
        assert again.exclude(pk=alert.dispatch_id).exists()
    assert DispatchAlert.objects.filter(kind=DispatchAlertKind.TIMED_OUT).exists()


def test_delegations_wait_are_worked_and_are_refused_or_returned(demo_db):
    delegations = Delegation.objects.select_related("case", "from_branch", "to_branch")
    statuses = {d.status for d in delegations}
    assert {DelegationStatus.REQUESTED, DelegationStatus.ACCEPTED} <= statuses
    assert statuses & {DelegationStatus.REFUSED, DelegationStatus.RETURNED}
    for delegation in delegations:
        assert delegation.from_branch == delegation.case.branch
        assert delegation.to_branch.dispatch_region != delegation.from_branch.dispatch_region
        case = delegation.case
        if delegation.status == DelegationStatus.REQUESTED:  # the receiving branch sees it
            dispatcher = Staff.objects.get(branch=delegation.to_branch, position__code="dispatcher")
            assert Case.objects.for_user(dispatcher).filter(pk=case.pk).exists()
        if delegation.status == DelegationStatus.ACCEPTED:  # and works it
            assert case.surveyor.branch == delegation.to_branch
            assert case.dispatches.filter(dispatched_by__branch=delegation.to_branch).exists()
        if delegation.status == DelegationStatus.REFUSED:
            assert delegation.decision_note
        if delegation.status == DelegationStatus.RETURNED:
            assert delegation.end_reason
        if delegation.status in (DelegationStatus.REFUSED, DelegationStatus.RETURNED):
            assert case.surveyor.branch == delegation.from_branch  # surveyed at home after all


def test_closed_cases_get_a_callback_many_answered_with_a_rating(demo_db):
    now = timezone.now()
    closed = Case.objects.filter(status=CaseStatus.CLOSED)
    callbacks = Callback.objects.select_related("case")
    assert {c.case_id for c in callbacks} == set(closed.values_list("pk", flat=True))
    completed = [c for c in callbacks if c.status == CallbackStatus.COMPLETED]
    assert completed
    for callback in callbacks:
        assert callback.surveyor_id == callback.case.surveyor_id
        assert callback.created_at == callback.case.closed_at
    for callback in completed:
        assert 1 <= callback.rating <= 5
        assert callback.case.closed_at < callback.completed_at <= now
        by_phone = callback.called_by_id is not None
        assert by_phone or callback.method == CallbackMethod.SMS
    rated = surveyor_callback_ratings()
    assert sum(row["callbacks"] for row in rated) == len(completed)


def test_a_second_report_of_the_same_accident_is_flagged_and_cancelled(demo_db):
    flagged = Report.objects.filter(possible_duplicate_of__isnull=False).select_related(
        "possible_duplicate_of", "case"
    )
    assert flagged
    for report in flagged:
        first = report.possible_duplicate_of
        assert report.plate == first.plate and report.client_claim_no != first.client_claim_no
        assert abs(report.accident_time - first.accident_time) <= timedelta(hours=72)
        assert report.case.events.filter(type=EventType.POSSIBLE_DUPLICATE).exists()
        assert report.case.cancel_reason == CancelReason.DUPLICATE
        assert first.report_no in report.case.cancel_note


def test_the_command_prints_every_login_with_the_password(demo_db):
    output = demo_db.output
    assert demo.DEFAULT_PASSWORD not in output
    assert DEMO_PASSWORD in output
    for user in Staff.objects.select_related("position", "branch"):
        line = next(line for line in output.splitlines() if line.startswith(user.username + " "))
        assert user.full_name in line and user.position.name in line and user.branch.name in line
    assert "秒" in output
    summary = next(line for line in output.splitlines() if line.startswith("排班 "))
    assert f"排班 {RosterShift.objects.count()} 班次" in summary
    assert f"委托异地 {Delegation.objects.count()}" in summary
    assert f"客户回访 {Callback.objects.count()}" in summary


def test_the_logins_are_printed_last_after_the_summary(demo_db):
    lines = [line for line in demo_db.output.splitlines() if line.strip()]
    done = next(i for i, line in enumerate(lines) if "用时" in line)
    logins = next(i for i, line in enumerate(lines) if "演示账号 / demo logins" in line)
    assert done < logins
    assert lines[-2].endswith(DEMO_PASSWORD) and lines[-1].startswith("管理后台")
    assert not any("配件 " in line and "/" in line for line in lines[logins:])


def test_demo_cases_vins_identify_their_series_in_the_catalogue(demo_db):
    # Every demo vehicle model the catalogue carries: a case's VIN names its series.
    catalogued = set(Series.objects.values_list("name", flat=True))
    checked = []
    for model in vehicle_demo.MODELS:
        series = model.name.split()[0]
        vins = Report.objects.filter(vin__startswith=model.wmi + model.vds[:2])
        vin = vins.order_by("pk").values_list("vin", flat=True).first()
        if series in catalogued and vin:
            assert {c.model.series.name for c in identify_vin(vin).candidates} == {series}, vin
            checked.append(series)
    assert len(checked) >= 2, checked


def test_the_demo_has_a_parts_catalogue_a_search_finds(demo_db, client):
    assert Part.objects.count() == PARTS
    assert f"配件 {PARTS}，" in demo_db.output
    assessor = Staff.objects.filter(position__code="assessor").first()
    client.force_login(assessor)
    page = client.get(reverse("parts:search"), {"q": "保险杠"})
    assert page.status_code == 200
    assert page.context["result"].hits


def test_a_demo_login_works_with_the_given_password(demo_db, client):
    surveyor = Staff.objects.filter(position__code="surveyor").first()
    assert check_password(DEMO_PASSWORD, surveyor.password)
    assert client.login(username=surveyor.username, password=DEMO_PASSWORD)
    assert not client.login(username=surveyor.username, password=demo.DEFAULT_PASSWORD)


def test_a_second_run_refuses_and_changes_nothing(demo_db):
    before = counts()
    with pytest.raises(CommandError) as exc:
        call_command("seed_demo", "--cases", "5", stdout=StringIO())
    assert exc.value.returncode == 1
    assert "演示数据已存在" in str(exc.value) and "already exists" in str(exc.value)
    assert counts() == before


# --- every user-facing string in Chinese ---------------------------------------------------

# Pointers into our repository or code, and English a user should never read. (Makers'
# English names, e.g. "Buick China", are data shown beside the Chinese name; countries are
# checked where they are shown, below.)
DEVELOPER_TEXT = re.compile(r"RULES\.md|\.py\b|src/|lossdesk\.")
ENGLISH_WORDS = re.compile(
    r"\b(Select an option|Page not found|Not Found|Server Error|Traceback|None|True|False|"
    r"Backend|Outbox|Submit|Search|Previous|Next|Delete|Save|Logout)\b"
)
SKIPPED_LINKS = re.compile(r"/(api|static|media)/|logout|export|download|\.xlsx|\.pdf|/file")
PAGES_PER_USER = 30


class VisibleText(HTMLParser):
    """The text a user reads: element text plus title / placeholder attributes, not
    scripts, styles or other markup (nor the admin's untranslatable icon alt texts)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self.hidden += 1
        if tag == "a" and (attrs.get("href") or "").startswith("/"):
            self.links.append(attrs["href"].split("#")[0])
        self.parts += [attrs[a] for a in ("title", "placeholder") if attrs.get(a)]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def walk(client, start: list[str]) -> dict[str, str]:
    """GET the start pages and the pages they link to (two levels), up to PAGES_PER_USER;
    the visible text of each HTML page by URL."""
    texts: dict[str, str] = {}
    queue = [(url, 0) for url in start]
    while queue and len(texts) < PAGES_PER_USER:
        url, depth = queue.pop(0)
        if url in texts or SKIPPED_LINKS.search(url):
            continue
        response = client.get(url)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        parser = VisibleText()
        parser.feed(response.content.decode())
        texts[url] = " ".join(parser.parts)
        if depth < 2:
            queue += [(link, depth + 1) for link in parser.links if link not in texts]
    return texts


@pytest.mark.parametrize("position", list(STANDARD_POSITIONS))
def test_no_page_shows_developer_text_or_english_to_any_demo_position(demo_db, client, position):
    user = Staff.objects.filter(position__code=position).order_by("pk").first()
    client.force_login(user)
    case = Case.objects.for_user(user).order_by("pk").first()
    start = ["/", "/this-page-does-not-exist/"]
    if case is not None:
        start.append(reverse("claims:case-detail", args=[case.case_no]))
    if user.is_staff:
        start += ["/admin/", "/admin/org/staff/add/", "/admin/calc/wmientry/"]
    texts = walk(client, start)
    assert len(texts) > 3
    found = {
        url: sorted(set(DEVELOPER_TEXT.findall(text) + ENGLISH_WORDS.findall(text)))
        for url, text in texts.items()
    }
    assert {url: words for url, words in found.items() if words} == {}


def test_the_standards_vin_and_sms_pages_read_in_chinese(demo_db, client):
    """The places the walk found English or file paths in: the WMI table's source and
    country, a decoded VIN's country, the calculators' sources, the SMS channel."""
    client.force_login(Staff.objects.filter(position__code="branch_manager").first())
    standards = client.get(reverse("calc:standards")).content.decode()
    assert "vininfo 开源库的 WMI 表" in standards and "<td>中国</td>" in standards
    vin = client.get(reverse("calc:vin"), {"vin": "LSVAU2180N2183294"}).content.decode()
    assert "<td>中国</td>" in vin and "China" not in vin
    # a WMI outside the table: the country comes from the VIN's first characters
    vin = client.get(reverse("calc:vin"), {"vin": "WDD2050461R000001"}).content.decode()
    assert "<td>德国</td>" in vin and "Germany" not in vin
    message = SmsMessage.objects.first()  # delivered after the commit, which a test lacks
    message.backend = OutboxBackend().name
    message.save(update_fields=["backend"])
    client.force_login(Staff.objects.filter(position__code="system_admin").first())
    page = client.get(reverse("notify:message-detail", args=[message.pk])).content.decode()
    assert "站内发件箱（不外发）" in page and "OutboxBackend" not in page
