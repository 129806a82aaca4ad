"""Every write of the parts app: `do_<verb>_<noun>(…, *, actor)`, one transaction each,
permission-checked. Callers look objects up through their `for_user` querysets first (404
outside the user's scope)."""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from lossdesk.claims.models import Case, LossItem
from lossdesk.claims.services import lock_case
from lossdesk.claims.workflow import Action
from lossdesk.core.errors import (
    ErrorCode,
    Incomplete,
    NotFound,
    PermissionDenied,
    SelfReview,
    ServiceError,
)
from lossdesk.core.numbering import next_number
from lossdesk.core.uploads import SniffedUpload, sniff_upload
from lossdesk.core.validators import normalize_vin, validate_vin
from lossdesk.motor.services import do_save_assessment_sheet
from lossdesk.parts import permissions as perms
from lossdesk.parts.choices import (
    CATALOGUE_IMPORT_STATES,
    MANUAL_QUOTE_STATES,
    PRICE_QUERY_STATES,
    IdentificationMethod,
    ImportAction,
    ManualQuoteStatus,
    PriceChangeAction,
    PriceType,
    QueryAction,
    QuoteAction,
)
from lossdesk.parts.error_codes import PartsErrorCode
from lossdesk.parts.fitment import warnings_for
from lossdesk.parts.importing import sniff
from lossdesk.parts.models import (
    CatalogueImport,
    LocalPriceOverride,
    ManualQuote,
    ManualQuotePhoto,
    Part,
    PartFitment,
    PartName,
    PriceChange,
    PriceQuery,
    PriceQueryLine,
    VehicleIdentification,
    VehicleModel,
)
from lossdesk.parts.queries import price_region, price_source_text, prices_for
from lossdesk.rules.money import FEN, PRICE, QUANTITY, AmountError, parse_amount

MAX_QUERY_LINES = 200
MAX_QUOTE_PHOTOS = 9
MAX_PHOTO_SIZE = 10 * 1024 * 1024
DEFAULT_QUOTE_HOURS = 4
MAX_QUOTE_HOURS = 24 * 14


def _require(actor, perm: str, action: str) -> None:
    if not actor.has_perm(perm):
        raise PermissionDenied(f"您的岗位没有「{action}」权限。")


def _money(value, field: str, errors: dict, *, required: bool = True) -> Decimal | None:
    if value in (None, ""):
        if required:
            errors.setdefault(field, []).append("请填写金额。")
        return None
    try:
        return parse_amount(value, PRICE, positive=True).quantize(FEN)
    except AmountError as exc:
        errors.setdefault(field, []).append(exc.message)
        return None


def _quantity(value, field: str, errors: dict) -> Decimal:
    try:
        return parse_amount(value if value not in (None, "") else "1", QUANTITY, positive=True)
    except AmountError as exc:
        errors.setdefault(field, []).append(exc.message)
        return Decimal("1")


def _vin(value: str, errors: dict) -> str:
    vin = normalize_vin(value or "")
    if vin:
        try:
            validate_vin(vin)
        except ValidationError as exc:
            if exc.code != "vin_check_digit":  # a wrong check digit is reported, not refused
                errors["vin"] = exc.messages
    return vin


def _scoped_case(case_or_no, actor) -> Case:
    if case_or_no in (None, ""):
        return None
    key = getattr(case_or_no, "pk", None)
    qs = Case.objects.for_user(actor)
    case = qs.filter(pk=key).first() if key else qs.filter(case_no=str(case_or_no)).first()
    if case is None:
        raise NotFound("案件不存在或不在您的数据范围内。")
    return case


def _vehicle_loss_item(case: Case, loss_item) -> LossItem:
    key = getattr(loss_item, "pk", loss_item)
    item = case.loss_items.filter(pk=key).first() if str(key).isdigit() else None
    if item is None:
        raise NotFound("损失标的不存在。")
    if not item.is_vehicle:
        raise ServiceError(
            "只有车辆损失标的可以定型、生成定损单。",
            code=PartsErrorCode.LOSS_ITEM_NOT_VEHICLE,
            fields={"loss_item": ["不是车辆标的。"]},
        )
    return item


# -------------------------------------------------------------------- identification


@transaction.atomic
def do_identify_vehicle(
    loss_item: LossItem,
    *,
    vehicle_model: VehicleModel,
    vin: str = "",
    method: str = IdentificationMethod.MANUAL,
    reason: str = "",
    actor,
    expected_version=None,
) -> VehicleIdentification:
    """Record the model chosen for a vehicle loss item (车辆定型); the fitment check of the
    sheet lines compares against it."""
    _require(actor, perms.IDENTIFY, "车辆定型")
    case, _ = lock_case(loss_item.case, actor, Action.SAVE_SHEET, expected_version)
    item = _vehicle_loss_item(case, loss_item.pk)
    errors: dict = {}
    vin = _vin(vin, errors)
    if method not in IdentificationMethod.values:
        errors["method"] = ["定型方式无效。"]
    if errors:
        raise ServiceError("车辆定型信息有误。", code=ErrorCode.INVALID, fields=errors)
    ident, _ = VehicleIdentification.objects.update_or_create(
        loss_item=item,
        defaults={
            "vehicle_model": vehicle_model,
            "vin": vin,
            "method": method,
            "reason": reason[:300],
            "identified_by": actor,
        },
    )
    return ident


# ----------------------------------------------------------------------- price queries


def _query_line(raw: dict, i: int, model, prices, parts, quotes, errors) -> PriceQueryLine:
    prefix = f"lines.{i}."
    price_type = raw.get("price_type") or PriceType.DEALER_4S
    if price_type not in PriceType.values:
        errors[prefix + "price_type"] = ["价格类型无效。"]
        price_type = PriceType.DEALER_4S
    quantity = _quantity(raw.get("quantity"), prefix + "quantity", errors)
    line = PriceQueryLine(seq=i + 1, price_type=price_type, quantity=quantity)
    part_id = raw.get("part")
    quote_id = raw.get("manual_quote")
    if part_id not in (None, ""):
        part = parts.get(int(part_id)) if str(part_id).isdigit() else None
        if part is None:
            errors[prefix + "part"] = ["目录中没有该配件。"]
            return line
        line.part = part
        line.name, line.oe_number = part.name, part.oe_number
        info = next((p for p in prices.get(part.pk, []) if p.price_type == price_type), None)
        if info is not None and info.price is not None:
            line.unit_price = info.price
            line.catalogue_price = info.catalogue_price
            line.catalogue_price_ref_id = info.catalogue_price_id
            line.local_price_ref_id = info.local_price_id
            line.source = price_source_text(info)
    else:
        line.name = str(raw.get("name") or "").strip()[:100]
        line.oe_number = str(raw.get("oe_number") or "").strip()[:40]
        if not line.name:
            errors[prefix + "name"] = ["请选择目录配件或填写配件名称。"]
    if quote_id not in (None, ""):
        quote = quotes.get(int(quote_id)) if str(quote_id).isdigit() else None
        if quote is None:
            errors[prefix + "manual_quote"] = ["人工报价不存在。"]
        else:
            line.manual_quote = quote
            _take_quote_price(line, quote)
    return line


def _take_quote_price(line: PriceQueryLine, quote: ManualQuote) -> None:
    if quote.price is not None and quote.status != ManualQuoteStatus.OPEN:
        line.unit_price = quote.price
        line.price_type = quote.price_type
        line.local_price_ref = None
        line.catalogue_price_ref = None
        line.source = f"人工报价 {quote.quote_no}：{quote.source}"[:200]


@transaction.atomic
def do_save_price_query(data: dict, *, actor, query: PriceQuery | None = None) -> PriceQuery:
    """Create a price query (询价单) or replace its header and lines. Each catalogue line
    takes the price of its type for the query's price branch (its local price first, else
    the catalogue price of its province or 全国) and records where it came from. The price
    branch is the case's (`queries.price_region`, decision 0032) for a query of a case, else
    the actor's; the query itself stays the actor's branch's (who sees it)."""
    _require(actor, perms.SAVE_QUERY, "询价")
    if query is not None:
        query = PriceQuery.objects.for_user(actor).select_for_update().filter(pk=query.pk).first()
        if query is None:
            raise NotFound("询价单不存在或不在您的数据范围内。")
    errors: dict = {}
    model = data.get("vehicle_model")
    if model is not None and not isinstance(model, VehicleModel):
        model = VehicleModel.objects.filter(pk=model).first() if str(model).isdigit() else None
        if model is None:
            errors["vehicle_model"] = ["车型不存在。"]
    vin = _vin(data.get("vin", ""), errors)
    case = _scoped_case(data.get("case"), actor)
    loss_item = None
    if data.get("loss_item") not in (None, ""):
        if case is None:
            errors["loss_item"] = ["请同时指定案件。"]
        else:
            loss_item = _vehicle_loss_item(case, data["loss_item"])
    raw_lines = list(data.get("lines") or [])
    if len(raw_lines) > MAX_QUERY_LINES:
        errors["lines"] = [f"询价明细不能超过 {MAX_QUERY_LINES} 行。"]
        raw_lines = []
    part_ids = {int(r["part"]) for r in raw_lines if str(r.get("part") or "").isdigit()}
    parts = Part.objects.select_related("make").in_bulk(part_ids)
    quote_ids = {
        int(r["manual_quote"]) for r in raw_lines if str(r.get("manual_quote") or "").isdigit()
    }
    quotes = ManualQuote.objects.for_user(actor).in_bulk(quote_ids)
    region = price_region(actor, case)
    prices = prices_for(list(parts.values()), branch=region.branch)
    lines = [
        _query_line(raw, i, model, prices, parts, quotes, errors) for i, raw in enumerate(raw_lines)
    ]
    if errors:
        raise ServiceError("询价单有误，请检查标出的项目。", code=ErrorCode.INVALID, fields=errors)
    warnings = warnings_for([ln.part_id for ln in lines if ln.part_id], model)
    for line in lines:
        line.fitment_warning = warnings.get(line.part_id, "")
    if query is None:
        query = PriceQuery(query_no=next_number("XJ"), created_by=actor, branch=actor.branch)
    query.price_branch = region.branch
    query.vehicle_model = model
    query.vin = vin
    query.case = case
    query.loss_item = loss_item
    query.note = str(data.get("note") or "").strip()[:200]
    query.save()
    query.lines.filter(active=True).update(active=False)
    for line in lines:
        line.query = query
    PriceQueryLine.objects.bulk_create(lines)
    return query


def query_line_dicts(query: PriceQuery) -> list[dict]:
    """The lines of a saved query in the shape do_save_price_query takes (to add a line)."""
    return [
        {
            "part": line.part_id,
            "name": line.name,
            "oe_number": line.oe_number,
            "price_type": line.price_type,
            "quantity": str(line.quantity),
            "manual_quote": line.manual_quote_id,
        }
        for line in query.current_lines
    ]


def _sheet_line_dict(line) -> dict:
    return {
        "kind": line.kind,
        "name": line.name,
        "part_no": line.part_no,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "salvage_value": line.salvage_value,
        "remarks": line.remarks,
        "part": line.part_id,
        "price_type": line.price_type,
        "price_source": line.price_source,
        "price_query_line": line.price_query_line_id,
    }


@transaction.atomic
def do_apply_price_query(
    query: PriceQuery,
    *,
    loss_item: LossItem | None = None,
    actor,
    expected_version=None,
    expected_sheet_version=None,
):
    """Turn a price query into replace lines (换件) of the loss item's assessment sheet, in
    one action: lines taken from this query before are replaced, other lines stay. Each
    sheet line keeps its part, price type, price source and query line. The versions are
    checked as the sheet's save checks them (decision 0007): the sheet's when given, else
    the case's."""
    _require(actor, perms.SAVE_QUERY, "询价")
    query = PriceQuery.objects.for_user(actor).select_for_update().filter(pk=query.pk).first()
    if query is None:
        raise NotFound("询价单不存在或不在您的数据范围内。")
    target = loss_item or query.loss_item
    if target is None:
        raise ServiceError(
            "请选择要生成定损单的车辆标的。",
            code=PartsErrorCode.LOSS_ITEM_REQUIRED,
            fields={"loss_item": ["必填。"]},
        )
    case = _scoped_case(target.case, actor)
    target = _vehicle_loss_item(case, target.pk)
    if (query.price_branch_id or query.branch_id) != price_region(actor, case).branch.pk:
        # Priced for another region (saved outside the case, or before a delegation was
        # accepted): the lines take the case's prices first, as a save for the case would.
        data = {
            "vehicle_model": query.vehicle_model,
            "vin": query.vin,
            "case": case,
            "loss_item": target.pk,
            "note": query.note,
            "lines": query_line_dicts(query),
        }
        query = do_save_price_query(data, actor=actor, query=query)
    lines = list(query.current_lines.select_related("manual_quote"))
    if not lines:
        raise ServiceError(
            "询价单没有明细。",
            code=PartsErrorCode.PRICE_QUERY_EMPTY,
            fields={"lines": ["至少需要一个配件。"]},
        )
    missing = {
        f"lines.{line.seq - 1}.unit_price": ["没有价格：请先发起人工报价并等待回复。"]
        for line in lines
        if line.unit_price is None
    }
    if missing:
        raise ServiceError(
            "询价单中有配件尚无价格。", code=PartsErrorCode.PRICES_MISSING, fields=missing
        )
    sheet = getattr(target, "sheet", None)
    kept = []
    if sheet is not None:
        for old in sheet.lines.select_related("price_query_line"):
            if old.price_query_line_id and old.price_query_line.query_id == query.pk:
                continue
            if (
                old.price_query_line_id is None
                and old.part_id
                and any(old.part_id == ln.part_id for ln in lines)
            ):
                continue  # the same catalogue part typed in by hand: the query's line wins
            kept.append(_sheet_line_dict(old))
    new_lines = [
        {
            "kind": "replace",
            "name": line.name,
            "part_no": line.oe_number,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "part": line.part_id,
            "price_type": line.price_type,
            "price_source": line.source,
            "price_query_line": line.pk,
            "remarks": "",
        }
        for line in lines
    ]
    if (
        query.vehicle_model_id
        and not VehicleIdentification.objects.filter(loss_item=target).exists()
    ):
        VehicleIdentification.objects.create(
            loss_item=target,
            vin=query.vin,
            vehicle_model=query.vehicle_model,
            method=IdentificationMethod.VIN if query.vin else IdentificationMethod.MANUAL,
            reason=f"来自询价单 {query.query_no}",
            identified_by=actor,
        )
    sheet = do_save_assessment_sheet(
        target,
        lines=kept + new_lines,
        repair_shop=sheet.repair_shop if sheet else None,
        vehicle_model=(sheet.vehicle_model if sheet and sheet.vehicle_model else "")
        or (query.vehicle_model.name if query.vehicle_model else ""),
        remarks=sheet.remarks if sheet else "",
        actor=actor,
        expected_version=expected_version,
        expected_sheet_version=expected_sheet_version,
    )
    PRICE_QUERY_STATES.move(query, QueryAction.APPLY)
    query.applied_sheet = sheet
    query.applied_at = timezone.now()
    query.case = case
    query.loss_item = target
    query.save(update_fields=["status", "applied_sheet", "applied_at", "case", "loss_item"])
    return sheet


# ------------------------------------------------------------------------ local prices


def _catalogue_price(part: Part, price_type: str, branch) -> Decimal | None:
    info = next(
        (p for p in prices_for([part], branch=branch)[part.pk] if p.price_type == price_type),
        None,
    )
    return info.catalogue_price if info else None


def _set_local_price(part, branch, price_type, price, reason, actor, manual_quote=None):
    override = (
        LocalPriceOverride.objects.select_for_update()
        .filter(branch=branch, part=part, price_type=price_type)
        .first()
    )
    old = override.price if override else None
    if override is None:
        override = LocalPriceOverride(branch=branch, part=part, price_type=price_type)
    override.price = price
    override.reason = reason
    override.updated_by = actor
    override.save()
    PriceChange.objects.create(
        branch=branch,
        part=part,
        price_type=price_type,
        action=PriceChangeAction.SET if old is None else PriceChangeAction.UPDATE,
        old_price=old,
        new_price=price,
        catalogue_price=_catalogue_price(part, price_type, branch),
        reason=reason,
        manual_quote=manual_quote,
        actor=actor,
    )
    return override


@transaction.atomic
def do_set_local_price(part: Part, *, price_type: str, price, reason: str, actor):
    """Set (or change) the actor's branch's own price for a part; audited."""
    _require(actor, perms.SET_LOCAL_PRICE, "维护本地价格")
    if actor.branch_id is None:
        raise PermissionDenied("您没有所属机构，不能维护本地价格。")
    errors: dict = {}
    if price_type not in PriceType.values:
        errors["price_type"] = ["价格类型无效。"]
    value = _money(price, "price", errors)
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = ["请填写调整原因。"]
    if errors:
        raise ServiceError("本地价格有误。", code=ErrorCode.INVALID, fields=errors)
    return _set_local_price(part, actor.branch, price_type, value, reason[:200], actor)


@transaction.atomic
def do_remove_local_price(override: LocalPriceOverride, *, reason: str, actor) -> None:
    _require(actor, "parts.delete_localpriceoverride", "删除本地价格")
    override = (
        LocalPriceOverride.objects.for_user(actor)
        .select_for_update()
        .filter(pk=override.pk)
        .first()
    )
    if override is None:
        raise NotFound("本地价格不存在或不在您的数据范围内。")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(
            "请填写删除原因。", code=PartsErrorCode.REASON_REQUIRED, fields={"reason": ["必填。"]}
        )
    PriceChange.objects.create(
        branch=override.branch,
        part=override.part,
        price_type=override.price_type,
        action=PriceChangeAction.REMOVE,
        old_price=override.price,
        new_price=None,
        catalogue_price=_catalogue_price(override.part, override.price_type, override.branch),
        reason=reason[:200],
        actor=actor,
    )
    override.delete()


# ------------------------------------------------------------------------ manual quotes


def _check_photos(photos, errors: dict) -> tuple[list[SniffedUpload], ServiceError | None]:
    """Sniff every photo (core.uploads), gathering their field messages into `errors`.
    Returns the photos and the first typed refusal, so the answer keeps its code
    (`unsupported_file_type`, `image_too_large`) beside the other fields' messages."""
    sniffed, refused = [], None
    for i, upload in enumerate(photos):
        try:
            sniffed.append(sniff_upload(upload, max_bytes=MAX_PHOTO_SIZE, field=f"photos.{i}"))
        except ServiceError as exc:
            errors.update(exc.fields)
            refused = refused or exc
    return sniffed, refused


@transaction.atomic
def do_request_manual_quote(data: dict, *, photos=(), actor) -> ManualQuote:
    """Ask the price desk for a price the catalogue lacks (人工报价), with a deadline."""
    _require(actor, perms.REQUEST_QUOTE, "发起人工报价")
    if actor.branch_id is None:
        raise PermissionDenied("您没有所属机构，不能发起人工报价。")
    errors: dict = {}
    part = data.get("part")
    if part not in (None, "") and not isinstance(part, Part):
        part = Part.objects.filter(pk=part).first() if str(part).isdigit() else None
        if part is None:
            errors["part"] = ["目录中没有该配件。"]
    part_name = str(data.get("part_name") or (part.name if part else "")).strip()[:100]
    if not part_name:
        errors["part_name"] = ["请填写配件名称。"]
    model = data.get("vehicle_model")
    if model not in (None, "") and not isinstance(model, VehicleModel):
        model = VehicleModel.objects.filter(pk=model).first() if str(model).isdigit() else None
        if model is None:
            errors["vehicle_model"] = ["车型不存在。"]
    description = str(data.get("vehicle_description") or "").strip()[:200]
    if not model and not description:
        errors["vehicle_description"] = ["请选择车型或填写车辆描述。"]
    price_type = data.get("price_type") or PriceType.DEALER_4S
    if price_type not in PriceType.values:
        errors["price_type"] = ["价格类型无效。"]
    quantity = _quantity(data.get("quantity"), "quantity", errors)
    hours = data.get("deadline_hours") or DEFAULT_QUOTE_HOURS
    try:
        hours = int(hours)
        if not 1 <= hours <= MAX_QUOTE_HOURS:
            raise ValueError
    except (TypeError, ValueError):
        errors["deadline_hours"] = [f"报价时限应为 1 到 {MAX_QUOTE_HOURS} 小时。"]
        hours = DEFAULT_QUOTE_HOURS
    vin = _vin(data.get("vin", ""), errors)
    photos = list(photos or [])
    if len(photos) > MAX_QUOTE_PHOTOS:
        errors["photos"] = [f"照片最多 {MAX_QUOTE_PHOTOS} 张。"]
    sniffed, refused = _check_photos(photos, errors)
    query_line = None
    if data.get("query_line") not in (None, ""):
        key = data["query_line"]
        query_line = (
            PriceQueryLine.objects.filter(
                pk=key, query__in=PriceQuery.objects.for_user(actor)
            ).first()
            if str(key).isdigit()
            else None
        )
        if query_line is None:
            errors["query_line"] = ["询价明细不存在。"]
    case = None
    try:
        case = _scoped_case(data.get("case"), actor)
    except NotFound:
        errors["case"] = ["案件不存在或不在您的数据范围内。"]
    if errors:
        if refused is not None:
            refused.fields = errors
            raise refused
        raise ServiceError("人工报价信息有误。", code=ErrorCode.INVALID, fields=errors)
    quote = ManualQuote.objects.create(
        quote_no=next_number("BJ"),
        branch=actor.branch,
        part=part or None,
        part_name=part_name,
        oe_number=str(data.get("oe_number") or (part.oe_number if part else "")).strip()[:40],
        vehicle_model=model or None,
        vehicle_description=description,
        vin=vin,
        case=case or (query_line.query.case if query_line else None),
        quantity=quantity,
        price_type=price_type,
        note=str(data.get("note") or "").strip()[:500],
        requested_by=actor,
        deadline=timezone.now() + timedelta(hours=hours),
    )
    for upload, photo in zip(photos, sniffed, strict=True):
        ManualQuotePhoto.objects.create(
            quote=quote,
            file=photo.as_file(),
            original_name=str(upload.name)[:200],
            content_type=photo.content_type,
        )
    if query_line is not None:
        query_line.manual_quote = quote
        query_line.save(update_fields=["manual_quote"])
    return quote


def _locked_quote(quote: ManualQuote, actor) -> ManualQuote:
    locked = ManualQuote.objects.for_user(actor).select_for_update().filter(pk=quote.pk).first()
    if locked is None:
        raise NotFound("人工报价不存在或不在您的数据范围内。")
    return locked


@transaction.atomic
def do_answer_manual_quote(
    quote: ManualQuote, *, price, source: str, oe_number: str = "", note: str = "", actor
) -> ManualQuote:
    """The price desk answers: the price flows into the price-query lines that asked for it
    (and from there into the sheet when the assessor applies the query)."""
    _require(actor, perms.ANSWER_QUOTE, "人工报价")
    quote = _locked_quote(quote, actor)
    MANUAL_QUOTE_STATES.check(QuoteAction.ANSWER, quote.status)
    errors: dict = {}
    value = _money(price, "price", errors)
    source = (source or "").strip()
    if not source:
        errors["source"] = ["请填写价格来源（如 4S店询价、供应商报价）。"]
    if errors:
        raise ServiceError("报价信息有误。", code=ErrorCode.INVALID, fields=errors)
    quote.price = value
    quote.source = source[:200]
    quote.answer_note = (note or "").strip()[:500]
    if oe_number.strip():
        quote.oe_number = oe_number.strip()[:40]
    quote.answered_by = actor
    quote.answered_at = timezone.now()
    MANUAL_QUOTE_STATES.move(quote, QuoteAction.ANSWER)
    quote.save()
    for line in quote.query_lines.filter(active=True):
        _take_quote_price(line, quote)
        line.save(
            update_fields=[
                "unit_price",
                "price_type",
                "source",
                "local_price_ref",
                "catalogue_price_ref",
            ]
        )
    return quote


def _catalogue_part_for(quote: ManualQuote) -> Part:
    """The quote's catalogue part, found by OE number or created (name, make of the model)."""
    if quote.part_id:
        return quote.part
    make = quote.vehicle_model.series.make if quote.vehicle_model_id else None
    if make is None or not quote.oe_number:
        raise Incomplete(
            "入库需要 OE号和车型（品牌）：请报价员补充 OE号，或驳回不入库。",
            fields={"oe_number": ["必填。"]},
        )
    from lossdesk.parts.text import normalize_oe

    part = Part.objects.filter(make=make, oe_normalized=normalize_oe(quote.oe_number)).first()
    if part is None:
        name, _ = PartName.objects.get_or_create(name=quote.part_name)
        part = Part.objects.create(
            make=make,
            standard_name=name,
            name=quote.part_name,
            oe_number=quote.oe_number,
            category=name.category,
        )
    if quote.vehicle_model_id:
        PartFitment.objects.get_or_create(part=part, model=quote.vehicle_model)
    return part


@transaction.atomic
def do_decide_manual_quote(
    quote: ManualQuote, *, approve: bool, note: str = "", actor
) -> ManualQuote:
    """Approve an answered quote into the catalogue as the requesting branch's local price
    (audited like any local price), or reject it (the answer still priced the query)."""
    _require(actor, perms.APPROVE_QUOTE, "审批人工报价")
    quote = _locked_quote(quote, actor)
    action = QuoteAction.APPROVE if approve else QuoteAction.REJECT
    MANUAL_QUOTE_STATES.check(action, quote.status)
    if quote.answered_by_id == actor.pk:
        raise SelfReview("不能审批自己给出的报价。")
    note = (note or "").strip()
    if not approve and not note:
        raise ServiceError(
            "驳回时请填写意见。", code=PartsErrorCode.NOTE_REQUIRED, fields={"note": ["必填。"]}
        )
    if approve:
        part = _catalogue_part_for(quote)
        quote.part = part
        quote.local_price = _set_local_price(
            part,
            quote.branch,
            quote.price_type,
            quote.price,
            f"人工报价 {quote.quote_no} 审批入库：{quote.source}"[:200],
            actor,
            manual_quote=quote,
        )
    MANUAL_QUOTE_STATES.move(quote, action)
    quote.decided_by = actor
    quote.decided_at = timezone.now()
    quote.decision_note = note[:500]
    quote.save()
    return quote


# --------------------------------------------------------------------- catalogue imports


@transaction.atomic
def do_start_catalogue_import(upload, *, actor) -> CatalogueImport:
    """Check the file (format, encoding, columns: a clear error, nothing stored, when it is
    malformed), store it and validate its rows in the background."""
    _require(actor, perms.IMPORT_CATALOGUE, "导入配件目录")
    if actor.branch_id is None:
        raise PermissionDenied("您没有所属机构，不能导入。")
    if upload is None:
        raise ServiceError(
            "请选择文件。", code=PartsErrorCode.FILE_REQUIRED, fields={"file": ["必填。"]}
        )
    name = str(getattr(upload, "name", "") or "catalogue")[:200]
    upload.seek(0)
    data = upload.read()
    sniffed = sniff(name, data)
    upload.seek(0)
    imp = CatalogueImport.objects.create(
        file=upload,
        original_name=name,
        file_format=sniffed.file_format,
        encoding=sniffed.encoding,
        total_rows=sniffed.data_rows,
        branch=actor.branch,
        created_by=actor,
    )
    from lossdesk.parts.tasks import validate_catalogue_import

    transaction.on_commit(lambda: validate_catalogue_import.enqueue(imp.pk))
    return imp


def _locked_import(imp: CatalogueImport, actor) -> CatalogueImport:
    locked = CatalogueImport.objects.for_user(actor).select_for_update().filter(pk=imp.pk).first()
    if locked is None:
        raise NotFound("导入记录不存在或不在您的数据范围内。")
    return locked


@transaction.atomic
def do_confirm_catalogue_import(imp: CatalogueImport, *, actor) -> CatalogueImport:
    """After the preview: import the good rows (background task, one transaction)."""
    _require(actor, perms.IMPORT_CATALOGUE, "导入配件目录")
    imp = _locked_import(imp, actor)
    CATALOGUE_IMPORT_STATES.check(ImportAction.CONFIRM, imp.status)
    if imp.valid_rows == 0:
        raise ServiceError("没有可导入的有效行。", code=PartsErrorCode.NO_VALID_ROWS)
    CATALOGUE_IMPORT_STATES.move(imp, ImportAction.CONFIRM)
    imp.progress = 0
    imp.confirmed_by = actor
    imp.save(update_fields=["status", "progress", "confirmed_by"])
    from lossdesk.parts.tasks import run_catalogue_import

    transaction.on_commit(lambda: run_catalogue_import.enqueue(imp.pk))
    return imp


@transaction.atomic
def do_cancel_catalogue_import(imp: CatalogueImport, *, actor) -> CatalogueImport:
    _require(actor, perms.IMPORT_CATALOGUE, "导入配件目录")
    imp = _locked_import(imp, actor)
    CATALOGUE_IMPORT_STATES.move(imp, ImportAction.CANCEL)
    imp.finished_at = timezone.now()
    imp.save(update_fields=["status", "finished_at"])
    return imp
