"""Batch import from a client's Excel layout: a mapping per client, a preview that saves
nothing, a background import of the good rows, and row-level errors with Excel line numbers."""

import json
from datetime import datetime, timedelta
from io import BytesIO

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from lossdesk.claims.models import Case
from lossdesk.core.errors import IllegalTransition, NotFound, PermissionDenied, ServiceError
from lossdesk.core.tests.test_excel import assert_no_formulas
from lossdesk.intake import importing
from lossdesk.intake.choices import ImportRowStatus, ImportStatus, ReportChannel
from lossdesk.intake.models import ImportBatch, ImportMapping, Report
from lossdesk.intake.services import reports
from lossdesk.intake.services.reports import do_register_report
from lossdesk.org.models import Client
from lossdesk.testing import VALID_VINS

pytestmark = pytest.mark.django_db

# The client's own layout: a title row, headers on row 2, its own words, other columns too.
PICC_COLUMNS = {
    **{spec.field: "" for spec in importing.COLUMNS},
    "client_claim_no": "理赔编号",
    "plate": "号牌号码",
    "vin": "车架号",
    "reporter_name": "报案人姓名",
    "reporter_phone": "联系电话",
    "accident_time": "出险时间",
    "accident_place": "出险地址",
    "third_party_vehicles": "三者车辆数",
    "property_loss": "有无物损",
}
HEADER = [
    "序号",
    "理赔编号",
    "号牌号码",
    "车架号",
    "报案人姓名",
    "联系电话",
    "出险时间",
    "出险地址",
    "三者车辆数",
    "有无物损",
    "备注",
]


def when(hours_ago=3) -> datetime:
    return (timezone.localtime() - timedelta(hours=hours_ago)).replace(tzinfo=None, microsecond=0)


def workbook(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "报案清单"
    sheet.append(["人保财险 报案清单（2026年3月）"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def good(n, **overrides):
    row = {
        "no": n,
        "claim": f"RDAA2026{n:04d}",
        "plate": "浙A1234" + str(n % 10),
        "vin": "",
        "name": "陈先生",
        "phone": 13812345678,  # a number cell, as Excel keeps it
        "time": when(),
        "place": "杭州市西湖区文三路",
        "tp": 0,
        "property": "无",
        "remark": "",
    }
    row.update(overrides)
    return list(row.values())


ROWS = [
    good(1),  # line 3
    good(2, plate="浙12345"),  # line 4: bad plate
    good(3, time="昨天下午"),  # line 5: bad time
    [None] * 11,  # line 6: blank, ignored
    good(4, phone="1234", vin=VALID_VINS[1]),  # line 7: bad phone
    good(5, claim="RDAA20260001"),  # line 8: same claim number as line 3
    good(6, time=when(1).strftime("%Y/%m/%d %H:%M"), tp=1, property="有"),  # line 9: good
    good(7, claim="EXISTING-1"),  # line 10: already registered: skipped
]


@pytest.fixture
def mapping(firm):
    return ImportMapping.objects.create(
        client=firm.client, sheet_name="报案清单", header_row=2, columns=PICC_COLUMNS
    )


def upload(client, firm, content=None, name="报案.xlsx"):
    content = content if content is not None else workbook(ROWS)
    client.force_login(firm.zhaoliu)
    response = client.post(
        reverse("intake:import"),
        {"client": firm.client.pk, "file": SimpleUploadedFile(name, content)},
    )
    return response, ImportBatch.objects.order_by("-id").first()


def test_the_preview_checks_every_row_by_its_excel_line_and_saves_nothing(client, firm, mapping):
    firm.registered_case(client_claim_no="EXISTING-1")
    before = Report.objects.count()
    response, batch = upload(client, firm)
    assert response.status_code == 302
    page = client.get(reverse("intake:import-detail", args=[batch.pk]))
    preview = page.context["preview"]
    assert (preview.total, preview.valid, preview.skipped, preview.failed) == (7, 2, 1, 4)
    errors = {row.line_no: row.messages for row in preview.rows if row.errors}
    assert set(errors) == {4, 5, 7, 8}
    assert "车牌号格式不正确" in " ".join(errors[4])
    assert "时间格式不正确" in " ".join(errors[5])
    assert "电话号码不正确" in " ".join(errors[7])
    assert "与第 3 行赔案号重复" in " ".join(errors[8])
    assert Report.objects.count() == before
    assert 'data-testid="preview-errors"' in page.content.decode()


def test_confirming_imports_the_good_rows_in_the_background_with_line_numbers(
    client, firm, mapping
):
    firm.registered_case(client_claim_no="EXISTING-1")
    _, batch = upload(client, firm)
    response = client.post(reverse("intake:import-run", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE  # ImmediateBackend: ran inline
    assert (batch.total_rows, batch.imported_rows, batch.skipped_rows, batch.failed_rows) == (
        7,
        2,
        1,
        4,
    )
    outcome = dict(batch.rows.values_list("line_no", "status"))
    assert outcome == {
        3: ImportRowStatus.IMPORTED,
        4: ImportRowStatus.FAILED,
        5: ImportRowStatus.FAILED,
        7: ImportRowStatus.FAILED,
        8: ImportRowStatus.FAILED,
        9: ImportRowStatus.IMPORTED,
        10: ImportRowStatus.SKIPPED,
    }
    imported = Report.objects.filter(channel=ReportChannel.IMPORT).order_by("client_claim_no")
    assert list(imported.values_list("client_claim_no", flat=True)) == [
        "RDAA20260001",
        "RDAA20260006",
    ]
    sixth = imported.get(client_claim_no="RDAA20260006")
    assert sixth.property_loss and sixth.third_party_vehicles == 1
    assert sixth.case.loss_items.count() == 3
    assert sixth.branch == firm.hangzhou and sixth.created_by == firm.zhaoliu
    page = client.get(reverse("intake:import-detail", args=[batch.pk])).content.decode()
    assert "车牌号格式不正确" in page and sixth.case.case_no in page
    again = client.post(reverse("intake:import-run", args=[batch.pk]))
    assert again.status_code == 302 and Report.objects.filter(channel="import").count() == 2


def test_a_batch_is_queued_once_and_a_second_confirmation_names_its_state(client, firm, mapping):
    _, batch = upload(client, firm)
    assert importing.queue_import(batch).status == ImportStatus.QUEUED
    with pytest.raises(IllegalTransition) as refused:
        importing.queue_import(batch)
    assert refused.value.extra["current_state"] == ImportStatus.QUEUED
    page = client.post(reverse("intake:import-run", args=[batch.pk]), follow=True)
    assert "导入批次当前状态为「排队中」，不能执行「确认导入」。" in page.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.QUEUED and not batch.rows.exists()


def test_a_row_failing_inside_the_service_leaves_no_half_report(firm, mapping, monkeypatch):
    original = reports.record_event
    calls = []

    def fail_on_second_report(case, type, actor, message, **data):
        if type == "report_registered":
            calls.append(case.pk)
            if len(calls) == 2:
                raise ServiceError("模拟的失败", fields={"plate": ["模拟的失败"]})
        return original(case, type, actor, message, **data)

    monkeypatch.setattr(reports, "record_event", fail_on_second_report)
    batch = ImportBatch.objects.create(
        client=firm.client,
        branch=firm.hangzhou,
        original_name="x.xlsx",
        columns=PICC_COLUMNS,
        sheet_name="报案清单",
        header_row=2,
        uploaded_by=firm.zhaoliu,
        status=ImportStatus.QUEUED,
        file=SimpleUploadedFile("x.xlsx", workbook([good(1), good(6), good(8)])),
    )
    result = importing.run_import(batch.pk)
    assert (result["imported"], result["failed"]) == (2, 1)
    assert Report.objects.count() == Case.objects.count() == 2
    assert not Report.objects.filter(client_claim_no="RDAA20260006").exists()
    assert batch.rows.get(line_no=4).errors == {"plate": ["模拟的失败"]}


def test_a_running_batch_stores_its_progress_after_every_chunk(firm, mapping, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK", 2)
    original = reports.do_register_report
    seen = []  # rows processed, as the page would read it, when each report is registered

    def register(data, **kwargs):
        seen.append(ImportBatch.objects.values_list("processed_rows", "total_rows").get())
        return original(data, **kwargs)

    monkeypatch.setattr(reports, "do_register_report", register)
    rows = [good(1), good(2, plate="浙12345"), good(3), good(4), good(5), good(6)]
    batch = ImportBatch.objects.create(
        client=firm.client,
        branch=firm.hangzhou,
        original_name="x.xlsx",
        columns=PICC_COLUMNS,
        sheet_name="报案清单",
        header_row=2,
        uploaded_by=firm.zhaoliu,
        status=ImportStatus.QUEUED,
        file=SimpleUploadedFile("x.xlsx", workbook(rows)),
    )
    importing.run_import(batch.pk)
    # Chunks of two good rows: the failing second row counts as processed with the first chunk.
    assert seen == [(0, 6), (0, 6), (3, 6), (3, 6), (5, 6)]
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE
    assert (batch.processed_rows, batch.total_rows, batch.imported_rows) == (6, 6, 5)


def test_the_detail_page_shows_the_rows_processed_while_the_batch_runs(client, firm, mapping):
    _, batch = upload(client, firm)
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.RUNNING, processed_rows=3, total_rows=7
    )
    url = reverse("intake:import-detail", args=[batch.pk])
    page = client.get(url).content.decode()
    assert "已处理 3 / 7 行" in page and 'data-testid="result-counts"' not in page
    assert f'hx-get="{url}"' in page  # polled until the outcome is there
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.DONE, processed_rows=7)
    page = client.get(url).content.decode()
    assert "已处理" not in page and 'data-testid="result-counts"' in page
    assert f'hx-get="{url}"' not in page


def test_a_file_without_a_required_column_or_not_excel_is_refused_as_a_whole(client, firm, mapping):
    book = Workbook()
    book.active.title = "报案清单"
    book.active.append(["标题"])
    book.active.append(["理赔编号", "号牌号码"])
    buffer = BytesIO()
    book.save(buffer)
    _, batch = upload(client, firm, buffer.getvalue())
    page = client.get(reverse("intake:import-detail", args=[batch.pk]))
    error = page.context["file_error"]
    assert "表头缺少必填列" in error and "出险时间" in error
    _, batch = upload(client, firm, b"not a workbook", name="报案.xlsx")
    page = client.get(reverse("intake:import-detail", args=[batch.pk]))
    assert "xlsx" in page.context["file_error"]
    refused, _ = upload(client, firm, b"a,b", name="报案.csv")
    assert refused.status_code == 400


def test_without_a_saved_mapping_our_own_layout_is_expected(client, firm):
    book = Workbook()
    sheet = book.active
    headers = [spec.header for spec in importing.COLUMNS if spec.required]
    sheet.append(headers)
    sheet.append(["PICC-OWN-1", "浙A55555", "王先生", "13900001111", when(), "杭州市上城区"])
    buffer = BytesIO()
    book.save(buffer)
    _, batch = upload(client, firm, buffer.getvalue())
    client.post(reverse("intake:import-run", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.imported_rows == 1
    assert Report.objects.get().client_claim_no == "PICC-OWN-1"


def mapping_post(**overrides) -> dict:
    data = {"sheet_name": "报案清单", "header_row": 2}
    data.update({f"col_{field}": text for field, text in PICC_COLUMNS.items()})
    data.update(overrides)
    return data


def test_the_mapping_page_saves_a_clients_headers(client, firm):
    firm.registered_case()  # a 杭州 case: 人保 is a client of 周九's branches
    client.force_login(firm.zhoujiu)
    url = reverse("intake:import-mapping", args=[firm.client.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, mapping_post(col_plate="理赔编号"))  # the same header twice
    assert response.status_code == 400
    assert "与「委托方赔案号」使用了同一表头。" in response.content.decode()
    assert client.post(url, mapping_post()).status_code == 302
    mapping = ImportMapping.objects.get(client=firm.client)
    assert mapping.columns["plate"] == "号牌号码" and mapping.header_row == 2
    client.force_login(firm.zhaoliu)
    template = client.get(reverse("intake:import-template", args=[firm.client.pk]))
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")


def test_editing_a_mapping_needs_its_own_permission_not_report_registration(client, firm):
    firm.registered_case()
    client.force_login(firm.zhaoliu)  # 赵六 registers and imports reports
    url = reverse("intake:import-mapping", args=[firm.client.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, mapping_post()).status_code == 403
    assert not ImportMapping.objects.exists()
    page = client.get(reverse("intake:import")).content.decode()
    assert f'href="{url}"' not in page
    with pytest.raises(PermissionDenied):
        importing.do_save_import_mapping(
            firm.client, sheet_name="", header_row=1, columns=PICC_COLUMNS, actor=firm.zhaoliu
        )


def test_only_clients_with_a_case_in_the_users_scope_can_have_their_mapping_edited(client, firm):
    other = Client.objects.create(code="cpic", name="中国太平洋财产保险", short_name="太保")
    firm.registered_case()  # 人保 in 杭州; 太保 has no case anywhere
    ningbo_manager = firm.staff("nbmanager", "宁波经理", "branch_manager", firm.ningbo)
    client.force_login(firm.zhoujiu)
    cpic_url = reverse("intake:import-mapping", args=[other.pk])
    assert client.get(cpic_url).status_code == 404
    assert client.post(cpic_url, mapping_post()).status_code == 404
    picc_url = reverse("intake:import-mapping", args=[firm.client.pk])
    page = client.get(reverse("intake:import")).content.decode()
    assert f'href="{picc_url}"' in page and f'href="{cpic_url}"' not in page
    client.force_login(ningbo_manager)
    assert client.get(picc_url).status_code == 404
    assert client.post(picc_url, mapping_post()).status_code == 404
    assert not ImportMapping.objects.exists()
    with pytest.raises(NotFound):
        importing.do_save_import_mapping(
            firm.client, sheet_name="", header_row=1, columns=PICC_COLUMNS, actor=ningbo_manager
        )
    do_register_report(firm.report_data(plate="浙B12345"), actor=firm.wushi)
    assert client.get(picc_url).status_code == 200


def test_every_mapping_save_is_in_the_audit_log_with_before_and_after(client, firm):
    firm.registered_case()
    client.force_login(firm.zhoujiu)
    url = reverse("intake:import-mapping", args=[firm.client.pk])
    assert client.post(url, mapping_post()).status_code == 302
    assert client.post(url, mapping_post(col_plate="车牌", header_row=3)).status_code == 302
    mapping = ImportMapping.objects.get(client=firm.client)
    entries = list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(ImportMapping),
            object_id=str(mapping.pk),
        ).order_by("id")
    )
    assert [(e.action_flag, e.user) for e in entries] == [
        (ADDITION, firm.zhoujiu),
        (CHANGE, firm.zhoujiu),
    ]
    created, changed = (json.loads(e.change_message)[0] for e in entries)
    assert created["before"] is None and created["after"]["columns"]["plate"] == "号牌号码"
    assert changed["before"]["columns"]["plate"] == "号牌号码"
    assert changed["before"]["header_row"] == 2
    assert changed["after"]["columns"]["plate"] == "车牌" and changed["after"]["header_row"] == 3
    assert entries[1].get_change_message() == "已修改表头行号 和 列映射。"
    client.force_login(firm.auditor)  # the auditor reads them in the admin log
    log = client.get(reverse("admin:admin_logentry_changelist"))
    assert log.status_code == 200
    assert set(entries) <= set(log.context["cl"].result_list)


def test_the_admin_shows_mappings_in_scope_read_only(client, firm):
    firm.registered_case()
    mapping = ImportMapping.objects.create(client=firm.client, columns=PICC_COLUMNS)
    other = Client.objects.create(code="cpic", name="中国太平洋财产保险", short_name="太保")
    hidden = ImportMapping.objects.create(client=other, columns=PICC_COLUMNS)
    firm.zhoujiu.is_staff = True
    firm.zhoujiu.save()
    client.force_login(firm.zhoujiu)
    listing = client.get(reverse("admin:intake_importmapping_changelist"))
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [mapping]
    change = reverse("admin:intake_importmapping_change", args=[mapping.pk])
    assert client.get(change).status_code == 200
    data = {"client": firm.client.pk, "sheet_name": "x", "header_row": 5, "columns": "{}"}
    assert client.post(change, data).status_code == 403
    assert client.post(reverse("admin:intake_importmapping_add"), data).status_code == 403
    hidden_url = reverse("admin:intake_importmapping_change", args=[hidden.pk])
    assert client.get(hidden_url).status_code == 302  # the admin's "not found" redirect
    mapping.refresh_from_db()
    assert (mapping.sheet_name, mapping.header_row) == ("", 1)


def test_a_header_that_looks_like_a_formula_stays_text_in_the_template(client, firm):
    header = '=HYPERLINK("http://evil.example","点我")'
    ImportMapping.objects.create(client=firm.client, columns={**PICC_COLUMNS, "plate": header})
    client.force_login(firm.zhaoliu)
    response = client.get(reverse("intake:import-template", args=[firm.client.pk]))
    assert response.status_code == 200
    assert_no_formulas(response.content)
    cells = {c.value: c for c in load_workbook(BytesIO(response.content))["报案"][1]}
    assert (cells[header].data_type, cells[header].quotePrefix) == ("s", True)
    assert "理赔编号" in cells


def test_import_batches_of_another_branch_are_404(client, firm, mapping):
    _, batch = upload(client, firm)
    client.force_login(firm.wushi)
    assert client.get(reverse("intake:import-detail", args=[batch.pk])).status_code == 404
    assert client.post(reverse("intake:import-run", args=[batch.pk])).status_code == 404
    batch.refresh_from_db()
    assert batch.status == ImportStatus.UPLOADED
