"""Reads of the catalogue: the one part search (API, pages and the benchmark use it) and the
prices shown beside each part.

How a search runs (docs/parts.md, figures in docs/benchmarks.md):
* Chinese fragment or pinyin → the standard names (`PartName`, a few thousand rows even
  for a million parts) that contain it, ranked in SQL (exact name, name prefix, name
  contains, alias only; then shorter names). 3+ characters go through the trigram index
  (pg_trgm GIN on PostgreSQL, the FTS5 trigram table on SQLite); 1–2 characters scan the
  names table with LIKE. The parts then come name by name from the (standard_name, make,
  oe_normalized) index, only as many as the page needs (`PartName.part_count`).
* OE number → a prefix range on the normalised OE number (b-tree index, "C" collation on
  PostgreSQL so that the range and the order come from one index).
* With a vehicle model the parts are the model's fitments of the matching names (index
  (model, standard_name, part) on PartFitment), ranked the same way."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property

from django.db import connection
from django.utils import timezone

from lossdesk.intake.services.dispatch import working_branch_id
from lossdesk.org.models import Branch
from lossdesk.parts.choices import NATIONWIDE, PRICE_TYPE_ORDER, PriceType
from lossdesk.parts.models import (
    Part,
    VehicleModel,
)
from lossdesk.parts.text import QueryKind, classify_query

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_QUERY_LENGTH = 50
CENT = Decimal("0.01")
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
    """One search result. `part` comes from plain SQL with `make_name` and `name_aliases`
    attached (its make and standard name are not loaded: use these)."""

    part: Part
    match: str
    prices: list[PriceInfo] = field(default_factory=list)

    @property
    def make_name(self) -> str:
        return self.part.make_name

    @property
    def aliases(self) -> list[str]:
        return self.part.name_aliases.split()

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
    # Whose prices the hits carry, when the caller says (the API answers it).
    price_region: "PriceRegion | None" = None


# ------------------------------------------------------------------------- name matching
#
# The hot path is plain SQL written here once per shape: the ORM would compile the same
# ranked query on every keystroke, which costs more than the database takes to answer it
# (docs/benchmarks.md). Terms are always parameters; LIKE wildcards are dropped from them.

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
PART_SELECT = (
    "p.id, p.make_id, p.standard_name_id, p.name, p.oe_number, p.oe_normalized, p.category, "
    "p.unit, m.name AS make_name, n.aliases AS name_aliases"
)
PART_JOINS = (
    "JOIN parts_make m ON m.id = p.make_id JOIN parts_partname n ON n.id = p.standard_name_id"
)


def _literal(term: str) -> str:
    # LIKE wildcards never belong to a part name; dropping them keeps one pattern valid for
    # pg_trgm, FTS5 and plain LIKE alike.
    return term.replace("%", "").replace("_", "").replace("\\", "")


def _fts(column: str) -> str:
    return f"SELECT rowid FROM {FTS_TABLE} WHERE {column} LIKE %s"


def name_filter(kind: QueryKind, term: str, alias: str = "n") -> tuple[str, list]:
    """SQL condition on parts_partname `alias` for names whose name or an alias contains
    `term` (NAME), or with a word whose full pinyin or initials start with it (PINYIN):
    pg_trgm GIN indexes on PostgreSQL, the FTS5 trigram table on SQLite for 3+ characters,
    a LIKE scan of the (small) names table for 1–2 characters."""
    sqlite = connection.vendor == "sqlite"
    if kind == QueryKind.NAME:
        pattern = f"%{term}%"
        if sqlite and len(term) >= 3:
            return f"{alias}.id IN ({_fts('search_text')})", [pattern]
        return f"{alias}.search_text LIKE %s", [pattern]
    pattern = f"% {term}%"
    if sqlite and len(term) + 1 >= 3:
        return (
            f"{alias}.id IN ({_fts('initials')} UNION {_fts('pinyin')})",
            [pattern, pattern],
        )
    return f"({alias}.initials LIKE %s OR {alias}.pinyin LIKE %s)", [pattern, pattern]


def name_rank(kind: QueryKind, term: str, alias: str = "n") -> tuple[str, list]:
    """0 exact name, 1 name prefix, 2 name contains, 3 alias only (pinyin: of the name)."""
    if kind == QueryKind.NAME:
        return (
            f"CASE WHEN {alias}.name = %s THEN 0 WHEN {alias}.name LIKE %s THEN 1 "
            f"WHEN {alias}.name LIKE %s THEN 2 ELSE 3 END",
            [term, f"{term}%", f"%{term}%"],
        )
    return (
        f"CASE WHEN {alias}.name_initials = %s OR {alias}.name_pinyin = %s THEN 0 "
        f"WHEN {alias}.name_initials LIKE %s OR {alias}.name_pinyin LIKE %s THEN 1 ELSE 3 END",
        [term, term, f"{term}%", f"{term}%"],
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
    rows: list[Part] = []
    if kind == QueryKind.OE:
        rows = _search_oe(term, model, offset, limit)
    elif kind in (QueryKind.PINYIN, QueryKind.NAME):
        term = _literal(term)
        rows = _search_names(kind, term, model, offset, limit) if term else []
        if kind == QueryKind.PINYIN and not rows and offset == 0 and len(term) >= 3:
            kind, term = QueryKind.OE, term.upper()
            rows = _search_oe(term, model, offset, limit)
    has_more = len(rows) > limit
    hits = [PartHit(part, MATCH_LABELS.get((kind, part.rank), "")) for part in rows[:limit]]
    if with_prices and hits:
        prices = prices_for([h.part for h in hits], branch=branch, today=today)
        for hit in hits:
            hit.prices = prices.get(hit.part.pk, [])
    return SearchResult(q, kind, term, model, hits, has_more, offset, limit)


def _raw(sql: str, params: list) -> list[Part]:
    return list(Part.objects.raw(sql, params))


def _search_oe(term: str, model, offset: int, limit: int) -> list[Part]:
    """Parts whose normalised OE number starts with `term`, in OE order from one index
    ("C" collation on PostgreSQL: parts_part_oe_c)."""
    oe = 'p.oe_normalized COLLATE "C"' if connection.vendor == "postgresql" else "p.oe_normalized"
    fit = "JOIN parts_partfitment f ON f.part_id = p.id AND f.model_id = %s " if model else ""
    sql = (
        f"SELECT {PART_SELECT}, CASE WHEN p.oe_normalized = %s THEN 0 ELSE 1 END AS rank "
        f"FROM parts_part p {fit}{PART_JOINS} "
        f"WHERE {oe} >= %s AND {oe} < %s ORDER BY {oe}, p.make_id LIMIT %s OFFSET %s"
    )
    params = [term, *([model.pk] if model else []), term, term + "\U0010ffff"]
    return _raw(sql, [*params, limit + 1, offset])


def _search_names(kind: QueryKind, term: str, model, offset: int, limit: int) -> list[Part]:
    where, where_params = name_filter(kind, term)
    rank, rank_params = name_rank(kind, term)
    if model is not None:
        # fitments of the model and of the matching names only: index (model, name, part)
        sql = (
            f"SELECT {PART_SELECT}, {rank} AS rank FROM parts_partfitment f "
            "JOIN parts_part p ON p.id = f.part_id "
            "JOIN parts_make m ON m.id = p.make_id "
            "JOIN parts_partname n ON n.id = f.standard_name_id "
            f"WHERE f.model_id = %s AND {where} "
            "ORDER BY rank, length(n.name), n.name, p.oe_normalized LIMIT %s OFFSET %s"
        )
        return _raw(sql, [*rank_params, model.pk, *where_params, limit + 1, offset])
    # Without a model: walk the names in rank order and take each name's parts from the
    # (standard_name, make, oe_normalized) index, stopping when the page is full. A name's
    # part_count lets a later page skip whole names without reading their parts.
    names_sql = (
        f"SELECT n.id, n.part_count, {rank} AS rank FROM parts_partname n WHERE {where} "
        "ORDER BY rank, length(n.name), n.name LIMIT %s OFFSET %s"
    )
    parts_sql = (
        f"SELECT {PART_SELECT}, %s AS rank FROM parts_part p {PART_JOINS} "
        "WHERE p.standard_name_id = %s ORDER BY p.make_id, p.oe_normalized LIMIT %s OFFSET %s"
    )
    batch, start, skip, need = 50, 0, offset, limit + 1
    rows: list[Part] = []
    with connection.cursor() as cursor:
        while True:
            cursor.execute(names_sql, [*rank_params, *where_params, batch, start])
            page = cursor.fetchall()
            for name_id, count, name_rank_value in page:
                if count and skip >= count:
                    skip -= count
                    continue
                rows += _raw(parts_sql, [name_rank_value, name_id, need - len(rows), skip])
                skip = 0
                if len(rows) >= need:
                    return rows
            if len(page) < batch:
                return rows
            start += batch


# --------------------------------------------------------------------------------- prices


def branch_province(branch) -> str:
    """The province whose regional prices apply to a branch (its own, else an ancestor's)."""
    while branch is not None:
        if branch.province:
            return branch.province
        branch = branch.parent
    return ""


OWN_BRANCH = "本人所属"
CASE_BRANCH = "案件所属"
CASE_DELEGATED = "案件受托机构"
QUERY_AUTHOR = "询价人所属"


@dataclass
class PriceRegion:
    """Whose prices a look-up shows: the branch passed to `prices_for` (its province's
    catalogue prices, its own or its nearest ancestor's local prices) and why that branch
    (`whose`: the user's own, the case's, the case's receiving branch, a query's author's)."""

    branch: Branch | None
    whose: str = OWN_BRANCH
    case: object | None = None  # claims.Case, when the prices are a case's

    @cached_property
    def province(self) -> str:
        return branch_province(self.branch)

    @property
    def where(self) -> str:
        """浙江（案件所属 杭州分公司）"""
        area = self.province or NATIONWIDE
        if self.branch is None:
            return area
        return f"{area}（{self.whose} {self.branch.name}）"

    @property
    def label(self) -> str:
        """价格地区：浙江（案件所属 杭州分公司）, as the pages and the API say it."""
        return f"价格地区：{self.where}"

    @classmethod
    def of_query(cls, query) -> "PriceRegion":
        """The region a saved price query's lines were priced in (its `price_branch`; a
        query saved before that field was priced for its author's branch)."""
        if query.price_branch_id is None:
            return cls(query.branch, QUERY_AUTHOR)
        if query.case_id is None:
            return cls(query.price_branch, QUERY_AUTHOR)
        delegated = query.price_branch_id != query.case.branch_id
        return cls(query.price_branch, CASE_DELEGATED if delegated else CASE_BRANCH, query.case)


def case_price_branch_id(case) -> int:
    """The one rule for whose prices apply to a case (decision 0032): the branch that works
    it, where the vehicle is surveyed, assessed and repaired — the receiving branch of an
    accepted delegation (委托异地), otherwise the case's own branch (承办机构). The same
    branch the dispatch takes surveyors from (intake's `working_branch_id`)."""
    return working_branch_id(case)


def price_region(user, case=None) -> PriceRegion:
    """The prices a look-up shows: for a case (which the caller has looked up through
    `Case.objects.for_user`, the one scope rule), the case's price branch; outside a case,
    the user's own branch."""
    if case is None:
        return PriceRegion(user.branch)
    branch_id = case_price_branch_id(case)
    branch = Branch.objects.select_related("parent").get(pk=branch_id)
    whose = CASE_BRANCH if branch_id == case.branch_id else CASE_DELEGATED
    return PriceRegion(branch, whose, case)


def _decimal(value) -> Decimal | None:
    # SQLite hands numeric columns back as int/float; PostgreSQL as Decimal
    return None if value is None else Decimal(str(value)).quantize(CENT)


def _date(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def prices_for(parts: Sequence[Part], *, branch=None, today: date | None = None):
    """{part_id: [PriceInfo per price type]} — the latest effective catalogue price of each
    type (the branch's province before 全国) and the local price of the nearest branch
    (itself, then its ancestors) beside it. Plain SQL and tuples: it runs for every page of
    search results."""
    today = today or timezone.localdate()
    ids = [p.pk for p in parts]
    if not ids:
        return {}
    province = branch_province(branch)
    regions = [NATIONWIDE, province] if province else [NATIONWIDE]
    marks = ", ".join(["%s"] * len(ids))
    latest: dict[tuple, tuple] = {}
    local: dict[tuple, tuple] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT part_id, price_type, region, id, price, effective_from, source "
            f"FROM parts_partprice WHERE part_id IN ({marks}) "
            f"AND region IN ({', '.join(['%s'] * len(regions))}) AND effective_from <= %s "
            "ORDER BY effective_from, id",
            [*ids, *regions, today],
        )
        for row in cursor.fetchall():
            latest[row[:3]] = row
        if branch is not None:
            chain = [int(pk) for pk in branch.path.strip("/").split("/") if pk]
            depth = {pk: i for i, pk in enumerate(chain)}
            cursor.execute(
                "SELECT o.part_id, o.price_type, o.id, o.price, o.branch_id, b.name, o.reason "
                "FROM parts_localpriceoverride o JOIN org_branch b ON b.id = o.branch_id "
                f"WHERE o.part_id IN ({marks}) "
                f"AND o.branch_id IN ({', '.join(['%s'] * len(chain))})",
                [*ids, *chain],
            )
            for row in cursor.fetchall():
                key = row[:2]
                if key not in local or depth[row[4]] > depth[local[key][4]]:
                    local[key] = row
    best: dict[tuple, tuple] = {}
    for (pid, price_type, region), row in latest.items():
        if region == province or (pid, price_type) not in best:
            best[(pid, price_type)] = row
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
                _, _, info.region, info.catalogue_price_id, price, effective, info.source = cat
                info.catalogue_price, info.effective_from = _decimal(price), _date(effective)
            if loc is not None:
                _, _, info.local_price_id, price, _, info.local_branch, info.local_reason = loc
                info.local_price = _decimal(price)
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
