"""Catalogue import (目录导入) from CSV or XLSX, on the shared pipeline (core.importing).

`sniff` reads a file before anything is stored (format, encoding, required columns): a
malformed one is a clear 400 with an ImportErrorCode. `validate_import` (a background task)
checks every row and keeps the row errors with their line numbers and a preview.
`run_import` (a background task, after the user confirms) re-reads the file and writes the
good rows in one transaction: parts, names, prices, fitments — all or nothing."""

import csv
import io
import logging
import re
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from lossdesk.core import importing
from lossdesk.core.errors import ErrorCode, ServiceError
from lossdesk.parts.choices import (
    CATALOGUE_IMPORT_STATES,
    NATIONWIDE,
    Category,
    ImportAction,
    PriceType,
)
from lossdesk.parts.models import (
    CatalogueImport,
    Make,
    Part,
    PartFitment,
    PartName,
    PartPrice,
    VehicleModel,
)
from lossdesk.parts.text import normalize_oe
from lossdesk.rules.money import FEN, NOT_A_NUMBER, PRICE, AmountError, parse_amount

logger = logging.getLogger(__name__)

MAX_FILE_SIZE = 20 * 1024 * 1024
MAX_ROWS = 200_000
PREVIEW_ROWS = 20
CHUNK = 1000

REQUIRED = ("oe_number", "name", "make", "category", "price_4s", "price_market")
OPTIONAL = (
    "aliases",
    "price_brand",
    "price_reman",
    "region",
    "effective_from",
    "source",
    "models",
    "fitment_note",
    "unit",
)
COLUMNS = REQUIRED + OPTIONAL
COLUMN_LABELS = {
    "oe_number": "OE号",
    "name": "配件名称",
    "make": "品牌",
    "category": "类别",
    "price_4s": "4S店价",
    "price_market": "市场价",
    "aliases": "别名",
    "price_brand": "品牌件价",
    "price_reman": "再制造件价",
    "region": "地区",
    "effective_from": "生效日期",
    "source": "来源",
    "models": "适用车型代码",
    "fitment_note": "适用说明",
    "unit": "单位",
}
# Headers accepted besides the column keys and the Chinese labels: a few common variants.
HEADER_ALIASES = {
    "oe": "oe_number",
    "oe号码": "oe_number",
    "零件号": "oe_number",
    "名称": "name",
    "4s价": "price_4s",
    "4s价格": "price_4s",
    "市场价格": "price_market",
    "品牌件": "price_brand",
    "再制造件": "price_reman",
    "适用车型": "models",
}
READ_COLUMNS = [
    importing.Column(
        key,
        (key, COLUMN_LABELS[key], *(a for a, k in HEADER_ALIASES.items() if k == key)),
        required=key in REQUIRED,
        title=f"{key}（{COLUMN_LABELS[key]}）",
    )
    for key in COLUMNS
]
PRICE_COLUMNS = {
    "price_4s": PriceType.DEALER_4S,
    "price_market": PriceType.MARKET,
    "price_brand": PriceType.BRAND,
    "price_reman": PriceType.REMANUFACTURED,
}
CATEGORY_WORDS = {label: value for value, label in Category.choices} | {
    "车身": Category.BODY,
    "覆盖件": Category.BODY,
    "灯": Category.LAMPS,
    "灯光": Category.LAMPS,
    "机械": Category.MECHANICAL,
    "发动机": Category.MECHANICAL,
    "电器": Category.ELECTRICAL,
    "电气": Category.ELECTRICAL,
    "电子": Category.ELECTRICAL,
    "内饰": Category.INTERIOR,
    "底盘": Category.CHASSIS,
    "冷却": Category.COOLING,
    "其他": Category.OTHER,
    "其它": Category.OTHER,
}
REGIONS = {NATIONWIDE} | {
    "北京", "天津", "上海", "重庆", "河北", "河南", "云南", "辽宁", "黑龙江", "湖南", "安徽",
    "山东", "新疆", "江苏", "浙江", "江西", "湖北", "广西", "甘肃", "山西", "内蒙古", "陕西",
    "吉林", "福建", "贵州", "广东", "青海", "西藏", "四川", "宁夏", "海南", "香港", "澳门",
    "台湾",
}  # fmt: skip
_SPLIT = re.compile(r"[\s,，;；、/]+")


def sniff(name: str, data: bytes) -> importing.Table:
    """The file read as a catalogue (format, encoding, columns, rows), or a ServiceError
    with an ImportErrorCode (or `file_too_large`)."""
    if len(data) > MAX_FILE_SIZE:
        raise importing.file_error(
            f"文件超过 {MAX_FILE_SIZE // 1024 // 1024} MB，请分批导入。", ErrorCode.FILE_TOO_LARGE
        )
    return importing.read_table(name, data, columns=READ_COLUMNS, max_rows=MAX_ROWS)


# ---------------------------------------------------------------------------- validation


class Lookups:
    """Makes and model codes, loaded once per run."""

    def __init__(self) -> None:
        self.makes: dict[str, int] = {}
        for make in Make.objects.all():
            self.makes[make.name] = make.pk
            if make.name_en:
                self.makes.setdefault(make.name_en.lower(), make.pk)
        self.models = dict(VehicleModel.objects.values_list("code", "id"))


def _add(errors: importing.RowErrors, column: str, message: str) -> None:
    errors.setdefault(column, []).append(message)


def _price(text: str, column: str, errors: importing.RowErrors) -> Decimal | None:
    if not text:
        return None
    try:
        return parse_amount(text, PRICE, positive=True).quantize(FEN)
    except AmountError as exc:
        if exc.message == NOT_A_NUMBER:
            _add(errors, column, f"{COLUMN_LABELS[column]}「{text}」不是数字")
        else:
            _add(errors, column, COLUMN_LABELS[column] + exc.message.removesuffix("。"))
    return None


def _date(text: str, errors: importing.RowErrors) -> date | None:
    if not text:
        return timezone.localdate()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"):
        try:
            return datetime.strptime(text[:10], fmt).date()
        except ValueError:
            continue
    _add(errors, "effective_from", f"生效日期「{text}」格式应为 2026-01-31")
    return None


class CatalogueImporter:
    """The catalogue's rows for core.importing: a part per (make, OE number). Its messages
    name their column themselves."""

    def __init__(self) -> None:
        self.lookups = Lookups()

    def clean_row(self, cells: dict) -> tuple[dict | None, importing.RowErrors]:
        return clean_row({key: importing.cell_text(v) for key, v in cells.items()}, self.lookups)

    def row_key(self, data: dict) -> tuple[int, str]:
        return data["make_id"], data["oe"]

    def duplicate_errors(self, first_line: int) -> importing.RowErrors:
        return {"oe_number": [f"OE号与第 {first_line} 行重复"]}


def clean_row(values: dict, lookups: Lookups) -> tuple[dict | None, importing.RowErrors]:
    """One row (cells as text) → the cleaned values, or what is wrong with it by column."""
    errors: importing.RowErrors = {}
    oe_number = values.get("oe_number", "")
    oe = normalize_oe(oe_number)
    if not oe_number:
        _add(errors, "oe_number", "缺少 OE号")
    elif not oe or len(oe_number) > 40:
        _add(errors, "oe_number", f"OE号「{oe_number[:50]}」无效（应为字母、数字，最长 40 位）")
    name = values.get("name", "")
    if not name:
        _add(errors, "name", "缺少配件名称")
    elif len(name) > 100:
        _add(errors, "name", "配件名称超过 100 字")
    make_text = values.get("make", "")
    make_id = lookups.makes.get(make_text) or lookups.makes.get(make_text.lower())
    if not make_text:
        _add(errors, "make", "缺少品牌")
    elif make_id is None:
        _add(errors, "make", f"品牌「{make_text[:30]}」不在品牌库中")
    category_text = values.get("category", "")
    category = (
        category_text if category_text in Category.values else CATEGORY_WORDS.get(category_text)
    )
    if not category_text:
        _add(errors, "category", "缺少类别")
    elif category is None:
        _add(
            errors,
            "category",
            f"类别「{category_text[:20]}」无效（可填：{'、'.join(Category.labels)}）",
        )
    prices = {}
    for column, price_type in PRICE_COLUMNS.items():
        value = _price(values.get(column, ""), column, errors)
        if value is not None:
            prices[price_type] = value
        elif column in REQUIRED and not values.get(column):
            _add(errors, column, f"缺少{COLUMN_LABELS[column]}")
    p4s, market = prices.get(PriceType.DEALER_4S), prices.get(PriceType.MARKET)
    if p4s and market and market > p4s:
        _add(errors, "price_market", f"市场价 {market} 高于 4S店价 {p4s}")
    region = values.get("region", "") or NATIONWIDE
    if region.removesuffix("省").removesuffix("市") in REGIONS:
        region = region.removesuffix("省").removesuffix("市")
    else:
        _add(errors, "region", f"地区「{region[:20]}」应为省份名称或「全国」")
    effective_from = _date(values.get("effective_from", ""), errors)
    source = values.get("source", "")
    if len(source) > 100:
        _add(errors, "source", "来源超过 100 字")
    model_codes = [c for c in _SPLIT.split(values.get("models", "")) if c]
    unknown = [c for c in model_codes if c not in lookups.models]
    if unknown:
        _add(errors, "models", f"适用车型代码不存在：{'、'.join(unknown[:5])}")
    aliases = [a for a in _SPLIT.split(values.get("aliases", "")) if a and a != name]
    if len(" ".join(aliases)) > 300:
        _add(errors, "aliases", "别名过长（合计超过 300 字）")
    unit = values.get("unit", "") or "件"
    if len(unit) > 6:
        _add(errors, "unit", "单位超过 6 个字")
    if errors:
        return None, errors
    return {
        "oe_number": oe_number,
        "oe": oe,
        "name": name,
        "make_id": make_id,
        "make": make_text,
        "category": category,
        "prices": prices,
        "region": region,
        "effective_from": effective_from,
        "source": source or "目录导入",
        "models": [lookups.models[c] for c in model_codes],
        "model_codes": model_codes,
        "fitment_note": values.get("fitment_note", "")[:100],
        "aliases": aliases,
        "unit": unit,
    }, {}


def _preview_row(line: int, row: dict) -> dict:
    return {
        "line": line,
        "oe_number": row["oe_number"],
        "name": row["name"],
        "make": row["make"],
        "category": Category(row["category"]).label,
        "prices": {t: str(v) for t, v in row["prices"].items()},
        "region": row["region"],
        "effective_from": row["effective_from"].isoformat(),
        "models": row["model_codes"],
    }


def _stored_errors(rows: list[importing.CheckedRow]) -> list[dict]:
    return [{"line": r.line_no, "errors": importing.row_messages(r.errors)} for r in rows]


def _read(imp: CatalogueImport) -> importing.Table:
    with imp.file.open("rb") as fh:
        return sniff(imp.original_name, fh.read())


def validate_import(import_id: int) -> None:
    """Background step 1: every row checked, errors and a preview stored, no data written."""
    imp = CatalogueImport.objects.get(pk=import_id)
    if not CATALOGUE_IMPORT_STATES.allowed_from(ImportAction.PREVIEW, imp.status):
        return  # cancelled meanwhile

    def progress(done: int, total: int) -> None:
        percent = importing.progress_percent(done, total)
        CatalogueImport.objects.filter(pk=imp.pk).update(progress=percent)

    try:
        table = _read(imp)
        checked = importing.check(
            table.rows, CatalogueImporter(), on_progress=progress, every=CHUNK
        )
        summary = importing.preview(checked, first=PREVIEW_ROWS, keep=lambda r: r.ok)
    except ServiceError as exc:
        _fail(imp, exc.message)
        return
    except Exception:
        logger.exception("catalogue import %s: validation failed", imp.pk)
        _fail(imp, "校验时发生内部错误，已记录。请检查文件后重新上传。")
        return
    imp.total_rows = summary.total
    imp.valid_rows = summary.valid
    imp.rejected_rows = summary.failed
    imp.row_errors = _stored_errors(summary.errors)
    imp.preview = [_preview_row(r.line_no, r.data) for r in summary.rows]
    imp.progress = 100
    CATALOGUE_IMPORT_STATES.move(imp, ImportAction.PREVIEW)
    imp.save()


def _fail(imp: CatalogueImport, message: str) -> None:
    CATALOGUE_IMPORT_STATES.move(imp, ImportAction.FAIL)
    imp.error_message = message[:500]
    imp.finished_at = timezone.now()
    imp.save(update_fields=["status", "error_message", "finished_at"])


def run_import(import_id: int) -> None:
    """Background step 2: the good rows written in one transaction; any failure rolls all
    of it back and marks the import failed. (No progress while it runs: inside the one
    transaction nobody else would see it.)"""
    imp = CatalogueImport.objects.get(pk=import_id)
    if not CATALOGUE_IMPORT_STATES.allowed_from(ImportAction.FINISH, imp.status):
        return
    names: dict[str, PartName] = {}
    touched: set[int] = set()
    counts = [0, 0, 0]  # created parts, updated parts, prices

    def write(rows: list[importing.CheckedRow]) -> None:
        written = _write_batch([row.data for row in rows], names, touched)
        for i, n in enumerate(written):
            counts[i] += n

    try:
        table = _read(imp)
        with transaction.atomic():
            checked = importing.check(table.rows, CatalogueImporter(), every=CHUNK)
            summary, _ = importing.confirm(checked, write, total=table.data_rows, chunk=CHUNK)
            recount_part_names(touched)
    except ServiceError as exc:
        _fail(imp, exc.message)
        return
    except Exception:
        logger.exception("catalogue import %s failed", imp.pk)
        _fail(imp, "导入时发生内部错误，已全部回滚，目录未做任何修改。")
        return
    imp.total_rows = summary.total
    imp.rejected_rows = summary.failed
    imp.valid_rows = summary.total - summary.failed
    imp.row_errors = _stored_errors(summary.errors)
    imp.created_parts, imp.updated_parts, imp.imported_prices = counts
    imp.progress = 100
    CATALOGUE_IMPORT_STATES.move(imp, ImportAction.FINISH)
    imp.finished_at = timezone.now()
    imp.save()


def _name_entry(row: dict, names: dict[str, PartName]) -> PartName:
    entry = names.get(row["name"])
    if entry is None:
        entry = PartName.objects.filter(name=row["name"]).first()
        if entry is None:
            entry = PartName(name=row["name"], category=row["category"])
            entry.aliases = " ".join(row["aliases"])
            entry.save()
        names[row["name"]] = entry
    new_aliases = [a for a in row["aliases"] if a not in entry.alias_list]
    if new_aliases:
        entry.aliases = " ".join([*entry.alias_list, *new_aliases])[:300]
        entry.save()
    return entry


def _write_batch(batch: list[dict], names: dict, touched: set[int]) -> tuple[int, int, int]:
    keys = {(row["make_id"], row["oe"]) for row in batch}
    existing = {
        (p.make_id, p.oe_normalized): p
        for p in Part.objects.filter(
            make_id__in={k[0] for k in keys}, oe_normalized__in={k[1] for k in keys}
        )
    }
    to_create, to_update = [], []
    renamed: dict[int, list[int]] = {}
    for row in batch:
        entry = _name_entry(row, names)
        touched.add(entry.pk)
        part = existing.get((row["make_id"], row["oe"]))
        if part is None:
            part = Part(make_id=row["make_id"], oe_normalized=row["oe"])
            to_create.append(part)
        else:
            touched.add(part.standard_name_id)
            to_update.append(part)
            if part.standard_name_id != entry.pk:
                renamed.setdefault(entry.pk, []).append(part.pk)
        part.standard_name = entry
        part.name = row["name"]
        part.oe_number = row["oe_number"]
        part.category = row["category"]
        part.unit = row["unit"]
        row["part"] = part
    Part.objects.bulk_create(to_create)
    now = timezone.now()
    for part in to_update:
        part.updated_at = now
    Part.objects.bulk_update(
        to_update, ["standard_name", "name", "oe_number", "category", "unit", "updated_at"]
    )
    price_rows = [
        PartPrice(
            part=row["part"],
            price_type=price_type,
            region=row["region"],
            price=price,
            effective_from=row["effective_from"],
            source=row["source"],
        )
        for row in batch
        for price_type, price in row["prices"].items()
    ]
    PartPrice.objects.bulk_create(
        price_rows,
        update_conflicts=True,
        unique_fields=["part", "price_type", "region", "effective_from"],
        update_fields=["price", "source"],
    )
    for name_id, part_ids in renamed.items():
        PartFitment.objects.filter(part_id__in=part_ids).update(standard_name_id=name_id)
    fitments = [
        PartFitment(
            part=row["part"],
            model_id=model_id,
            standard_name_id=row["part"].standard_name_id,
            note=row["fitment_note"],
        )
        for row in batch
        for model_id in row["models"]
    ]
    PartFitment.objects.bulk_create(fitments, ignore_conflicts=True)
    return len(to_create), len(to_update), len(price_rows)


def recount_part_names(name_ids=None) -> None:
    """Refresh `PartName.part_count` (the search takes only as many names as a page needs)."""
    counts = (
        Part.objects.filter(standard_name=OuterRef("pk"))
        .order_by()
        .values("standard_name")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = PartName.objects.all() if name_ids is None else PartName.objects.filter(pk__in=name_ids)
    qs.update(part_count=Coalesce(Subquery(counts), 0))


# ----------------------------------------------------------------------------- templates


TEMPLATE_EXAMPLES = [
    {
        "oe_number": "5G0 807 221",
        "name": "前保险杠皮",
        "make": "大众",
        "category": "车身覆盖件",
        "price_4s": "1280.00",
        "price_market": "1050.00",
        "aliases": "前杠皮 前保险杠",
        "price_brand": "720.00",
        "price_reman": "",
        "region": "全国",
        "effective_from": "2026-01-01",
        "source": "厂家指导价",
        "models": "",
        "fitment_note": "",
        "unit": "件",
    },
    {
        "oe_number": "52119-02A20",
        "name": "前保险杠",
        "make": "丰田",
        "category": "body",
        "price_4s": "1560",
        "price_market": "1290",
        "aliases": "",
        "price_brand": "",
        "price_reman": "",
        "region": "浙江",
        "effective_from": "",
        "source": "",
        "models": "",
        "fitment_note": "",
        "unit": "",
    },
]


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in TEMPLATE_EXAMPLES:
        writer.writerow([row[c] for c in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    from lossdesk.core.excel import Column, Workbook

    book = Workbook()
    book.add_sheet(
        "配件目录", list(COLUMNS), [[row[c] for c in COLUMNS] for row in TEMPLATE_EXAMPLES]
    )
    hints = {
        "oe_number": "带不带空格、横线均可，导入时规范化",
        "make": "品牌库中的品牌名，如 大众、丰田",
        "category": "、".join(Category.labels) + "（或英文代码）",
        "price_4s": "元，最多两位小数；市场价不得高于 4S店价",
        "aliases": "多个用空格或顿号分隔",
        "region": "省份名称或「全国」，默认全国",
        "effective_from": "YYYY-MM-DD，默认导入当天",
        "models": "车型代码，多个用分号分隔",
    }
    book.add_sheet(
        "说明",
        [Column("列名", width=16), Column("含义", width=16), "必填", Column("说明", width=48)],
        [
            [
                column,
                COLUMN_LABELS[column],
                "是" if column in REQUIRED else "否",
                hints.get(column, ""),
            ]
            for column in COLUMNS
        ],
    )
    return book.content()
