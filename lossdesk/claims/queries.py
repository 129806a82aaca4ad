"""How the case reads load the rows they only name: a person by id and name, another case by
its number. Every column a read selects is compiled by Django and built into the model on
each request, so a joined row carries only what the reader shows of it (issue 16,
decisions 0025 and 0030)."""

from django.db.models import Model, QuerySet

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
