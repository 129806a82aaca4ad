"""How the case reads load what they show: a row they only name (a person by id and name,
another case by its number), and each loss line's parts for its own items only. Every
column a read selects is compiled by Django and built into a model on each request
(issue 16, decisions 0025, 0027 and 0030)."""

from django.db.models import Model, QuerySet

from lossdesk.claims import registry
from lossdesk.claims.models import LossItem
from lossdesk.core.prepared import Prepared
from lossdesk.org.models import Staff

# What a read shows of a person it joins (an assessor, an uploader, a reviewer); the
# username is what str() falls back to.
STAFF_REF_FIELDS = frozenset({"id", "full_name", "username"})


def all_but(lookup: str, model: type[Model], kept) -> list[str]:
    """The `defer()` names of `model`'s columns, reached through `lookup`, that are not
    `kept`."""
    return [
        f"{lookup}__{field.name}"
        for field in model._meta.concrete_fields
        if field.name not in kept and not field.primary_key
    ]


def joined(queryset: QuerySet, *paths: str) -> QuerySet:
    """queryset.select_related(*paths) with each person joined read as id, name and
    username only (STAFF_REF_FIELDS): the staff table's two dozen columns per join were most
    of the loss items' select list (249 columns)."""
    deferred = []
    for lookup in paths:
        model = queryset.model
        for step in lookup.split("__"):
            model = model._meta.get_field(step).related_model
        if model is Staff:
            deferred += all_but(lookup, Staff, STAFF_REF_FIELDS)
    return queryset.select_related(*paths).defer(*deferred)


# One prepared read per set of paths (a line's parts for the API, for the page).
_TO_ONES: dict[tuple[str, ...], Prepared] = {}


def load_to_ones(items: list, paths) -> None:
    """`items`' to-one relations `paths` ("property_sheet__assessor", "negotiation") in one
    statement: the items read again joined to all of them, each relation's rows handed to
    `items` as select_related would have set them (None where there is none). A prefetch
    per relation was a statement each; prepared, the join plans once per connection
    (decision 0030) and compiles once per process (decision 0031)."""
    paths = tuple(paths)
    read = _TO_ONES.get(paths)
    if read is None:
        read = _TO_ONES[paths] = Prepared(
            lambda ids: joined(LossItem.objects.filter(pk__in=ids).order_by(), *paths)
        )
    loaded = {row.pk: row for row in read.fetch([item.pk for item in items])}
    for first in dict.fromkeys(path.partition("__")[0] for path in paths):
        relation = LossItem._meta.get_field(first)
        for item in items:
            relation.set_cached_value(item, relation.get_cached_value(loaded[item.pk]))


def load_line_parts(items, *, api: bool) -> None:
    """What the case detail or page shows of each loss line's items (its document with what
    that joins, in one statement; the API's `item_api_prefetch`), loaded for the line's own
    items only: nothing for the lines the case has no items of. The items joined to every
    line's parts cost 250 columns to compile and build per request (issue 16, decision
    0027); neither reads another line's parts of an item."""
    for line in registry.loss_lines():
        mine = [item for item in items if item.kind in line.kinds]
        if mine:
            load_to_ones(mine, [line.document, *line.select_related])
            if api and line.item_api_prefetch:
                for prefetch in line.item_api_prefetch():
                    prefetch.load(mine)
