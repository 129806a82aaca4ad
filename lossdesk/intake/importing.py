"""Batch import of reports from a client's Excel file (报案批量导入), on the shared
pipeline (core.importing).

Each client lays its file out its own way; `ImportMapping.columns` says which header holds
which report field. An upload is previewed (every row parsed and validated, nothing saved),
then imported by a background task (intake.tasks.import_reports): each good row goes through
`do_register_report` in its own transaction, so a failing row never leaves half a report and
never stops the others. Every row's outcome is kept with its Excel line number."""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from lossdesk.claims.models import Case
from lossdesk.core import excel
from lossdesk.core import importing as pipeline
from lossdesk.core.errors import Conflict, ErrorCode, NotFound, PermissionDenied, ServiceError
from lossdesk.intake.choices import (
    IMPORT_BATCH_STATES,
    ImportAction,
    ImportRowStatus,
    ReportChannel,
)
from lossdesk.intake.models import ImportBatch, ImportMapping, ImportRow, Report
from lossdesk.intake.permissions import IMPORT_MAPPING_CHANGE
from lossdesk.intake.services import reports as services
from lossdesk.org.choices import DataScope
from lossdesk.org.models import Client, ClientBranch

MAX_ROWS = 5000
PREVIEW_ROWS = 50
CHUNK = 50  # good rows registered between two progress updates of a running batch


@dataclass(frozen=True)
class ColumnSpec:
    field: str
    header: str  # the default header (our own layout)
    required: bool
    kind: str  # text / int / bool / datetime / decimal / client_branch


COLUMNS = (
    ColumnSpec("client_claim_no", "委托方赔案号", True, "text"),
    ColumnSpec("client_branch", "委托方分支机构", False, "client_branch"),
    ColumnSpec("policy_no_ctpl", "交强险保单号", False, "text"),
    ColumnSpec("policy_no_commercial", "商业险保单号", False, "text"),
    ColumnSpec("plate", "车牌号", True, "text"),
    ColumnSpec("vin", "VIN", False, "text"),
    ColumnSpec("reporter_name", "报案人", True, "text"),
    ColumnSpec("reporter_phone", "报案人电话", True, "text"),
    ColumnSpec("driver_name", "驾驶员", False, "text"),
    ColumnSpec("driver_phone", "驾驶员电话", False, "text"),
    ColumnSpec("accident_time", "出险时间", True, "datetime"),
    ColumnSpec("accident_place", "出险地点", True, "text"),
    ColumnSpec("accident_lat", "出险地纬度", False, "decimal"),
    ColumnSpec("accident_lng", "出险地经度", False, "decimal"),
    ColumnSpec("description", "出险经过", False, "text"),
    ColumnSpec("reported_at", "报案时间", False, "datetime"),
    ColumnSpec("third_party_vehicles", "三者车数量", False, "int"),
    ColumnSpec("third_party_plates", "三者车车牌", False, "text"),
    ColumnSpec("property_loss", "涉及三者物损", False, "bool"),
    ColumnSpec("injured_persons", "伤者人数", False, "int"),
)
SPECS = {spec.field: spec for spec in COLUMNS}
DEFAULT_COLUMNS = {spec.field: spec.header for spec in COLUMNS}
DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H时%M分",
    "%Y%m%d%H%M",
)
TRUE_WORDS = {"是", "有", "y", "yes", "true", "1", "√", "涉及"}
FALSE_WORDS = {"否", "无", "n", "no", "false", "0", "×", "不涉及"}


def mapping_for(client) -> ImportMapping:
    """The client's mapping, or our own layout when none was saved."""
    mapping = ImportMapping.objects.filter(client=client).first()
    return mapping or ImportMapping(client=client, columns=dict(DEFAULT_COLUMNS))


def mapping_clients_for(user):
    """The clients whose mapping `user` may edit: with the mapping permission, every client
    for the whole firm's scope, otherwise those with a case in the user's scope (a mapping
    is shared by every branch, so a branch changes only the layouts of clients it works for)."""
    if not (user and user.is_authenticated and user.has_perm(IMPORT_MAPPING_CHANGE)):
        return Client.objects.none()
    if user.data_scope == DataScope.ALL:
        return Client.objects.all()
    cases = Case.objects.for_user(user).filter(client=OuterRef("pk"))
    return Client.objects.filter(Exists(cases))


def _mapping_state(mapping: ImportMapping) -> dict:
    return {
        "sheet_name": mapping.sheet_name,
        "header_row": mapping.header_row,
        "columns": dict(mapping.columns or {}),
    }


def _check_columns(columns: dict) -> dict[str, list[str]]:
    """Field messages (keyed col_<field>, as on the form) for a missing required header or
    one header used for two fields."""
    errors: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    for spec in COLUMNS:
        key = pipeline.header_key(columns.get(spec.field))
        if not key:
            if spec.required:
                errors[f"col_{spec.field}"] = ["必填。"]
        elif key in seen:
            errors[f"col_{spec.field}"] = [f"与「{seen[key]}」使用了同一表头。"]
        else:
            seen[key] = spec.header
    return errors


def do_save_import_mapping(
    client, *, sheet_name: str, header_row: int, columns: dict, actor
) -> ImportMapping:
    """Save a client's layout and write who changed what, from what to what, in the admin
    log the auditor reads (one row per save, in the same transaction)."""
    if not actor.has_perm(IMPORT_MAPPING_CHANGE):
        raise PermissionDenied("您没有维护导入列映射的权限。")
    if not mapping_clients_for(actor).filter(pk=client.pk).exists():
        raise NotFound("没有这个委托方。")
    columns = {spec.field: str(columns.get(spec.field) or "").strip() for spec in COLUMNS}
    errors = _check_columns(columns)
    if errors:
        raise ServiceError(
            "导入列映射有误，请检查标出的表头。", code=ErrorCode.INVALID, fields=errors
        )
    try:
        with transaction.atomic():
            mapping = ImportMapping.objects.select_for_update().filter(client=client).first()
            before = _mapping_state(mapping) if mapping else None
            mapping = mapping or ImportMapping(client=client)
            mapping.sheet_name, mapping.header_row, mapping.columns = (
                sheet_name,
                header_row,
                columns,
            )
            try:
                mapping.full_clean(validate_unique=False)
            except ValidationError as exc:
                raise ServiceError(
                    "导入列映射有误。", code=ErrorCode.INVALID, fields=exc.message_dict
                ) from exc
            mapping.save()
            after = _mapping_state(mapping)
            changed = [
                str(ImportMapping._meta.get_field(name).verbose_name)
                for name in after
                if before is None or before[name] != after[name]
            ]
            # The admin log's own message format (shown as "已修改 …"), plus both states.
            message = {"added": {}} if before is None else {"changed": {"fields": changed}}
            LogEntry.objects.log_actions(
                actor.pk,
                [mapping],
                ADDITION if before is None else CHANGE,
                [{**message, "before": before, "after": after}],
                single_object=True,
            )
    except IntegrityError as exc:  # a first mapping for the client saved by someone else
        raise Conflict("该委托方的导入列映射刚被他人保存，请刷新后重试。") from exc
    return mapping


def _read_columns(columns: dict) -> list[pipeline.Column]:
    """The mapped headers; a required field left unmapped is looked for under our own."""
    return [
        pipeline.Column(spec.field, (header,), spec.required, title=header)
        for spec in COLUMNS
        if (header := columns.get(spec.field) or (spec.header if spec.required else ""))
    ]


def _datetime(value):
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    else:
        text = pipeline.cell_text(value).replace("：", ":")
        for fmt in DATETIME_FORMATS:
            try:
                moment = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            raise ValueError("时间格式不正确（例：2026-01-05 09:30）。")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _int(value) -> int:
    text = pipeline.cell_text(value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError("须为整数。") from None
    if number != number.to_integral_value() or number < 0 or number > 99:
        raise ValueError("须为 0–99 的整数。")
    return int(number)


def _bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = pipeline.cell_text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError("请填写「是」或「否」。")


def _decimal(value) -> Decimal:
    try:
        return Decimal(pipeline.cell_text(value))
    except InvalidOperation:
        raise ValueError("须为数字。") from None


def parse_row(raw: dict, client, branches: dict) -> tuple[dict, dict[str, list[str]]]:
    """Cells → report data for do_register_report, and per-field messages."""
    data: dict = {"client": client}
    errors: dict[str, list[str]] = {}
    for name, value in raw.items():
        spec = SPECS[name]
        blank = value is None or pipeline.cell_text(value) == ""
        if blank:
            if spec.required:
                errors[name] = ["必填。"]
            continue
        try:
            if spec.kind == "datetime":
                data[name] = _datetime(value)
            elif spec.kind == "int":
                data[name] = _int(value)
            elif spec.kind == "bool":
                data[name] = _bool(value)
            elif spec.kind == "decimal":
                data[name] = _decimal(value)
            elif spec.kind == "client_branch":
                text = pipeline.cell_text(value)
                if text not in branches:
                    raise ValueError(f"委托方没有分支机构「{text}」。")
                data[name] = branches[text]
            else:
                data[name] = pipeline.cell_text(value)
        except ValueError as exc:
            errors[name] = [str(exc)]
    return data, errors


def _check(data: dict, branch, actor) -> dict[str, list[str]]:
    """What do_register_report would refuse, without saving: the preview and the import
    check every row alike."""
    values = services._normalize(data)
    values.setdefault("reported_at", timezone.now())
    report = Report(**values, branch=branch, created_by=actor, report_no="preview")
    try:
        report.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return exc.message_dict
    return {}


class ReportImporter:
    """A batch's rows for core.importing: a report per client claim number, checked as
    do_register_report would check it."""

    def __init__(self, batch: ImportBatch):
        self.batch = batch
        self.branches = {b.name: b for b in ClientBranch.objects.filter(client=batch.client)}

    def clean_row(self, cells: dict) -> tuple[dict, dict[str, list[str]]]:
        data, errors = parse_row(cells, self.batch.client, self.branches)
        if not errors:
            errors = _check(data, self.batch.branch, self.batch.uploaded_by)
        return data, errors

    def row_key(self, data: dict) -> str:
        return data["client_claim_no"]

    def duplicate_errors(self, first_line: int) -> dict[str, list[str]]:
        return {"client_claim_no": [f"与第 {first_line} 行赔案号重复。"]}


def _checked(batch: ImportBatch):
    with batch.file.open("rb") as handle:
        content = handle.read()
    table = pipeline.read_table(
        batch.original_name,
        content,
        columns=_read_columns(batch.columns),
        max_rows=MAX_ROWS,
        formats=(pipeline.XLSX,),
        sheet_name=batch.sheet_name,
        header_row=batch.header_row,
    )
    return table, pipeline.check(table.rows, ReportImporter(batch))


def preview(batch: ImportBatch) -> pipeline.Summary:
    """Parse and validate every row, save nothing; a claim number already registered is
    skipped. A ServiceError (with an ImportErrorCode) for a file that cannot be read."""
    _, checked = _checked(batch)
    existing = set(
        Report.objects.filter(client=batch.client).values_list("client_claim_no", flat=True)
    )

    def skip_existing():
        for row in checked:
            row.skipped = not row.errors and row.data["client_claim_no"] in existing
            row.messages = row_messages(row.errors)
            yield row

    return pipeline.preview(skip_existing(), first=PREVIEW_ROWS)


def _register(batch: ImportBatch, rows: list[pipeline.CheckedRow]) -> None:
    for row in rows:
        claim = row.data["client_claim_no"]
        if Report.objects.filter(client=batch.client, client_claim_no=claim).exists():
            row.skipped = True
            continue
        try:
            row.result = services.do_register_report(
                row.data, actor=batch.uploaded_by, branch=batch.branch, channel=ReportChannel.IMPORT
            )
        except ServiceError as exc:
            row.errors = exc.fields or {"__all__": [exc.message]}
        except IntegrityError:  # registered by someone else a moment ago
            row.skipped = True


def _status(row: pipeline.CheckedRow) -> str:
    if row.errors:
        return ImportRowStatus.FAILED
    return ImportRowStatus.SKIPPED if row.skipped else ImportRowStatus.IMPORTED


def queue_import(batch: ImportBatch) -> ImportBatch:
    """Confirm the preview: the batch waits for the background import (the caller enqueues
    it). IllegalTransition once it was confirmed."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        IMPORT_BATCH_STATES.move(batch, ImportAction.QUEUE)
        batch.save(update_fields=["status"])
    return batch


def run_import(batch_id: int) -> dict:
    """The background task's work: import every good row of a queued batch."""
    with transaction.atomic():
        batch = (
            ImportBatch.objects.select_for_update()
            .select_related("client", "branch", "uploaded_by")
            .get(pk=batch_id)
        )
        if not IMPORT_BATCH_STATES.allowed_from(ImportAction.START, batch.status):
            return {"status": batch.status}
        IMPORT_BATCH_STATES.move(batch, ImportAction.START)
        batch.started_at = timezone.now()
        batch.save(update_fields=["status", "started_at"])

    def progress(done: int, total: int) -> None:
        # Outside any transaction, so the page sees it while the batch runs.
        ImportBatch.objects.filter(pk=batch.pk).update(processed_rows=done, total_rows=total)

    try:
        table, checked = _checked(batch)
        progress(0, table.data_rows)
        summary, rows = pipeline.confirm(
            checked,
            lambda good: _register(batch, good),
            total=table.data_rows,
            chunk=CHUNK,
            on_progress=progress,
        )
    except ServiceError as exc:  # the file as a whole
        IMPORT_BATCH_STATES.move(batch, ImportAction.FAIL)
        batch.error = exc.message[:500]
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "error", "finished_at"])
        return {"status": batch.status, "error": batch.error}
    outcomes = [
        ImportRow(
            batch=batch,
            line_no=row.line_no,
            client_claim_no=str(row.data.get("client_claim_no", ""))[:50],
            status=_status(row),
            case=row.result,
            errors=row.errors,
        )
        for row in rows
    ]
    ImportRow.objects.filter(batch=batch).delete()
    ImportRow.objects.bulk_create(outcomes, batch_size=500)
    batch.total_rows = batch.processed_rows = summary.total
    batch.imported_rows = summary.valid
    batch.skipped_rows = summary.skipped
    batch.failed_rows = summary.failed
    IMPORT_BATCH_STATES.move(batch, ImportAction.FINISH)
    batch.finished_at = timezone.now()
    batch.save()
    return {
        "status": batch.status,
        "imported": batch.imported_rows,
        "skipped": batch.skipped_rows,
        "failed": batch.failed_rows,
    }


def template_workbook(columns: dict) -> bytes:
    """An empty file in the client's layout: the mapped headers on row 1 (stored as text:
    a header typed as "=…" in the mapping never becomes a formula)."""
    book = excel.Workbook()
    book.add_sheet("报案", [columns[spec.field] for spec in COLUMNS if columns.get(spec.field)], [])
    return book.content()


def row_messages(errors: dict) -> list[str]:
    """A row's errors as text, each after its field's header in our own layout."""
    return pipeline.row_messages(errors, DEFAULT_COLUMNS)
