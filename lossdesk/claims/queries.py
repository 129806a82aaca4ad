"""How the case reads load what they show: a row they only name (a person by id and name,
another case by its number), and each loss line's parts for its own items only. Every
column a read selects is compiled by Django and built into a model on each request
(issue 16, decisions 0025, 0027 and 0030)."""

from django.db.models import Model, Prefetch, QuerySet, prefetch_related_objects

from lossdesk.claims import registry
from lossdesk.claims.models import LossItem
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
    """queryset.select_related(*paths) with each person joined read as id and name only:
    the staff table's two dozen columns per join were most of the loss items' select list
    (249 columns)."""
    deferred = []
    for lookup in paths:
        model = queryset.model
        for step in lookup.split("__"):
            model = model._meta.get_field(step).related_model
        if model is Staff:
            deferred += all_but(lookup, Staff, STAFF_REF_FIELDS)
    return queryset.select_related(*paths).defer(*deferred)


def to_one_prefetches(model: type[Model], paths) -> list[Prefetch]:
    """`model`'s to-one relations `paths` ("sheet", "sheet__assessor") as one prefetch per
    first step, each joining the rest."""
    rest: dict[str, list[str]] = {}
    for lookup in paths:
        first, _, tail = lookup.partition("__")
        rest.setdefault(first, [])
        if tail:
            rest[first].append(tail)
    prefetches = []
    for first, tails in rest.items():
        related = model._meta.get_field(first).related_model.objects.all()
        # select_related() without names would follow every foreign key.
        prefetches.append(Prefetch(first, joined(related, *tails) if tails else related))
    return prefetches


def load_line_parts(items, *, api: bool) -> None:
    """What the case detail or page shows of each loss line's items (its document with what
    that joins; the API's `item_api_prefetch`), loaded for the line's own items only: a
    statement per part of a line the case has items of, none for the other lines. The items
    joined to every line's parts cost 250 columns to compile and build per request (issue
    16, decision 0027); neither reads another line's parts of an item."""
    for line in registry.loss_lines():
        mine = [item for item in items if item.kind in line.kinds]
        if mine:
            prefetch_related_objects(
                mine,
                *to_one_prefetches(LossItem, [line.document, *line.select_related]),
                *(line.item_api_prefetch if api else ()),
            )
