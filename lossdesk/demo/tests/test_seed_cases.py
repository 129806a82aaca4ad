"""`manage.py seed_cases` and `manage.py bench_cases` (issue 16) on SQLite: 200 seeded
cases over a small demo firm are valid cases (every state, unique numbers, loss items and
timeline as the services leave them), scoped like any other, shown by the list, detail and
statistics views; `--reset` removes exactly them; the bench prints its JSON line. The demo
firm and the seed are made once for the module, inside a transaction rolled back after."""

import json
import random
from io import StringIO
from itertools import pairwise
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from lossdesk.audit.models import PiiAccess
from lossdesk.claims.choices import (
    CaseStatus,
    EventType,
    LossItemKind,
    LossItemStatus,
)
from lossdesk.claims.models import Case, CaseEvent, LossItem, SurveyRecord, is_chinese_words
from lossdesk.core.numbering import next_numbers
from lossdesk.core.validators import validate_mobile, validate_plate, validate_vin
from lossdesk.demo.management.commands.bench_cases import KINDS, Command
from lossdesk.demo.scale import SEED_MARK, seeded_cases
from lossdesk.intake.choices import DispatchStatus
from lossdesk.intake.models import Dispatch, Report
from lossdesk.org.models import Staff

SEEDED = 200
DEMO_CASES = 2


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        call_command(
            "seed_demo",
            *("--cases", str(DEMO_CASES), "--parts", "0", "--password", "demo-pass-2026"),
            stdout=StringIO(),
        )
        out = StringIO()
        call_command("seed_cases", "--cases", str(SEEDED), stdout=out)
        yield SimpleNamespace(output=out.getvalue(), media=media)
        transaction.set_rollback(True)


@pytest.fixture
def seed_db(seeded, db, settings):
    settings.MEDIA_ROOT = seeded.media
    return seeded


def staff(branch: str, position: str) -> Staff:
    return Staff.objects.get(branch__code=branch, position__code=position)


def test_seeding_without_the_demo_firm_is_refused_naming_seed_demo(db):
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_cases", "--cases", "5", stdout=StringIO())
    assert not Case.objects.exists()


def test_seeded_cases_are_counted_and_every_state_is_present(seed_db):
    cases = seeded_cases()
    assert cases.count() == SEEDED
    assert set(cases.values_list("status", flat=True)) == set(CaseStatus.values)
    assert f"案件 {SEEDED}" in seed_db.output and "件/秒" in seed_db.output


def test_numbers_follow_the_scheme_and_are_unique(seed_db):
    rows = list(
        seeded_cases().values_list("case_no", "report__report_no", "opened_at", "report_id")
    )
    case_nos = [r[0] for r in rows]
    report_nos = [r[1] for r in rows]
    assert len(set(case_nos)) == SEEDED and len(set(report_nos)) == SEEDED
    assert Case.objects.values("case_no").distinct().count() == Case.objects.count()
    for case_no, report_no, opened_at, _ in rows:
        day = timezone.localtime(opened_at).strftime("%Y%m%d")
        assert case_no.startswith(f"C{day}") and report_no.startswith(f"R{day}")
        assert case_no[9:].isdigit() and len(case_no) >= 15


def test_the_numbers_the_services_issue_next_do_not_collide(seed_db):
    report_no, case_no = next_numbers("R", "C")
    counters = {no[9:] for no in seeded_cases().values_list("case_no", flat=True)}
    assert case_no[9:] not in counters
    assert int(case_no[9:]) > max(int(c) for c in counters)
    assert not Report.objects.filter(report_no=report_no).exists()


def test_reports_are_valid_and_span_two_years(seed_db):
    reports = Report.objects.filter(client_claim_no__startswith=SEED_MARK)
    for report in reports[:50]:
        validate_plate(report.plate)
        if report.vin:
            validate_vin(report.vin)
        validate_mobile(report.driver_phone)
        assert report.accident_time <= report.reported_at <= report.case.opened_at
    opened = seeded_cases().order_by("opened_at").values_list("opened_at", flat=True)
    assert (opened.last() - opened.first()).days > 365


def test_loss_items_follow_the_report_and_the_case_state(seed_db):
    for case in seeded_cases().select_related("report").prefetch_related("loss_items"):
        report, items = case.report, list(case.loss_items.all())
        kinds = [item.kind for item in items]
        assert kinds[0] == LossItemKind.INSURED_VEHICLE and items[0].plate == report.plate
        assert kinds.count(LossItemKind.THIRD_PARTY_VEHICLE) == report.third_party_vehicles
        assert kinds.count(LossItemKind.PROPERTY) == int(report.property_loss)
        assert kinds.count(LossItemKind.INJURY) == report.injured_persons
        assert [item.seq for item in items] == list(range(1, len(items) + 1))
        expected = {
            CaseStatus.CANCELLED: LossItemStatus.CANCELLED,
            CaseStatus.IN_REVIEW: LossItemStatus.SUBMITTED,
            CaseStatus.CLOSED: LossItemStatus.APPROVED,
            CaseStatus.REGISTERED: LossItemStatus.PENDING,
        }.get(case.status)
        if expected:
            assert {item.status for item in items} == {expected}, case.status


def test_the_timeline_ends_in_the_case_state_and_dispatches_match(seed_db):
    for case in seeded_cases().prefetch_related("events", "dispatches"):
        events = sorted(case.events.all(), key=lambda e: (e.created_at, e.pk))
        assert events[0].type == EventType.REPORT_REGISTERED
        moves = [e.data["status"] for e in events if "status" in e.data]
        if case.status == CaseStatus.REGISTERED:
            assert moves == [] and case.surveyor_id is None
        else:
            assert moves[-1][1] == case.status
            assert case.surveyor_id is not None
        assert all(a.created_at <= b.created_at for a, b in pairwise(events))
        live = [d for d in case.dispatches.all() if d.status != DispatchStatus.DECLINED]
        assert len(live) == (0 if case.status == CaseStatus.REGISTERED else 1)
        for d in live:
            assert d.surveyor_id == case.surveyor_id
            if d.arrived_at:
                minutes = (d.arrived_at - d.dispatched_at).total_seconds() / 60
                assert d.dispatch_to_arrival_minutes == round(minutes)
        if case.status in (CaseStatus.CLOSED, CaseStatus.CANCELLED):
            assert case.closed_at == events[-1].created_at
        else:
            assert case.closed_at is None
    past_survey = seeded_cases().filter(status=CaseStatus.CLOSED)
    assert SurveyRecord.objects.filter(case__in=past_survey).count() == past_survey.count()


def test_a_branch_user_sees_only_the_seeded_cases_of_the_branch_through_the_api(seed_db, client):
    user = staff("hangzhou", "dispatcher")
    client.force_login(user)
    mine = set(seeded_cases().filter(branch=user.branch).values_list("case_no", flat=True))
    others = seeded_cases().exclude(branch=user.branch)
    assert mine and others.exists()
    seen, url = set(), "/api/v1/cases?page_size=200"
    while url:
        body = client.get(url).json()
        seen |= {row["case_no"] for row in body["results"]}
        url = body["next"]
    assert mine <= seen
    assert not seen & set(others.values_list("case_no", flat=True))
    other = others.first()
    assert client.get(f"/api/v1/cases/{other.case_no}").status_code == 404
    own = seeded_cases().filter(branch=user.branch).first()
    detail = client.get(f"/api/v1/cases/{own.case_no}")
    assert detail.status_code == 200 and detail.json()["case_no"] == own.case_no


def test_search_finds_a_seeded_case_by_plate_vin_phone_and_number(seed_db, client):
    client.force_login(staff("hq", "branch_manager"))
    case = seeded_cases().select_related("report").exclude(report__vin="").first()
    report = case.report
    for q in (report.plate, report.vin, report.driver_phone, case.case_no, report.report_no):
        found = client.get("/api/v1/cases", {"q": q}).json()["results"]
        assert case.case_no in {row["case_no"] for row in found}, q


def test_the_case_list_detail_and_statistics_pages_show_seeded_cases(seed_db, client):
    client.force_login(staff("hq", "branch_manager"))
    case = seeded_cases().filter(status=CaseStatus.CLOSED).order_by("-opened_at").first()
    listing = client.get(reverse("claims:case-list"), {"q": case.case_no})
    assert listing.status_code == 200 and case.case_no in listing.content.decode()
    detail = client.get(reverse("claims:case-detail", args=[case.case_no]))
    assert detail.status_code == 200 and case.report.plate in detail.content.decode()
    month = {"date_from": "2020-01-01", "date_to": "2030-12-31"}
    for url in ("/stats/", "/stats/reports/", "/stats/dispatch/"):
        assert client.get(url, month).status_code == 200, url
    body = client.get("/api/v1/statistics/reports", month).json()
    assert body["total"]["values"]["reports"] == Case.objects.count()


def test_reset_removes_exactly_the_seeded_cases(seed_db):
    demo_cases = set(
        Case.objects.exclude(report__client_claim_no__startswith=SEED_MARK).values_list(
            "pk", flat=True
        )
    )
    demo_events = CaseEvent.objects.filter(case__in=demo_cases).count()
    demo_items = LossItem.objects.filter(case__in=demo_cases).count()
    demo_dispatches = Dispatch.objects.filter(case__in=demo_cases).count()
    assert len(demo_cases) == DEMO_CASES
    with transaction.atomic():
        out = StringIO()
        call_command("seed_cases", "--cases", "0", "--reset", stdout=out)
        assert f"{SEEDED}" in out.getvalue()
        assert set(Case.objects.values_list("pk", flat=True)) == demo_cases
        assert Report.objects.count() == DEMO_CASES
        assert CaseEvent.objects.count() == demo_events
        assert LossItem.objects.count() == demo_items
        assert Dispatch.objects.count() == demo_dispatches
        transaction.set_rollback(True)


def test_bench_prints_one_json_line_with_every_kind_for_both_users(seed_db):
    out = StringIO()
    call_command("bench_cases", "--queries", "2", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert result["benchmark"] == "bench_cases" and result["cases"] == Case.objects.count()
    assert result["users"]["hq"]["data_scope"] == "subtree"
    assert result["users"]["branch"]["data_scope"] == "branch"
    for key in ("kinds", "kinds_branch_user"):
        assert set(result[key]) == set(KINDS)
        for kind, figures in result[key].items():
            for field in ("p50_ms", "p95_ms", "bare_sql_p95_ms", "ratio_p95", "queries"):
                assert figures[field] > 0, (key, kind, field)
            assert figures["samples"] == 2
    assert result["kinds"]["search_case_no"]["avg_rows"] == 1
    assert result["rss_mb"] > 0


def test_the_bench_samples_cases_from_the_whole_table(seed_db):
    """The searched and shown cases are drawn from all the cases the user sees, not the
    lowest ids among them (the oldest few per cent of a million)."""
    user = staff("hq", "branch_manager")
    command = Command()
    command.rng = random.Random(16)
    ids = sorted(Case.objects.for_user(user).values_list("pk", flat=True))
    sample = [row["pk"] for row in command.sample(user)]
    assert len(sample) == len(set(sample)) == 20
    assert sample != ids[:20]
    assert max(sample) > ids[len(ids) // 2] > min(sample)


def _statements(work) -> list[tuple]:
    captured = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params, many))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        work()
    return captured


def test_the_replay_deletes_the_rows_it_inserted_and_rolls_back_other_writes(seed_db):
    """The bench replays a request's statements without a ROLLBACK (which would drop the
    connection's prepared statements): an INSERT it repeats (a phone's access record) is
    deleted again, and a replay with another write is rolled back, so the bench leaves the
    data as the requests left it."""
    user = staff("hq", "branch_manager")
    inserted = _statements(
        lambda: PiiAccess.objects.create(user=user, case_no="C1", source="bench-test")
    )
    records = PiiAccess.objects.count()
    assert Command.replay(inserted) > 0
    assert PiiAccess.objects.count() == records

    case = Case.objects.order_by("pk").first()
    updated = _statements(lambda: Case.objects.filter(pk=case.pk).update(cancel_note="replayed"))
    Case.objects.filter(pk=case.pk).update(cancel_note=case.cancel_note)
    assert Command.replay(updated) > 0
    case.refresh_from_db()
    assert case.cancel_note != "replayed"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg's prepared statements")
def test_the_replay_keeps_the_connections_prepared_statements(seed_db):
    """What a worker's requests run is prepared once per connection; a replay ended by a
    ROLLBACK made psycopg deallocate them all, so every request after it was planned anew."""
    user = staff("hq", "branch_manager")
    for _ in range(3):  # past settings' prepare_threshold
        list(Case.objects.filter(pk=1))

    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            return cursor.fetchone()[0]

    assert prepared() > 0
    Command.replay(
        _statements(lambda: PiiAccess.objects.create(user=user, case_no="C1", source="bench"))
    )
    assert prepared() > 0


def _contains(case, term: str, phones: bool) -> bool:
    """What the search promises, written out: a name of the report starts with the term
    (or contains it, from three characters); any number, plate or VIN of the case contains
    the term (ignoring case and spaces) unless it is two or more Chinese characters only; a
    phone too for those who may see phones, else only the masked tail of four digits or
    fewer."""
    report = case.report
    names = [report.reporter_name.upper(), report.driver_name.upper()]
    if any(n.startswith(term) or (len(term) >= 3 and term in n) for n in names):
        return True  # a name starts with the term, or holds one of three characters or more
    if is_chinese_words(term):  # only names and, from three characters, claim numbers
        return len(term) >= 3 and term in report.client_claim_no.upper()
    values = [case.case_no, report.report_no, report.client_claim_no, report.plate, report.vin]
    values += [item.plate for item in case.loss_items.all()]
    if any(term in (v or "").upper() for v in values):
        return True
    numbers = [report.reporter_phone, report.driver_phone]
    if phones:
        return any(term in (n or "") for n in numbers)
    return term.isdigit() and len(term) <= 4 and any((n or "").endswith(term) for n in numbers)


def test_the_search_finds_exactly_the_cases_containing_the_term(seed_db):
    cases = list(Case.objects.select_related("report").prefetch_related("loss_items"))
    some = cases[::40]
    terms = {"浙A", "000", "5678"}
    for case in some:
        report = case.report
        terms |= {report.plate[2:], case.case_no[-5:], report.driver_phone[-4:]}
        terms |= {report.vin[5:12].lower()} if report.vin else set()
        terms |= {p[-4:] for p in report.third_party_plates.split(",") if p}
        name = report.reporter_name
        terms |= {name, name[:1], name[1:], report.driver_name[:2]} - {""}
    for term in sorted(terms):
        for phones in (True, False):
            found = set(Case.objects.search(term, phones=phones).values_list("pk", flat=True))
            expected = {c.pk for c in cases if _contains(c, term.upper(), phones)}
            assert found == expected, (term, phones)
