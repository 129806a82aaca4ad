"""What the feature apps plug into a case. claims is the core: it never imports a feature
app; each app registers here from its `AppConfig.ready()` and claims calls what is
registered. See docs/architecture.md ("How to add a loss line") and decision 0012.

- A **loss line** (车损, 物损, 人伤…) handles some kinds of loss item: it owns their
  assessment document (a model with a one-to-one `loss_item`), its editor page, how its
  amount feeds the case's assessed amount, when an item counts as assessed, and its
  sections on the review page, in the adjusting report PDF and in the case API.
- A **case contribution** is what any app adds to every case: cases it makes visible
  (a delegation shows the case to the receiving branch), context and action panels on the
  case page, fields in the case API, a flag on the case list, the time limits on a
  person's work in a case (`deadlines_for`: the phone's inbox).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Prefetch, Q, Sum
from django.utils import timezone

from lossdesk.core.prepared import PreparedPrefetch


@dataclass(frozen=True)
class LossLine:
    """How one line of business assesses its kinds of loss item.

    The document (reached from a LossItem by `document`) shows `document_no`, `assessor`
    and `total` on the case page; `assessor` is the Staff who prepared it (scope "own",
    self-review), `total` its assessed amount and `number_field` the field of its number,
    which the save events name (`data.sheet`)."""

    name: str
    kinds: frozenset[str]
    document: str  # LossItem's reverse one-to-one to the document, e.g. "sheet"
    document_label: str  # "定损单"
    number_field: str  # the document's number, e.g. "sheet_no"
    # Why `item` is not ready for review ("尚未定损"), or None.
    unassessed: Callable[..., str | None]
    review_template: str  # the document's section on the review page (context: item)
    pdf_template: str  # the document's section in the adjusting report (context: item)
    api_serializer: Callable[[], type]  # the document's summary in the case API
    # () -> the document's API resource at /cases/{case_no}/loss-items/{seq}/sheet: a class
    # with `input_serializer` (the PUT body), `output_serializer`,
    # `answer(request, loss_item, case_version)` (the output's data, None without a
    # document) and `write(request, case, loss_item, data)` (saves, answers the output's
    # data). One resource for every line; the body is the line's own.
    sheet_resource: Callable[[], type] | None = None
    # () -> {name: serializer field}: more of its loss items in the case API (e.g. a survey
    # of the item), null on items of other lines; with what they prefetch (built once).
    item_api_fields: Callable[[], dict] | None = None
    item_api_prefetch: Callable[[], tuple[PreparedPrefetch, ...]] | None = None
    editor: str = ""  # URL name of its editor page (case_no, seq); none when assessed elsewhere
    select_related: tuple[str, ...] = ()  # what the case page and API show of the document
    review_prefetch: tuple[str, ...] = ()  # what the review page and PDF show of it
    missing_message: str = ""  # when a case holds no item of this line's kinds at all

    @property
    def assessor(self) -> str:
        return f"{self.document}__assessor"

    def total(self, items) -> Decimal:
        """The sum of the assessed amounts of `items` (a LossItem queryset of its kinds)."""
        found = items.aggregate(total=Sum(f"{self.document}__total"))["total"]
        return found or Decimal("0.00")

    @property
    def number(self) -> str:
        """Lookup from a LossItem to its document's number."""
        return f"{self.document}__{self.number_field}"


@dataclass(frozen=True)
class Deadline:
    """A time limit on someone's work in a case: what is due ("完成查勘"), by when, and
    whether that time has passed."""

    label: str
    due_at: datetime
    overdue: bool
    # The deadline of the case's open document requests, which claims knows by their due
    # date too: a page showing both says it once.
    documents: bool = False


@dataclass(frozen=True)
class CaseContribution:
    """What an app adds to every case. Every part is optional."""

    app: str
    # Q over Case: further cases a user with scope subtree/branch sees (e.g. delegated in).
    visible: Callable[..., Q] | None = None
    # The case page: annotations on its queryset (user -> {name: expression}), extra
    # context ((request, case) -> dict) and templates shown in its slots ("alerts" above
    # the cards, "main" first in the main column, "side" under the actions; "pdf" is a
    # section of the adjusting report after the loss items, given `case`).
    page_annotations: Callable[..., dict] | None = None
    page_context: Callable[..., dict] | None = None
    page_templates: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The review page: extra context ((case, user) -> dict) for its templates in the
    # page_templates slot "review", shown above the reviewer's conclusion.
    review_context: Callable[..., dict] | None = None
    # Case actions it declares (claims.actions.CaseAction): their panels come before
    # claims' own on the case page; their pages and API endpoints are built like claims'.
    actions: Callable[[], Iterable[type]] | None = None
    # select_related / prefetch_related on the case page and the case API detail (whose
    # to-many parts are prepared reads, decision 0031), and what only the page shows (the
    # API detail reads no column it does not answer).
    select_related: tuple[str, ...] = ()
    page_select_related: tuple[str, ...] = ()
    page_prefetch: tuple[Prefetch, ...] = ()
    api_prefetch: tuple[PreparedPrefetch, ...] = ()
    # Fields of the case API detail: () -> {name: field}, each inserted after the field
    # `api_fields_after` names for it (at the end otherwise).
    api_fields: Callable[[], dict] | None = None
    api_fields_after: dict[str, str] = field(default_factory=dict)
    # Annotations on the case list (user -> {name: expression}), e.g. a flag it shows.
    list_annotations: Callable[..., dict] | None = None
    # The open time limits on the user's own work in some cases: (cases, user, now) ->
    # (case id, Deadline) pairs, for every case of `cases` (a Case queryset, used as a
    # subquery) at once: one query for all of them, never one per case.
    deadlines: Callable[..., Iterable[tuple[int, Deadline]]] | None = None


_LINES: dict[str, LossLine] = {}
_CONTRIBUTIONS: dict[str, CaseContribution] = {}


def register_loss_line(line: LossLine) -> None:
    taken = {kind: other.name for other in _LINES.values() for kind in other.kinds}
    clashes = sorted(k for k in line.kinds if taken.get(k, line.name) != line.name)
    if clashes:
        raise ImproperlyConfigured(f"loss line {line.name!r}: kinds {clashes} already handled")
    _LINES[line.name] = line


def register_case_contribution(contribution: CaseContribution) -> None:
    _CONTRIBUTIONS[contribution.app] = contribution


def loss_lines() -> list[LossLine]:
    return list(_LINES.values())


def line_for(kind: str) -> LossLine | None:
    """The line that assesses loss items of `kind`, or None (not assessed in LossDesk yet)."""
    return next((line for line in _LINES.values() if kind in line.kinds), None)


def contributions() -> list[CaseContribution]:
    return list(_CONTRIBUTIONS.values())


def page_templates(slot: str) -> list[str]:
    return [t for c in _CONTRIBUTIONS.values() for t in c.page_templates.get(slot, ())]


def review_context(case, user) -> dict:
    """What the contributions show the reviewer (the page_templates slot "review")."""
    context: dict = {"review_slot": page_templates("review")}
    for contribution in _CONTRIBUTIONS.values():
        if contribution.review_context is not None:
            context.update(contribution.review_context(case, user))
    return context


def annotations(kind: str, user) -> dict:
    """Every contribution's `<kind>_annotations(user)` ("page" or "list") in one dict."""
    out: dict = {}
    for contribution in _CONTRIBUTIONS.values():
        if (make := getattr(contribution, f"{kind}_annotations")) is not None:
            out.update(make(user))
    return out


def document_select_related() -> list[str]:
    """select_related from a LossItem to every line's document and what the page shows."""
    return [name for line in _LINES.values() for name in (line.document, *line.select_related)]


def deadlines_for(cases, user, now: datetime | None = None) -> dict[int, list[Deadline]]:
    """Every contribution's open deadlines on `user`'s work in `cases` (a Case queryset),
    by case id, nearest first; a case without any is left out. One query per contribution
    that has deadlines, however many cases."""
    now = now or timezone.now()
    found: dict[int, list[Deadline]] = {}
    for contribution in _CONTRIBUTIONS.values():
        if contribution.deadlines is not None:
            for case_id, deadline in contribution.deadlines(cases, user, now):
                found.setdefault(case_id, []).append(deadline)
    for deadlines in found.values():
        deadlines.sort(key=lambda d: d.due_at)
    return found
