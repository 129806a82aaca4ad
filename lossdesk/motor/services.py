"""Saving vehicle assessment sheets (定损单)."""

from decimal import Decimal

from django.db import transaction

from lossdesk.claims.choices import EventType
from lossdesk.claims.models import LossItem
from lossdesk.claims.services import (
    check_sheet_version,
    lock_case,
    recompute_assessed_amount,
    record_event,
    sheet_case_version,
)
from lossdesk.claims.workflow import LOSS_ITEM_STATES, Action, ItemAction
from lossdesk.core.errors import ErrorCode, ServiceError
from lossdesk.core.numbering import next_number
from lossdesk.core.templatetags.lossdesk_ui import money
from lossdesk.motor import rules
from lossdesk.motor.choices import LineKind
from lossdesk.motor.error_codes import MotorErrorCode
from lossdesk.motor.models import AssessmentLine, AssessmentSheet
from lossdesk.rules.money import PRICE, QUANTITY, Amount, AmountError, parse_amount

MAX_LINES = 300
SHEET_INVALID = "定损单有误，请检查标出的项目。"
# Optional price-link fields of a line (filled by the parts app's price queries).
LINK_FIELDS = ("part_id", "price_type", "price_source", "price_query_line_id")
# Checks other apps run on the cleaned lines before a sheet is saved:
# check(loss_item, lines) -> {"lines.<i>.<field>": [messages]}; they may set
# `fitment_warning` on a line. The parts app registers its fitment check here.
SHEET_LINE_CHECKS: list = []


def _decimal(value, field: str, errors: dict, *, kind: Amount, positive: bool) -> Decimal | None:
    """The number typed in `field`, or None (with its message in `errors`)."""
    try:
        return parse_amount(value, kind, positive=positive)
    except AmountError as exc:
        errors.setdefault(field, []).append(exc.message)
        return None


def _text(raw: dict, name: str, field: str, errors: dict) -> str:
    value = raw.get(name)
    if isinstance(value, dict | list | bool):
        errors.setdefault(field, []).append("请输入文字。")
        return ""
    text = "" if value is None else str(value).strip()
    limit = AssessmentLine._meta.get_field(name).max_length
    if len(text) > limit:
        errors.setdefault(field, []).append(f"最多 {limit} 个字。")
    return text[:limit]


def _optional_id(value, field: str, errors: dict) -> int | None:
    if value in (None, ""):
        return None
    value = getattr(value, "pk", value)
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if number <= 0:
        errors.setdefault(field, []).append("编号无效。")
        return None
    return number


def _carry_links(raw_lines: list[dict], cleaned: list[AssessmentLine], previous) -> None:
    """A line sent without any price-link field (e.g. by an editor that does not show them)
    keeps the links of the previous line with the same kind, name and part number."""
    by_key = {}
    for line in previous:
        by_key.setdefault((line.kind, line.name, line.part_no), line)
    for raw, line in zip(raw_lines, cleaned, strict=True):
        if any(key in raw for key in ("part", "price_type", "price_source", "price_query_line")):
            continue
        old = by_key.get((line.kind, line.name, line.part_no))
        if old is not None:
            for name in LINK_FIELDS:
                setattr(line, name, getattr(old, name))


def clean_lines(lines: list[dict]) -> tuple[list[AssessmentLine], dict[str, list[str]]]:
    """Validate raw line dicts in one pass: every line, every field, the salvage rule
    included, so a user sees all the errors of a sheet at once. Errors are keyed
    `lines.<i>.<field>`; a line with an unusable number keeps 0 in its place."""
    errors: dict[str, list[str]] = {}
    if not lines:
        errors["lines"] = ["定损单至少需要一个项目。"]
    if len(lines) > MAX_LINES:
        errors["lines"] = [f"定损项目不能超过 {MAX_LINES} 行。"]
    cleaned = []
    for i, raw in enumerate(lines):
        prefix = f"lines.{i}."
        kind = raw.get("kind") or ""
        if kind not in LineKind.values:
            errors[prefix + "kind"] = ["类别无效。"]
        name = _text(raw, "name", prefix + "name", errors)
        if not name:
            errors[prefix + "name"] = ["请填写项目名称。"]
        quantity = _decimal(
            raw.get("quantity", "1"),
            prefix + "quantity",
            errors,
            kind=QUANTITY,
            positive=True,
        )
        unit_price = _decimal(
            raw.get("unit_price", ""),
            prefix + "unit_price",
            errors,
            kind=PRICE,
            positive=False,
        )
        salvage = _decimal(
            raw.get("salvage_value") or "0",
            prefix + "salvage_value",
            errors,
            kind=PRICE,
            positive=False,
        )
        line = AssessmentLine(
            seq=i + 1,
            kind=kind,
            name=name,
            part_no=_text(raw, "part_no", prefix + "part_no", errors),
            quantity=quantity or Decimal("0"),
            unit_price=unit_price or Decimal("0"),
            salvage_value=salvage or Decimal("0"),
            remarks=_text(raw, "remarks", prefix + "remarks", errors),
            part_id=_optional_id(raw.get("part"), prefix + "part", errors),
            price_type=_text(raw, "price_type", prefix + "price_type", errors),
            price_source=_text(raw, "price_source", prefix + "price_source", errors),
            price_query_line_id=_optional_id(
                raw.get("price_query_line"), prefix + "price_query_line", errors
            ),
        )
        line.amount = rules.line_amount(rules.Line(kind, line.quantity, line.unit_price))
        # Checked beside the other errors, not after them; the amount must be known to
        # compare a replaced part's salvage with it.
        priced = quantity is not None and unit_price is not None
        if salvage is not None and kind in LineKind.values and (priced or kind != "replace"):
            problem = rules.salvage_error(rules.Line(kind, line.quantity, line.unit_price, salvage))
            if problem:
                errors.setdefault(prefix + "salvage_value", []).append(problem)
        cleaned.append(line)
    return cleaned, errors


def check_lines(loss_item: LossItem, lines: list[dict]) -> tuple[list[AssessmentLine], dict]:
    """Every error of a sheet's lines at once: `clean_lines` and the checks other apps
    register (catalogue links, fitment), which also set each line's fitment flag. The
    service runs it under the lock; the editor runs it too when the header has errors."""
    cleaned, errors = clean_lines(lines)
    previous = AssessmentLine.objects.filter(sheet__loss_item=loss_item)
    _carry_links(lines, cleaned, previous)
    for check in SHEET_LINE_CHECKS:
        for key, messages in (check(loss_item, cleaned) or {}).items():
            errors.setdefault(key, []).extend(m for m in messages if m not in errors.get(key, []))
    return cleaned, errors


@transaction.atomic
def do_save_assessment_sheet(
    loss_item: LossItem,
    *,
    lines: list[dict],
    repair_shop=None,
    vehicle_model: str = "",
    remarks: str = "",
    actor,
    expected_version=None,
    expected_sheet_version=None,
) -> AssessmentSheet:
    """Create or replace the sheet of a vehicle loss item, lines and totals together.
    `expected_sheet_version` is the sheet's version the caller started from (0: no sheet
    yet), `expected_version` the case's, checked only without it (decision 0007, amended:
    claims.services.sheet_case_version, check_sheet_version)."""
    case_version = sheet_case_version(expected_version, expected_sheet_version)
    case, _ = lock_case(loss_item.case, actor, Action.SAVE_SHEET, case_version)
    loss_item = LossItem.objects.select_for_update().get(pk=loss_item.pk, case=case)
    if not loss_item.is_vehicle:
        raise ServiceError(
            "只有车辆损失标的使用车辆定损单。", code=MotorErrorCode.LOSS_ITEM_NOT_VEHICLE
        )
    sheet = AssessmentSheet.objects.filter(loss_item=loss_item).first()
    version = check_sheet_version(case, sheet, expected_sheet_version, "定损单")
    LOSS_ITEM_STATES.check(ItemAction.ASSESS, loss_item.status)
    cleaned, errors = check_lines(loss_item, lines)
    if errors:
        raise ServiceError(SHEET_INVALID, code=ErrorCode.INVALID, fields=errors)
    totals = rules.sheet_totals(
        rules.Line(line.kind, line.quantity, line.unit_price, line.salvage_value)
        for line in cleaned
    )
    before = str(sheet.total) if sheet else None
    if sheet is None:
        sheet = AssessmentSheet(loss_item=loss_item, sheet_no=next_number("DS"))
    sheet.version = version
    sheet.assessor = actor
    sheet.repair_shop = repair_shop
    sheet.vehicle_model = vehicle_model.strip()[:100]
    sheet.remarks = remarks.strip()
    sheet.parts_total = totals.by_kind["replace"]
    sheet.repair_total = totals.by_kind["repair"]
    sheet.paint_total = totals.by_kind["paint"]
    sheet.labour_total = totals.by_kind["labour"]
    sheet.materials_total = totals.by_kind["materials"]
    sheet.sublet_total = totals.by_kind["sublet"]
    sheet.salvage_total = totals.salvage
    sheet.total = totals.total
    sheet.save()
    sheet.lines.all().delete()
    for line in cleaned:
        line.sheet = sheet
    AssessmentLine.objects.bulk_create(cleaned)
    case.assessed_amount = recompute_assessed_amount(case)
    case.version += 1
    case.save(update_fields=["assessed_amount", "version"])
    record_event(
        case,
        EventType.SHEET_SAVED,
        actor,
        f"保存定损单 {sheet.sheet_no}（{loss_item.label}），合计 {money(sheet.total)} 元",
        sheet=sheet.sheet_no,
        total=[before, str(sheet.total)],
        lines=len(cleaned),
    )
    return sheet
