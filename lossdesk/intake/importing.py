"""Batch import of reports from a client's Excel file (报案批量导入).

Each client lays its file out its own way; `ImportMapping.columns` says which header holds
which report field. An upload is previewed (every row parsed and validated, nothing saved),
then imported by a background task (intake.tasks.import_reports): each good row goes through
`do_register_report` in its own transaction, so a failing row never leaves half a report and
never stops the others. Every row's outcome is kept with its Excel line number."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from io import BytesIO
from zipfile import BadZipFile

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from lossdesk.claims.models import Case
from lossdesk.core import excel
from lossdesk.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from lossdesk.intake.choices import ImportRowStatus, ImportStatus, ReportChannel
from lossdesk.intake.models import ImportBatch, ImportMapping, ImportRow, Report
from lossdesk.intake.permissions import IMPORT_MAPPING_CHANGE
from lossdesk.intake.services import reports as services
from lossdesk.org.choices import DataScope
from lossdesk.org.models import Client, ClientBranch

MAX_ROWS = 5000
PREVIEW_ROWS = 50


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


class ImportFileError(ServiceError):
    """The file as a whole cannot be read (not xlsx, sheet or required header missing…)."""


@dataclass
class RowResult:
    line_no: int
    status: str
    data: dict = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    case_no: str = ""

    @property
    def messages(self) -> list[str]:
        out = []
        for name, msgs in self.errors.items():
            label = SPECS[name].header if name in SPECS else ""
            out.extend(f"{label}：{m}" if label else m for m in msgs)
        return out


@dataclass
class Preview:
    total: int
    valid: int
    skipped: int
    failed: int
    rows: list[RowResult]


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
        key = _header_key(columns.get(spec.field))
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
        raise ServiceError("导入列映射有误，请检查标出的表头。", fields=errors)
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
                raise ServiceError("导入列映射有误。", fields=exc.message_dict) from exc
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


def _header_key(value) -> str:
    return re.sub(r"[\s*＊:：]", "", str(value or "")).lower()


def read_rows(file, *, columns: dict, sheet_name: str = "", header_row: int = 1):
    """[(Excel line number, {field: raw cell value})] of the non-blank data rows."""
    try:
        if hasattr(file, "seek"):
            file.seek(0)
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(
            "无法读取文件：请上传 Excel（.xlsx）文件。",
            fields={"file": ["不是有效的 .xlsx 文件。"]},
        ) from exc
    try:
        if sheet_name:
            if sheet_name not in workbook.sheetnames:
                message = f"文件中没有工作表「{sheet_name}」。"
                raise ImportFileError(message, fields={"file": [message]})
            sheet = workbook[sheet_name]
        else:
            sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(min_row=header_row, values_only=True)
        header = next(rows, None) or ()
        index = {_header_key(v): i for i, v in enumerate(header) if _header_key(v)}
        positions, missing = {}, []
        for name, text in columns.items():
            if not text or name not in SPECS:
                continue
            i = index.get(_header_key(text))
            if i is None:
                if SPECS[name].required:
                    missing.append(text)
                continue
            positions[name] = i
        missing += [
            spec.header for spec in COLUMNS if spec.required and not columns.get(spec.field)
        ]
        if missing:
            message = f"第 {header_row} 行表头缺少必填列：{'、'.join(missing)}。"
            raise ImportFileError(message, fields={"file": [message]})
        out = []
        for offset, values in enumerate(rows, start=1):
            if not any(v not in (None, "") and str(v).strip() for v in values):
                continue
            if len(out) >= MAX_ROWS:
                message = f"一个文件最多 {MAX_ROWS} 行，请拆分后导入。"
                raise ImportFileError(message, fields={"file": [message]})
            raw = {name: values[i] if i < len(values) else None for name, i in positions.items()}
            out.append((header_row + offset, raw))
        return out
    finally:
        workbook.close()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value).strip()


def _datetime(value):
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    else:
        text = _text(value).replace("：", ":")
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
    text = _text(value)
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
    text = _text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError("请填写「是」或「否」。")


def _decimal(value) -> Decimal:
    try:
        return Decimal(_text(value))
    except InvalidOperation:
        raise ValueError("须为数字。") from None


def parse_row(raw: dict, client, branches: dict) -> tuple[dict, dict[str, list[str]]]:
    """Cells → report data for do_register_report, and per-field messages."""
    data: dict = {"client": client}
    errors: dict[str, list[str]] = {}
    for name, value in raw.items():
        spec = SPECS[name]
        blank = value is None or _text(value) == ""
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
                text = _text(value)
                if text not in branches:
                    raise ValueError(f"委托方没有分支机构「{text}」。")
                data[name] = branches[text]
            else:
                data[name] = _text(value)
        except ValueError as exc:
            errors[name] = [str(exc)]
    for spec in COLUMNS:
        if spec.required and spec.field not in raw and spec.field not in errors:
            errors[spec.field] = ["必填。"]
    return data, errors


def _client_branches(client) -> dict:
    return {b.name: b for b in ClientBranch.objects.filter(client=client)}


def _check(data: dict, branch, actor) -> dict[str, list[str]]:
    """What do_register_report would refuse, without saving (for the preview)."""
    values = services._normalize(data)
    values.setdefault("reported_at", timezone.now())
    report = Report(**values, branch=branch, created_by=actor, report_no="preview")
    try:
        report.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return exc.message_dict
    return {}


def _rows(batch: ImportBatch) -> list[tuple[int, dict]]:
    with batch.file.open("rb") as handle:
        content = handle.read()
    return read_rows(
        BytesIO(content),
        columns=batch.columns,
        sheet_name=batch.sheet_name,
        header_row=batch.header_row,
    )


def preview(batch: ImportBatch) -> Preview:
    """Parse and validate every row, save nothing. ImportFileError for an unreadable file."""
    rows = _rows(batch)
    branches = _client_branches(batch.client)
    existing = set(
        Report.objects.filter(client=batch.client).values_list("client_claim_no", flat=True)
    )
    seen: dict[str, int] = {}
    results = []
    for line_no, raw in rows:
        data, errors = parse_row(raw, batch.client, branches)
        claim = data.get("client_claim_no", "")
        if not errors:
            errors = _check(data, batch.branch, batch.uploaded_by)
        if claim and claim in seen and "client_claim_no" not in errors:
            errors["client_claim_no"] = [f"与第 {seen[claim]} 行赔案号重复。"]
        seen.setdefault(claim, line_no)
        if errors:
            status = ImportRowStatus.FAILED
        elif claim in existing:
            status = ImportRowStatus.SKIPPED
        else:
            status = ImportRowStatus.IMPORTED
        results.append(RowResult(line_no, status, data, errors))
    count = {s: sum(1 for r in results if r.status == s) for s in ImportRowStatus.values}
    return Preview(
        total=len(results),
        valid=count[ImportRowStatus.IMPORTED],
        skipped=count[ImportRowStatus.SKIPPED],
        failed=count[ImportRowStatus.FAILED],
        rows=results,
    )


def run_import(batch_id: int) -> dict:
    """The background task's work: import every good row of a queued batch."""
    with transaction.atomic():
        batch = (
            ImportBatch.objects.select_for_update()
            .select_related("client", "branch", "uploaded_by")
            .get(pk=batch_id)
        )
        if batch.status != ImportStatus.QUEUED:
            return {"status": batch.status}
        batch.status, batch.started_at = ImportStatus.RUNNING, timezone.now()
        batch.save(update_fields=["status", "started_at"])
    try:
        rows = _rows(batch)
    except ImportFileError as exc:
        batch.status, batch.error = ImportStatus.FAILED, exc.message[:500]
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "error", "finished_at"])
        return {"status": batch.status, "error": batch.error}
    branches = _client_branches(batch.client)
    seen: dict[str, int] = {}
    outcomes: list[ImportRow] = []
    for line_no, raw in rows:
        data, errors = parse_row(raw, batch.client, branches)
        claim = data.get("client_claim_no", "")
        row = ImportRow(batch=batch, line_no=line_no, client_claim_no=claim[:50])
        if not errors and claim in seen:
            errors = {"client_claim_no": [f"与第 {seen[claim]} 行赔案号重复。"]}
        seen.setdefault(claim, line_no)
        if not errors:
            if Report.objects.filter(client=batch.client, client_claim_no=claim).exists():
                row.status = ImportRowStatus.SKIPPED
                outcomes.append(row)
                continue
            try:
                row.case = services.do_register_report(
                    data, actor=batch.uploaded_by, branch=batch.branch, channel=ReportChannel.IMPORT
                )
            except ServiceError as exc:
                errors = exc.fields or {"__all__": [exc.message]}
            except IntegrityError:  # registered by someone else a moment ago
                row.status = ImportRowStatus.SKIPPED
                outcomes.append(row)
                continue
        if errors:
            row.status, row.errors = ImportRowStatus.FAILED, errors
        else:
            row.status = ImportRowStatus.IMPORTED
        outcomes.append(row)
    ImportRow.objects.filter(batch=batch).delete()
    ImportRow.objects.bulk_create(outcomes, batch_size=500)
    batch.total_rows = len(outcomes)
    batch.imported_rows = sum(1 for r in outcomes if r.status == ImportRowStatus.IMPORTED)
    batch.skipped_rows = sum(1 for r in outcomes if r.status == ImportRowStatus.SKIPPED)
    batch.failed_rows = sum(1 for r in outcomes if r.status == ImportRowStatus.FAILED)
    batch.status, batch.finished_at = ImportStatus.DONE, timezone.now()
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
    return RowResult(0, ImportRowStatus.FAILED, errors=errors).messages
