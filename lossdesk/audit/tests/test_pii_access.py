"""The personal-data access log: every response that shows a phone in full (page, API,
search hit, SMS outbox) writes one record per case or person, in one insert; masked viewers
leave none; only the auditor reads the log; records are kept for the retention and no less."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from lossdesk.audit.choices import AccessAction
from lossdesk.audit.collector import note, recording
from lossdesk.audit.conf import MIN_RETENTION_DAYS
from lossdesk.audit.models import PiiAccess
from lossdesk.core.masking import phone_for
from lossdesk.notify.models import SmsMessage

pytestmark = pytest.mark.django_db

REPORTER, DRIVER = "13812345678", "13987654321"
API = "/api/v1"


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def page_as(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def case(firm):
    return firm.registered_case(reporter_phone=REPORTER, driver_phone=DRIVER, driver_name="李师傅")


def only_record():
    [record] = PiiAccess.objects.all()
    return record


# --------------------------------------------------------------------- shown in full


def test_the_case_page_records_the_phones_it_shows_to_a_dispatcher(client, firm, case):
    response = page_as(client, firm.zhaoliu).get(f"/cases/{case.case_no}/")

    assert response.status_code == 200
    assert REPORTER in response.text and DRIVER in response.text
    record = only_record()
    assert record.user == firm.zhaoliu
    assert record.case_no == case.case_no
    assert record.fields == ["reporter_phone", "driver_phone"]
    assert record.person == "陈先生、李师傅"
    assert record.action == AccessAction.SHOWN
    assert record.source == "claims:case-detail"
    assert record.path == f"/cases/{case.case_no}/"
    assert record.ip == "127.0.0.1"
    assert timezone.now() - record.at < timedelta(minutes=1)


def test_the_case_api_records_the_phones_it_shows(firm, case):
    response = api_as(firm.zhaoliu).get(f"{API}/cases/{case.case_no}")

    assert response.status_code == 200
    assert response.json()["report"]["reporter_phone"] == REPORTER
    record = only_record()
    assert (record.user, record.case_no, record.source) == (
        firm.zhaoliu,
        case.case_no,
        "api:case-detail",
    )
    assert record.fields == ["reporter_phone", "driver_phone"]
    assert record.path == f"{API}/cases/{case.case_no}"


def test_a_reviewer_without_view_pii_sees_masked_phones_and_leaves_no_record(client, firm, case):
    page = page_as(client, firm.lisi).get(f"/cases/{case.case_no}/")
    api = api_as(firm.lisi).get(f"{API}/cases/{case.case_no}")

    assert page.status_code == 200 and api.status_code == 200
    assert REPORTER not in page.text and "138****5678" in page.text
    assert api.json()["report"]["reporter_phone"] == "138****5678"
    assert api.json()["report"]["driver_phone"] == "139****4321"
    assert PiiAccess.objects.count() == 0


def test_the_sms_outbox_records_the_customer_numbers_it_shows(client, firm):
    case = firm.surveying_case(reporter_phone=REPORTER)  # dispatching texts the customer
    assert SmsMessage.objects.filter(recipient="customer", case=case, phone=REPORTER).exists()

    response = page_as(client, firm.zhaoliu).get("/sms/")

    assert response.status_code == 200
    record = PiiAccess.objects.get(case_no=case.case_no)
    assert record.source == "notify:outbox"
    assert "sms.phone" in record.fields


def test_the_callback_queue_records_the_customer_numbers_it_shows(
    client, firm, settings, django_capture_on_commit_callbacks
):
    settings.LOSSDESK_CALLBACK_METHOD = "phone"
    with django_capture_on_commit_callbacks(execute=True):
        case = firm.closed_case(reporter_phone=REPORTER)

    response = page_as(client, firm.zhaoliu).get("/callbacks/")

    assert response.status_code == 200 and REPORTER in response.text
    record = only_record()
    assert (record.case_no, record.fields, record.source) == (
        case.case_no,
        ["callback_phone"],
        "intake:callback-list",
    )


def test_the_issued_pdf_shows_no_personal_data_so_downloading_it_records_nothing(
    client, firm, monkeypatch
):
    from lossdesk.claims import pdf

    rendered = []
    real_html = pdf.HTML
    monkeypatch.setattr(
        pdf, "HTML", lambda string: rendered.append(string) or real_html(string=string)
    )
    case = firm.issued_case(reporter_phone=REPORTER, driver_phone=DRIVER)

    page = page_as(client, firm.zhaoliu).get(f"/cases/{case.case_no}/report.pdf")
    api = api_as(firm.zhaoliu).get(f"{API}/cases/{case.case_no}/report.pdf")

    assert page.status_code == 200 and api.status_code == 200
    [html] = rendered
    assert REPORTER not in html and DRIVER not in html and "****" not in html
    assert PiiAccess.objects.count() == 0


def test_a_failed_response_records_nothing(rf, firm):
    from lossdesk.audit.middleware import PiiAccessMiddleware

    def broken_view(request):
        phone_for(firm.zhaoliu, REPORTER, field="reporter_phone", case_no="C1")
        from django.http import HttpResponseServerError

        return HttpResponseServerError()

    response = PiiAccessMiddleware(broken_view)(rf.get("/cases/C1/"))

    assert response.status_code == 500
    assert PiiAccess.objects.count() == 0


def test_background_work_records_with_its_own_source_once_it_succeeds(firm):
    with recording(source="task:export-cases"):
        phone_for(firm.zhoujiu, REPORTER, field="reporter_phone", case_no="C1", person="陈先生")
        phone_for(firm.zhoujiu, DRIVER, field="driver_phone", case_no="C1", person="李师傅")
    with pytest.raises(RuntimeError), recording(source="task:failed"):
        phone_for(firm.zhoujiu, REPORTER, field="reporter_phone", case_no="C2")
        raise RuntimeError("the export failed: nothing reached anyone")

    record = only_record()
    assert (record.case_no, record.person, record.fields, record.source) == (
        "C1",
        "陈先生、李师傅",
        ["reporter_phone", "driver_phone"],
        "task:export-cases",
    )


def test_an_unmasking_outside_any_request_or_job_is_written_at_once(firm):
    note(firm.zhoujiu, field="mobile", person="员工 zhangsan")

    record = only_record()
    assert (record.source, record.person, record.fields) == ("direct", "员工 zhangsan", ["mobile"])


# ------------------------------------------------------------------- phone search


def test_a_phone_search_records_each_case_it_finds_in_one_insert(client, firm, case):
    other = firm.registered_case(reporter_phone="13700000000", driver_phone=REPORTER)
    firm.registered_case(reporter_phone="13700000001", driver_phone="")

    page_as(client, firm.zhaoliu)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/cases/", {"q": REPORTER})

    assert response.status_code == 200
    assert case.case_no in response.text and other.case_no in response.text
    inserts = [q for q in queries.captured_queries if "INSERT INTO" in q["sql"].upper()]
    assert [q["sql"].split()[2].strip('"') for q in inserts] == ["audit_piiaccess"]
    found = {
        (r.case_no, tuple(r.fields), r.action, r.source)
        for r in PiiAccess.objects.filter(action=AccessAction.SEARCHED)
    }
    assert found == {
        (case.case_no, ("reporter_phone",), AccessAction.SEARCHED, "claims:case-list"),
        (other.case_no, ("driver_phone",), AccessAction.SEARCHED, "claims:case-list"),
    }


def test_a_full_case_list_costs_at_most_one_insert(client, firm):
    for i in range(50):
        firm.registered_case(driver_phone=DRIVER, client_claim_no=f"PICC-LIST-{i:02d}")
    page_as(client, firm.zhaoliu)
    api = api_as(firm.zhaoliu)

    def inserts(request):
        with CaptureQueriesContext(connection) as queries:
            response = request()
        assert response.status_code == 200
        return [q for q in queries.captured_queries if q["sql"].upper().startswith("INSERT")]

    # Lists show no phone: nothing to record.
    assert inserts(lambda: client.get("/cases/")) == []
    assert inserts(lambda: api.get(f"{API}/cases", {"page_size": 50})) == []
    # A phone search finding 50 cases: one insert, one record per case.
    assert len(inserts(lambda: client.get("/cases/", {"q": DRIVER}))) == 1
    assert len(inserts(lambda: api.get(f"{API}/cases", {"q": DRIVER, "page_size": 50}))) == 1
    assert PiiAccess.objects.filter(action=AccessAction.SEARCHED).count() == 100


def test_the_report_admin_shows_no_phone_even_to_a_superuser(client, firm, case, superuser):
    client.force_login(superuser)

    response = client.get(f"/admin/intake/report/{case.report.pk}/change/")

    assert response.status_code == 200
    assert case.report.report_no in response.text
    assert REPORTER not in response.text and DRIVER not in response.text


def test_a_phone_search_over_the_api_records_its_hits(firm, case):
    response = api_as(firm.zhaoliu).get(f"{API}/cases", {"q": DRIVER})

    assert response.status_code == 200
    assert [row["case_no"] for row in response.json()["results"]] == [case.case_no]
    record = only_record()
    assert (record.case_no, record.fields, record.action, record.source) == (
        case.case_no,
        ["driver_phone"],
        AccessAction.SEARCHED,
        "api:case-list",
    )


def test_a_phone_search_records_only_the_cases_the_other_filters_keep(client, firm, case):
    api = api_as(firm.zhaoliu).get(f"{API}/cases", {"q": REPORTER, "status": "closed"})
    page = page_as(client, firm.zhaoliu).get("/cases/", {"q": REPORTER, "status": "closed"})

    assert api.status_code == 200 and page.status_code == 200
    assert api.json()["results"] == []
    assert PiiAccess.objects.count() == 0


@pytest.mark.parametrize(
    "q", [REPORTER, "138-1234-5678", "3812345678", "1381234"], ids=["full", "dashed", "cut", "head"]
)
def test_without_view_pii_a_phone_number_finds_no_case(client, firm, case, q):
    api = api_as(firm.lisi).get(f"{API}/cases", {"q": q})
    page = page_as(client, firm.lisi).get("/cases/", {"q": q})

    assert api.status_code == 200 and page.status_code == 200
    assert api.json()["results"] == []
    assert case.case_no not in page.text
    assert PiiAccess.objects.count() == 0


def test_without_view_pii_the_masked_tail_and_other_fields_still_find_the_case(firm, case):
    lisi = api_as(firm.lisi)

    by_tail = lisi.get(f"{API}/cases", {"q": "5678"})
    by_plate = lisi.get(f"{API}/cases", {"q": "浙A12345"})

    assert [row["case_no"] for row in by_tail.json()["results"]] == [case.case_no]
    assert [row["case_no"] for row in by_plate.json()["results"]] == [case.case_no]
    assert PiiAccess.objects.count() == 0


# -------------------------------------------------------------------- the audit API

LOG = f"{API}/audit/pii-access"


@pytest.fixture
def records(firm):
    now = timezone.now()
    PiiAccess.objects.bulk_create(
        [
            PiiAccess(user=firm.zhaoliu, at=now, case_no="C1", fields=["reporter_phone"]),
            PiiAccess(user=firm.zhaoliu, at=now - timedelta(days=10), case_no="C2", fields=["x"]),
            PiiAccess(user=firm.zhoujiu, at=now, case_no="C1", fields=["driver_phone"]),
        ]
    )


def test_the_auditor_reads_the_log_filtered_and_paginated(firm, records):
    auditor = api_as(firm.auditor)
    today = timezone.localdate().isoformat()

    everything = auditor.get(LOG)
    by_user = auditor.get(LOG, {"user": firm.zhaoliu.pk})
    by_case = auditor.get(LOG, {"case_no": "C1"})
    by_date = auditor.get(LOG, {"date_from": today, "date_to": today})
    first_page = auditor.get(LOG, {"page_size": 2})

    assert everything.status_code == 200
    assert everything.json()["count"] == 3
    row = by_user.json()["results"][0]
    assert row["user"] == {"id": firm.zhaoliu.pk, "username": "zhaoliu", "full_name": "赵六"}
    assert {r["case_no"] for r in by_user.json()["results"]} == {"C1", "C2"}
    assert {r["user"]["username"] for r in by_case.json()["results"]} == {"zhaoliu", "zhoujiu"}
    assert by_date.json()["count"] == 2
    assert len(first_page.json()["results"]) == 2 and first_page.json()["next"]


def test_nobody_but_the_auditor_reads_the_log(firm, records):
    cast = [firm.zhangsan, firm.lisi, firm.zhaoliu, firm.qianqi, firm.zhoujiu, firm.wushi]
    cast += [firm.sysadmin, firm.secadmin, firm.finance]
    for user in cast:
        response = api_as(user).get(LOG)
        assert response.status_code == 403, user.username
        assert response.json()["error"]["code"] == "permission_denied"
    assert APIClient().get(LOG).status_code == 401


# ------------------------------------------------------------------------ the admin


@pytest.fixture
def superuser(firm):
    return firm.staff("root", "超级用户", "finance", firm.hq, is_staff=True, is_superuser=True)


@pytest.mark.parametrize("who", ["auditor", "superuser"])
def test_the_admin_shows_the_log_read_only_even_to_a_superuser(client, firm, records, who, request):
    user = firm.auditor if who == "auditor" else request.getfixturevalue("superuser")
    record = PiiAccess.objects.first()
    client.force_login(user)
    base = "/admin/audit/piiaccess/"

    assert client.get(base).status_code == 200
    assert client.get(f"{base}{record.pk}/change/").status_code == 200
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}{record.pk}/change/", {"case_no": "X"}).status_code == 403
    assert client.post(f"{base}{record.pk}/delete/", {"post": "yes"}).status_code == 403
    record.refresh_from_db()
    assert record.case_no != "X"
    assert PiiAccess.objects.count() == 3


def test_records_refuse_update_and_delete(firm, records):
    record = PiiAccess.objects.first()
    with pytest.raises(TypeError):
        PiiAccess.objects.update(case_no="X")
    with pytest.raises(TypeError):
        PiiAccess.objects.all().delete()
    with pytest.raises(TypeError):
        record.delete()
    record.case_no = "X"
    with pytest.raises(TypeError):
        record.save()


# ------------------------------------------------------------------------ retention


def test_the_purge_removes_only_records_older_than_the_retention(firm, settings):
    from django.core.management import call_command

    assert settings.LOSSDESK_PII_ACCESS_LOG_DAYS == 1096  # the default: three years
    now = timezone.now()
    keep = timedelta(days=1096)
    for name, age in [
        ("expired", keep + timedelta(minutes=1)),
        ("just-kept", keep - timedelta(minutes=1)),
        ("two-years", timedelta(days=730)),
        ("today", timedelta(0)),
    ]:
        PiiAccess.objects.create(user=firm.zhaoliu, at=now - age, person=name, fields=["f"])

    call_command("purge_pii_access", stdout=__import__("io").StringIO())

    assert sorted(PiiAccess.objects.values_list("person", flat=True)) == [
        "just-kept",
        "today",
        "two-years",
    ]


def test_a_retention_shorter_than_three_years_is_refused(settings):
    from lossdesk.audit.checks import retention_is_at_least_three_years

    settings.LOSSDESK_PII_ACCESS_LOG_DAYS = MIN_RETENTION_DAYS - 1
    assert [e.id for e in retention_is_at_least_three_years(None)] == ["audit.E001"]
    settings.LOSSDESK_PII_ACCESS_LOG_DAYS = MIN_RETENTION_DAYS
    assert retention_is_at_least_three_years(None) == []


def test_the_migration_grants_an_existing_auditor_position_the_log(firm):
    from importlib import import_module

    from django.apps import apps

    grant = import_module("lossdesk.audit.migrations.0002_grant_auditor").grant
    auditor = firm.auditor.position
    permission = Permission.objects.get(content_type__app_label="audit", codename="view_piiaccess")
    auditor.permissions.remove(permission)

    grant(apps, None)

    assert auditor.permissions.filter(pk=permission.pk).exists()
