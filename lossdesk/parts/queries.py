"""Reads of the catalogue: the one part search (API, pages and the benchmark use it) and the
prices shown beside each part.

How a search runs (docs/parts.md has the figures):
* Chinese fragment or pinyin → the standard names (`PartName`, a few thousand rows even
  for a million parts) that contain it, ranked in SQL (exact name, name prefix, name
  contains, alias only; then shorter names). 3+ characters go through the trigram index
  (pg_trgm GIN on PostgreSQL, the FTS5 trigram table on SQLite); 1–2 characters scan the
  names table with LIKE. The parts then come by `standard_name_id`, page by page, taking
  only as many top names as the page needs (`PartName.part_count`).
* OE number → a prefix range on the normalised OE number (b-tree index, "C" collation on
  PostgreSQL so that the range and the order come from one index).
* With a vehicle model the parts are those fitting it (`PartFitment` (model, part) index),
  filtered by the same name conditions, so no page trickery is needed."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Collate, Length
from django.utils import timezone

from lossdesk.parts.choices import NATIONWIDE, PRICE_TYPE_ORDER, PriceType
from lossdesk.parts.models import (
    LocalPriceOverride,
    Part,
    PartName,
    PartPrice,
    VehicleModel,
)
from lossdesk.parts.text import QueryKind, classify_query

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_QUERY_LENGTH = 50
FTS_TABLE = "parts_partname_fts"


@dataclass
class PriceInfo:
    price_type: str
    label: str
    catalogue_price: Decimal | None = None
    region: str = ""
    effective_from: date | None = None
    source: str = ""
    catalogue_price_id: int | None = None
    local_price: Decimal | None = None
    local_price_id: int | None = None
    local_branch: str = ""
    local_reason: str = ""

    @property
    def price(self) -> Decimal | None:
        """The price an assessor gets by default: the branch's own price when there is one."""
        return self.local_price if self.local_price is not None else self.catalogue_price


@dataclass
class PartHit:
    part: Part
    match: str
    prices: list[PriceInfo] = field(default_factory=list)

    def price(self, price_type: str) -> PriceInfo | None:
        return next((p for p in self.prices if p.price_type == price_type), None)


@dataclass
class SearchResult:
    query: str
    kind: QueryKind
    term: str
    model: VehicleModel | None
    hits: list[PartHit]
    has_more: bool
    offset: int
    limit: int


# ------------------------------------------------------------------------- name matching


def _fts_ids(column: str, pattern: str) -> RawSQL:
    return RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {column} LIKE %s", [pattern])


def _literal(term: str) -> str:
    # LIKE wildcards never belong to a part name; dropping them keeps one pattern valid for
    # the ORM, pg_trgm and FTS5 alike.
    return term.replace("%", "").replace("_", "").replace("\\", "")


def matching_names(kind: QueryKind, term: str) -> QuerySet[PartName]:
    """Standard names whose name or an alias contains `term` (NAME) or has a word starting
    with `term` in full pinyin or initials (PINYIN)."""
    term = _literal(term)
    sqlite = connection.vendor == "sqlite"
    names = PartName.objects.all()
    if kind == QueryKind.NAME:
        if sqlite and len(term) >= 3:
            return names.filter(id__in=_fts_ids("search_text", f"%{term}%"))
        return names.filter(search_text__contains=term)
    word = f" {term}"
    if sqlite and len(word) >= 3:
        return names.filter(
            Q(id__in=_fts_ids("initials", f"%{word}%")) | Q(id__in=_fts_ids("pinyin", f"%{word}%"))
        )
    return names.filter(Q(initials__contains=word) | Q(pinyin__contains=word))


def _rank(kind: QueryKind, term: str, prefix: str = "") -> Case:
    """0 exact name, 1 name prefix, 2 name contains, 3 alias only."""
    f = prefix
    if kind == QueryKind.NAME:
        whens = [
            When(**{f"{f}name": term}, then=Value(0)),
            When(**{f"{f}name__startswith": term}, then=Value(1)),
            When(**{f"{f}name__contains": term}, then=Value(2)),
        ]
    else:
        whens = [
            When(Q(**{f"{f}name_initials": term}) | Q(**{f"{f}name_pinyin": term}), then=Value(0)),
            When(
                Q(**{f"{f}name_initials__startswith": term})
                | Q(**{f"{f}name_pinyin__startswith": term}),
                then=Value(1),
            ),
        ]
    return Case(*whens, default=Value(3), output_field=IntegerField())


MATCH_LABELS = {
    (QueryKind.NAME, 0): "名称",
    (QueryKind.NAME, 1): "名称开头",
    (QueryKind.NAME, 2): "名称包含",
    (QueryKind.NAME, 3): "别名",
    (QueryKind.PINYIN, 0): "拼音",
    (QueryKind.PINYIN, 1): "拼音开头",
    (QueryKind.PINYIN, 3): "别名拼音",
    (QueryKind.OE, 0): "OE号",
    (QueryKind.OE, 1): "OE号开头",
}


def _oe_prefix(qs: QuerySet[Part], term: str) -> QuerySet[Part]:
    """Parts whose normalised OE number starts with `term`, in OE order, from one index."""
    if connection.vendor == "postgresql":
        qs = qs.annotate(oe_c=Collate("oe_normalized", "C"))
        return qs.filter(oe_c__gte=term, oe_c__lt=term + "\U0010ffff").order_by("oe_c", "make_id")
    return qs.filter(oe_normalized__gte=term, oe_normalized__lt=term + "\U0010ffff").order_by(
        "oe_normalized", "make_id"
    )


# --------------------------------------------------------------------------------- search


def search_parts(
    q: str,
    *,
    model: VehicleModel | None = None,
    branch=None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
    with_prices: bool = True,
    today: date | None = None,
) -> SearchResult:
    """Rank catalogue parts for what the user typed, restricted to `model` when given,
    with the prices for `branch` (its province's catalogue price, else 全国, and the
    branch's local price beside it)."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    kind, term = classify_query((q or "")[:MAX_QUERY_LENGTH])
    rows: list[tuple[Part, int]] = []
    if kind == QueryKind.OE:
        rows = _search_oe(term, model, offset, limit)
    elif kind == QueryKind.PINYIN:
        rows = _search_names(kind, term, model, offset, limit)
        if not rows and offset == 0 and len(term) >= 3:
            kind, rows = QueryKind.OE, _search_oe(term.upper(), model, offset, limit)
    elif kind == QueryKind.NAME:
        rows = _search_names(kind, term, model, offset, limit)
    has_more = len(rows) > limit
    rows = rows[:limit]
    hits = [PartHit(part, MATCH_LABELS.get((kind, rank), "")) for part, rank in rows]
    if with_prices and hits:
        prices = prices_for([h.part for h in hits], branch=branch, today=today)
        for hit in hits:
            hit.prices = prices.get(hit.part.pk, [])
    return SearchResult(q, kind, term, model, hits, has_more, offset, limit)


def _parts() -> QuerySet[Part]:
    return Part.objects.select_related("make", "standard_name")


def _search_oe(term: str, model, offset: int, limit: int) -> list[tuple[Part, int]]:
    qs = _parts()
    if model is not None:
        qs = qs.filter(fitments__model=model)
    parts = list(_oe_prefix(qs, term)[offset : offset + limit + 1])
    return [(p, 0 if p.oe_normalized == term else 1) for p in parts]


def _search_names(kind: QueryKind, term: str, model, offset: int, limit: int):
    names = matching_names(kind, term)
    if model is not None:
        qs = (
            _parts()
            .filter(fitments__model=model, standard_name__in=names.values("id"))
            .annotate(rank=_rank(kind, term, "standard_name__"))
            .order_by("rank", Length("standard_name__name"), "standard_name__name", "oe_normalized")
        )
        return [(p, p.rank) for p in qs[offset : offset + limit + 1]]
    # Without a model: walk the ranked names, take just enough of them for this page.
    ranked = names.filter(part_count__gt=0).annotate(rank=_rank(kind, term))
    ranked = ranked.order_by("rank", Length("name"), "name")
    batch = max(50, offset + limit + 1)

    def names_in_rank_order():
        start = 0
        while True:
            page = list(ranked.values_list("id", "part_count", "rank")[start : start + batch])
            yield from page
            if len(page) < batch:
                return
            start += batch

    names_iter = names_in_rank_order()
    chosen: list[tuple[int, int]] = []
    counted, need = 0, offset + limit + 1
    while True:
        exhausted = True
        for name_id, count, rank in names_iter:
            chosen.append((name_id, rank))
            counted += count
            if counted >= need:
                exhausted = False
                break
        rows = _parts_of_names(chosen, offset, limit) if chosen else []
        if len(rows) > limit or exhausted:
            return rows
        # part_count was too high (parts removed since): take more names and try again
        need = counted + limit


def _parts_of_names(chosen: Sequence[tuple[int, int]], offset: int, limit: int):
    order = Case(
        *[When(standard_name_id=nid, then=Value(i)) for i, (nid, _) in enumerate(chosen)],
        output_field=IntegerField(),
    )
    rank_of = dict(chosen)
    qs = (
        _parts()
        .filter(standard_name_id__in=[nid for nid, _ in chosen])
        .annotate(name_order=order)
        .order_by("name_order", "make_id", "oe_normalized")
    )
    return [(p, rank_of[p.standard_name_id]) for p in qs[offset : offset + limit + 1]]


# --------------------------------------------------------------------------------- prices


def branch_province(branch) -> str:
    """The province whose regional prices apply to a branch (its own, else an ancestor's)."""
    while branch is not None:
        if branch.province:
            return branch.province
        branch = branch.parent
    return ""


def prices_for(parts: Sequence[Part], *, branch=None, today: date | None = None):
    """{part_id: [PriceInfo per price type]} — the latest effective catalogue price of each
    type (the branch's province before 全国) and the local price of the nearest branch
    (itself, then its ancestors) beside it."""
    today = today or timezone.localdate()
    ids = [p.pk for p in parts]
    province = branch_province(branch)
    regions = [NATIONWIDE, province] if province else [NATIONWIDE]
    # plain tuples, not model instances: this runs for every search result page
    latest: dict[tuple[int, str, str], tuple] = {}
    rows = PartPrice.objects.filter(part_id__in=ids, region__in=regions, effective_from__lte=today)
    for row in rows.order_by("effective_from", "id").values_list(
        "part_id", "price_type", "region", "id", "price", "effective_from", "source"
    ):
        latest[row[:3]] = row
    best: dict[tuple[int, str], tuple] = {}
    for (pid, price_type, region), row in latest.items():
        if region == province or (pid, price_type) not in best:
            best[(pid, price_type)] = row
    local: dict[tuple[int, str], tuple] = {}
    if branch is not None:
        chain = [int(pk) for pk in branch.path.strip("/").split("/") if pk]
        depth = {pk: i for i, pk in enumerate(chain)}
        overrides = LocalPriceOverride.objects.filter(part_id__in=ids, branch_id__in=chain)
        for row in overrides.values_list(
            "part_id", "price_type", "id", "price", "branch_id", "branch__name", "reason"
        ):
            key = row[:2]
            if key not in local or depth[row[4]] > depth[local[key][4]]:
                local[key] = row
    labels = dict(PriceType.choices)
    out: dict[int, list[PriceInfo]] = {}
    for pid in ids:
        infos = []
        for price_type in PRICE_TYPE_ORDER:
            cat = best.get((pid, price_type))
            loc = local.get((pid, price_type))
            if cat is None and loc is None:
                continue
            info = PriceInfo(price_type, labels[price_type])
            if cat is not None:
                _, _, info.region, info.catalogue_price_id, price, info.effective_from, source = cat
                info.catalogue_price, info.source = price, source
            if loc is not None:
                _, _, info.local_price_id, info.local_price, _, branch_name, reason = loc
                info.local_branch, info.local_reason = branch_name, reason
            infos.append(info)
        out[pid] = infos
    return out


def price_source_text(info: PriceInfo) -> str:
    """How a chosen price is described on the query line and the sheet line."""
    if info.local_price is not None:
        text = f"本地价（{info.local_branch}）：{info.local_reason}"
        if info.catalogue_price is not None:
            text += f"；目录价 {info.catalogue_price}"
        return text[:200]
    parts = [f"目录价 {info.label}", info.region]
    if info.effective_from:
        parts.append(f"{info.effective_from:%Y-%m-%d} 起")
    if info.source:
        parts.append(info.source)
    return " · ".join(parts)[:200]
