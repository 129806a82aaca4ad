"""Third-party property (三者物损): the survey, the assessment sheet and the negotiation of a
property loss item. Each service locks the case (claims.services.lock_case), checks the
item's state and records an event on the case's timeline; the page and the API call the
same functions and report the same errors."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from lossdesk.claims.choices import EventType, LossItemKind
from lossdesk.claims.models import Attachment, Case, LossItem
from lossdesk.claims.services import (
    bump_version,
    check_sheet_version,
    lock_case,
    recompute_assessed_amount,
    record_event,
    sheet_case_version,
)
from lossdesk.claims.workflow import LOSS_ITEM_STATES, Action, ItemAction
from lossdesk.core.errors import ErrorCode, NotFound, ServiceError
from lossdesk.core.numbering import next_number
from lossdesk.core.templatetags.lossdesk_ui import money
from lossdesk.core.validators import validate_phone
from lossdesk.property.choices import OfferParty, OwnerType, PropertyCategory
from lossdesk.property.error_codes import PropertyErrorCode
from lossdesk.property.models import (
    DepreciationRule,
    Negotiation,
    Offer,
    PropertySheet,
    PropertySheetLine,
    PropertySurvey,
)
from lossdesk.rules import property as rule
from lossdesk.rules.errors import RuleInputError
from lossdesk.rules.money import MONEY, AmountError, parse_amount

MAX_LINES = 300
SHEET_INVALID = "物损定损单有误，请检查标出的项目。"
# A line's text fields and their limits (the model's).
LINE_TEXT = ("name", "specification", "unit", "remarks")


def property_item(case: Case, seq) -> LossItem:
    """The case's property loss item `seq`, or NotFound / a refusal for another kind."""
    item = case.loss_items.filter(seq=seq).first()
    if item is None:
        raise NotFound("本案没有该序号的损失标的。")
    if item.kind != LossItemKind.PROPERTY:
        raise ServiceError(
            "该损失标的不是三者物损。", code=PropertyErrorCode.LOSS_ITEM_NOT_PROPERTY
        )
    return item


def _lock_item(item: LossItem, actor, action: Action, expected_version) -> tuple[Case, LossItem]:
    case, _ = lock_case(item.case, actor, action, expected_version)
    item = LossItem.objects.select_for_update().get(pk=item.pk, case=case)
    if item.kind != LossItemKind.PROPERTY:
        raise ServiceError(
            "该损失标的不是三者物损。", code=PropertyErrorCode.LOSS_ITEM_NOT_PROPERTY
        )
    LOSS_ITEM_STATES.check(ItemAction.ASSESS, item.status)
    return case, item


def _invalid(message: str, fields: dict) -> ServiceError:
    return ServiceError(message, code=ErrorCode.INVALID, fields=fields)


# --- survey -------------------------------------------------------------------------------

SURVEY_FIELDS = ("category", "owner_type", "owner_name", "owner_phone", "location", "description")


@transaction.atomic
def do_save_property_survey(
    item: LossItem, data: dict, *, actor, expected_version=None
) -> PropertySurvey:
    """Create or update the survey of a property loss item (物损查勘)."""
    case, item = _lock_item(item, actor, Action.SAVE_SURVEY, expected_version)
    survey = PropertySurvey.objects.filter(loss_item=item).first() or PropertySurvey(loss_item=item)
    errors: dict[str, list[str]] = {}
    for name in SURVEY_FIELDS:
        value = data.get(name, getattr(survey, name))
        value = "" if value is None else str(value).strip()
        setattr(survey, name, value)
    if survey.category not in PropertyCategory.values:
        errors["category"] = ["请选择物损类别。"]
    if survey.owner_type not in OwnerType.values:
        errors["owner_type"] = ["请选择物主类型。"]
    if survey.owner_phone:
        try:
            validate_phone(survey.owner_phone)
        except ValidationError as exc:
            errors["owner_phone"] = list(exc.messages)
    survey.surveyed_by = actor
    try:
        survey.full_clean(exclude=["loss_item", "surveyed_by", *errors])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise _invalid("物损查勘记录有误，请检查标出的字段。", errors)
    survey.save()
    bump_version(case)
    record_event(
        case,
        EventType.PROPERTY_SURVEY_SAVED,
        actor,
        f"保存物损查勘（{item.label}，{survey.get_category_display()}）",
        loss_item=item.seq,
    )
    return survey


# --- sheet --------------------------------------------------------------------------------


def rule_in_force(case: Case, on: date | None = None) -> tuple[Decimal, str]:
    """The floor of the 成新率 for `case`'s client on `on` (the accident date) and how the
    sheet names it: the client's latest rule in force, else the firm's, else the default."""
    on = on or timezone.localdate(case.report.accident_time)
    rules = DepreciationRule.objects.filter(effective_from__lte=on).select_related("client")
    found = (
        rules.filter(client=case.client).order_by("-effective_from").first()
        or rules.filter(client__isnull=True).order_by("-effective_from").first()
    )
    if found is None:
        return rule.DEFAULT_FLOOR, f"公司默认规则：成新率下限 {rule.DEFAULT_FLOOR:.0%}"
    owner = found.client.short_name or found.client.name if found.client else "公司默认"
    text = f"{owner}规则（{found.effective_from} 起）：成新率下限 {found.floor:.0%}"
    return found.floor, f"{text}；{found.note}" if found.note else text


def months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end` (a month not yet complete does not count)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (1 if end.day < start.day else 0)


def _text(raw: dict, name: str, field: str, errors: dict) -> str:
    value = raw.get(name)
    if isinstance(value, dict | list | bool):
        errors.setdefault(field, []).append("请输入文字。")
        return ""
    text = "" if value is None else str(value).strip()
    limit = PropertySheetLine._meta.get_field(name).max_length
    if len(text) > limit:
        errors.setdefault(field, []).append(f"最多 {limit} 个字。")
    return text[:limit]


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _months(raw: dict, prefix: str, accident: date, errors: dict) -> tuple[int | None, date | None]:
    """Months used as typed, or counted from the purchase date to the accident."""
    purchase = raw.get("purchase_date")
    if isinstance(purchase, str) and purchase.strip():
        try:
            purchase = date.fromisoformat(purchase.strip())
        except ValueError:
            errors.setdefault(prefix + "purchase_date", []).append("日期格式应为 YYYY-MM-DD。")
            purchase = None
    elif not isinstance(purchase, date):
        purchase = None
    if purchase is not None and purchase > accident:
        errors.setdefault(prefix + "purchase_date", []).append("购置日期不能晚于出险日期。")
        purchase = None
    value = raw.get("months_used")
    if _blank(value):
        return (months_between(purchase, accident) if purchase else None), purchase
    if isinstance(value, bool | float):
        value = "x"
    try:
        months = int(str(value).strip())
    except ValueError:
        errors.setdefault(prefix + "months_used", []).append("已使用月数须为整数。")
        return None, purchase
    if months < 0:
        errors.setdefault(prefix + "months_used", []).append("已使用月数不能为负数。")
        return None, purchase
    if months > 12000:
        errors.setdefault(prefix + "months_used", []).append("已使用月数不能超过 12000。")
        return None, purchase
    return months, purchase


def clean_lines(
    lines: list[dict], *, floor: Decimal, accident: date
) -> tuple[list[PropertySheetLine], dict[str, list[str]]]:
    """Validate raw line dicts, every line, so a user sees all of a sheet's errors at once
    (the rule names the first bad field of a line; the text fields are checked beside it).
    Errors are keyed `lines.<i>.<field>`."""
    errors: dict[str, list[str]] = {}
    if not isinstance(lines, list) or not lines:
        return [], {"lines": ["物损定损单至少需要一个项目。"]}
    if len(lines) > MAX_LINES:
        return [], {"lines": [f"定损项目不能超过 {MAX_LINES} 行。"]}
    cleaned = []
    for i, raw in enumerate(lines):
        prefix = f"lines.{i}."
        if not isinstance(raw, dict):
            errors[f"lines.{i}"] = ["项目格式有误。"]
            continue
        texts = {name: _text(raw, name, prefix + name, errors) for name in LINE_TEXT}
        months, purchase = _months(raw, prefix, accident, errors)
        line_input = rule.PropertyLineInput(
            name=texts["name"],
            treatment=raw.get("treatment") or "",
            quantity=_number(raw.get("quantity"), "1"),
            unit_price=_number(raw.get("unit_price"), ""),
            months_used=months,
            useful_life_years=None
            if _blank(raw.get("useful_life_years"))
            else _number(raw.get("useful_life_years"), ""),
            salvage_value=_number(raw.get("salvage_value"), "0"),
        )
        if prefix + "months_used" in errors or prefix + "purchase_date" in errors:
            continue
        try:
            result = rule.assess_line(line_input, f"lines.{i}", floor)
        except RuleInputError as exc:
            errors.setdefault(exc.field, []).append(exc.message)
            continue
        depreciated = result.treatment in rule.DEPRECIATED
        cleaned.append(
            PropertySheetLine(
                seq=i + 1,
                treatment=result.treatment.value,
                name=result.name,
                specification=texts["specification"],
                unit=texts["unit"],
                quantity=result.quantity,
                unit_price=result.unit_price,
                purchase_date=purchase,
                months_used=months,
                useful_life_years=line_input.useful_life_years if depreciated else None,
                depreciation_rate=result.depreciation_rate.quantize(Decimal("1e-10")),
                floored=result.floored,
                amount=result.amount,
                salvage_value=result.salvage_value,
                remarks=texts["remarks"],
            )
        )
    return cleaned, errors


def _number(value, default: str):
    """What the rule parses: text as typed (blank → `default`); JSON numbers as sent."""
    if _blank(value):
        return default
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return value
    return str(value) if not isinstance(value, float | bool | dict | list) else value


@transaction.atomic
def do_save_property_sheet(
    item: LossItem,
    *,
    lines: list[dict],
    remarks: str = "",
    actor,
    expected_version=None,
    expected_sheet_version=None,
) -> PropertySheet:
    """Create or replace the sheet of a property loss item, lines and totals together, by
    the depreciation rule in force for the case's client on the accident date.
    `expected_sheet_version` is the sheet's version the caller started from (0: no sheet
    yet), `expected_version` the case's, checked only without it (decision 0007, amended:
    claims.services.sheet_case_version, check_sheet_version)."""
    case_version = sheet_case_version(expected_version, expected_sheet_version)
    case, item = _lock_item(item, actor, Action.SAVE_SHEET, case_version)
    sheet = PropertySheet.objects.filter(loss_item=item).first()
    version = check_sheet_version(case, sheet, expected_sheet_version, "物损定损单")
    accident = timezone.localdate(case.report.accident_time)
    floor, rule_text = rule_in_force(case, accident)
    cleaned, errors = clean_lines(lines, floor=floor, accident=accident)
    remarks = "" if remarks is None else str(remarks).strip()
    limit = PropertySheet._meta.get_field("remarks").max_length
    if len(remarks) > limit:
        errors["remarks"] = [f"最多 {limit} 个字。"]
    if not errors:
        amounts = sum((line.amount for line in cleaned), Decimal("0.00"))
        if amounts > MONEY.maximum:
            errors["lines"] = [f"金额合计不能大于 {MONEY.maximum:,}。"]
    if errors:
        raise _invalid(SHEET_INVALID, errors)
    salvage = sum((line.salvage_value for line in cleaned), Decimal("0.00"))
    before = str(sheet.total) if sheet else None
    if sheet is None:
        sheet = PropertySheet(loss_item=item, sheet_no=next_number("WS"))
    sheet.version = version
    sheet.assessor = actor
    sheet.depreciation_floor = floor
    sheet.depreciation_rule = rule_text[:300]
    sheet.remarks = remarks
    sheet.amounts_total = amounts
    sheet.salvage_total = salvage
    sheet.total = amounts - salvage
    sheet.save()
    sheet.lines.all().delete()
    for line in cleaned:
        line.sheet = sheet
    PropertySheetLine.objects.bulk_create(cleaned)
    case.assessed_amount = recompute_assessed_amount(case)
    bump_version(case, "assessed_amount")
    record_event(
        case,
        EventType.SHEET_SAVED,
        actor,
        f"保存物损定损单 {sheet.sheet_no}（{item.label}），合计 {money(sheet.total)} 元",
        sheet=sheet.sheet_no,
        total=[before, str(sheet.total)],
        lines=len(cleaned),
    )
    return sheet


# --- negotiation --------------------------------------------------------------------------


def _amount(value, field: str, errors: dict) -> Decimal | None:
    if _blank(value):
        return None
    try:
        return parse_amount(value, MONEY, field=field)
    except AmountError as exc:
        errors.setdefault(field, []).append(exc.message)
        return None


def _negotiation(item: LossItem, actor) -> Negotiation:
    return Negotiation.objects.filter(loss_item=item).first() or Negotiation(
        loss_item=item, updated_by=actor
    )


@transaction.atomic
def do_save_negotiation(
    item: LossItem,
    *,
    claimed_amount=None,
    agreed_amount=None,
    agreed_on: date | None = None,
    above_assessed_reason: str = "",
    agreement: int | None = None,
    actor,
    expected_version=None,
) -> Negotiation:
    """Record what the owner claims and what was agreed (协商). An agreed amount needs the
    sheet first (it is compared with the assessed total) and, above that total, a reason."""
    case, item = _lock_item(item, actor, Action.SAVE_SHEET, expected_version)
    errors: dict[str, list[str]] = {}
    claimed = _amount(claimed_amount, "claimed_amount", errors)
    agreed = _amount(agreed_amount, "agreed_amount", errors)
    reason = "" if above_assessed_reason is None else str(above_assessed_reason).strip()
    sheet = PropertySheet.objects.filter(loss_item=item).first()
    if agreed is not None and sheet is None:
        errors.setdefault("agreed_amount", []).append("请先编制物损定损单，再记录协商金额。")
    elif agreed is not None and agreed > sheet.total and not reason:
        errors.setdefault("above_assessed_reason", []).append(
            f"协商金额高于定损合计 {money(sheet.total)} 元，须说明原因。"
        )
    if agreed is None and (agreed_on or agreement):
        errors.setdefault("agreed_amount", []).append("请填写协商金额。")
    if agreed_on is not None and agreed_on > timezone.localdate():
        errors.setdefault("agreed_on", []).append("协议日期不能晚于今天。")
    document = None
    if agreement is not None:
        document = Attachment.objects.filter(pk=agreement, case=case, loss_item=item).first()
        if document is None:
            errors.setdefault("agreement", []).append("协议书须为本标的已上传的单证。")
    if len(reason) > Negotiation._meta.get_field("above_assessed_reason").max_length:
        errors.setdefault("above_assessed_reason", []).append("原因太长。")
    if errors:
        raise _invalid("协商记录有误，请检查标出的字段。", errors)
    negotiation = _negotiation(item, actor)
    before = negotiation.agreed_amount
    negotiation.claimed_amount = claimed
    negotiation.agreed_amount = agreed
    negotiation.agreed_on = (agreed_on or timezone.localdate()) if agreed is not None else None
    if agreed is None:
        negotiation.agreed_at = None
    elif before != agreed or negotiation.agreed_at is None:
        negotiation.agreed_at = timezone.now()
    negotiation.above_assessed_reason = reason
    negotiation.agreement = document
    negotiation.updated_by = actor
    negotiation.save()
    bump_version(case)
    outcome = f"协商金额 {money(agreed)} 元" if agreed is not None else "尚未达成协商"
    claimed_text = f"索赔 {money(claimed)} 元，" if claimed is not None else ""
    record_event(
        case,
        EventType.NEGOTIATION_SAVED,
        actor,
        f"物损协商（{item.label}）：{claimed_text}{outcome}",
        loss_item=item.seq,
        claimed=str(claimed) if claimed is not None else None,
        agreed=[str(before) if before is not None else None, str(agreed) if agreed else None],
    )
    return negotiation


@transaction.atomic
def do_add_offer(
    item: LossItem,
    *,
    offered_on: date,
    party: str,
    speaker: str,
    amount,
    note: str = "",
    actor,
    expected_version=None,
) -> Offer:
    """One offer or counter-offer in the negotiation, in the order it was made."""
    case, item = _lock_item(item, actor, Action.SAVE_SHEET, expected_version)
    errors: dict[str, list[str]] = {}
    value = _amount(amount, "amount", errors)
    if value is None and "amount" not in errors:
        errors["amount"] = ["请填写金额。"]
    if party not in OfferParty.values:
        errors["party"] = ["请选择提出方。"]
    speaker = "" if speaker is None else str(speaker).strip()
    if not speaker:
        errors["speaker"] = ["请填写发言人。"]
    if not isinstance(offered_on, date):
        errors["offered_on"] = ["请填写日期。"]
    elif offered_on > timezone.localdate():
        errors["offered_on"] = ["日期不能晚于今天。"]
    offer = Offer(
        offered_on=offered_on if isinstance(offered_on, date) else None,
        party=party,
        speaker=speaker,
        amount=value or Decimal("0"),
        note="" if note is None else str(note).strip(),
        recorded_by=actor,
    )
    try:
        offer.full_clean(exclude=["negotiation", "recorded_by", *errors])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise _invalid("报价记录有误，请检查标出的字段。", errors)
    negotiation = _negotiation(item, actor)
    if negotiation.pk is None:
        negotiation.save()
    offer.negotiation = negotiation
    offer.save()
    bump_version(case)
    record_event(
        case,
        EventType.OFFER_RECORDED,
        actor,
        f"物损协商（{item.label}）：{offer.get_party_display()} {speaker} "
        f"报价 {money(offer.amount)} 元",
        loss_item=item.seq,
        amount=str(offer.amount),
    )
    return offer


def recommended_settlement(item: LossItem) -> Decimal | None:
    """What the report recommends for a property item: the agreed amount when it is lower
    than the assessed total, otherwise the assessed total (both are shown)."""
    sheet = getattr(item, "property_sheet", None)
    if sheet is None:
        return None
    negotiation = getattr(item, "negotiation", None)
    agreed = negotiation.agreed_amount if negotiation is not None else None
    return min(sheet.total, agreed) if agreed is not None else sheet.total
