"""Prepared reads (decision 0031): the same rows as the queryset they were compiled from,
compiled once per shape, refused when their SQL depends on their values."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Prefetch, prefetch_related_objects
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from lossdesk.claims.models import Case, CaseEvent, LossItem
from lossdesk.core.prepared import Prepared, PreparedPrefetch
from lossdesk.org.models import Staff


@pytest.fixture
def compiles(monkeypatch):
    """How many times Django compiled a statement (SQLCompiler.as_sql, outermost)."""
    calls = []
    original = SQLCompiler.as_sql

    def as_sql(self, *args, **kwargs):
        calls.append(type(self))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", as_sql)
    return calls


def events_of(ids):
    return CaseEvent.objects.filter(case_id__in=ids).select_related("actor").order_by("pk")


def test_a_prepared_read_returns_what_its_queryset_returns(firm, settings):
    settings.LOSSDESK_VERIFY_PREPARED = False  # what production runs
    cases = [firm.assessing_case(), firm.assessing_case(), firm.surveying_case()]
    read = Prepared(events_of)
    assert read.fetch([]) == []
    for chosen in ([cases[0].pk], [cases[1].pk], [cases[0].pk, cases[2].pk], [-1]):
        rows = read.fetch(chosen)
        expected = list(events_of(chosen))
        assert expected or chosen == [-1]
        assert [(r.pk, r.case_id, r.type, r.actor_id) for r in rows] == [
            (e.pk, e.case_id, e.type, e.actor_id) for e in expected
        ]
        # select_related built the joined rows: reading them asks nothing more.
        with CaptureQueriesContext(connection) as queries:
            names = [r.actor.full_name if r.actor else None for r in rows]
        assert not queries.captured_queries
        assert names == [e.actor.full_name if e.actor else None for e in expected]


def test_it_compiles_once_per_shape(firm, settings, compiles):
    settings.LOSSDESK_VERIFY_PREPARED = False
    one, two = firm.assessing_case(), firm.assessing_case()
    read = Prepared(events_of)
    compiles.clear()
    read.fetch([one.pk])
    read.fetch([two.pk])
    read.fetch([one.pk, two.pk])
    read.fetch([two.pk, one.pk])
    compiled_by_django = [kind for kind in compiles if kind is SQLCompiler]
    assert len(compiled_by_django) == 2  # a list of one id, a list of two


def test_a_read_whose_sql_hides_its_value_is_refused():
    by_prefix = Prepared(lambda number: Case.objects.filter(case_no__startswith=number))
    with pytest.raises(ImproperlyConfigured, match="cannot be prepared"):
        by_prefix.fetch("C2026")


def test_with_verification_on_a_read_whose_sql_changes_with_its_value_fails(db, settings):
    settings.LOSSDESK_VERIFY_PREPARED = True
    ordered = Prepared(lambda pk: Staff.objects.filter(pk=pk).order_by("pk" if pk % 2 else "-pk"))
    with pytest.raises(ImproperlyConfigured, match="differs"):
        ordered.fetch(1)  # compiled with a stand-in of the other parity
        ordered.fetch(2)


def test_only_ids_and_strings_are_values(db):
    with pytest.raises(TypeError):
        Prepared(lambda when: Staff.objects.filter(date_joined__gt=when)).fetch(1.5)
    by_id = Prepared(lambda pk: Staff.objects.filter(pk=pk))
    assert by_id.fetch(-1) == []
    for wrong in (None, True, [1, None]):
        with pytest.raises(TypeError):
            by_id.fetch(wrong)


def test_a_prepared_prefetch_fills_what_prefetch_related_would(firm, settings):
    settings.LOSSDESK_VERIFY_PREPARED = False
    cases = [firm.assessed_case(), firm.assessing_case()]
    items = LossItem.objects.order_by("seq")
    prepared = PreparedPrefetch("loss_items", items)

    mine = list(Case.objects.filter(pk__in=[c.pk for c in cases]).order_by("pk"))
    theirs = list(Case.objects.filter(pk__in=[c.pk for c in cases]).order_by("pk"))
    with CaptureQueriesContext(connection) as queries:
        prepared.load(mine)
    assert len(queries.captured_queries) == 1
    prefetch_related_objects(theirs, Prefetch("loss_items", items))

    with CaptureQueriesContext(connection) as queries:
        got = [[(i.pk, i.seq, i.case.pk) for i in case.loss_items.all()] for case in mine]
    assert not queries.captured_queries  # from the cache, each item's case set
    assert got == [[(i.pk, i.seq, i.case.pk) for i in case.loss_items.all()] for case in theirs]
    assert all(got)
    # The cached queryset is the case's own: filtering it further still reads its items.
    first = mine[0]
    assert list(first.loss_items.filter(seq=1)) == [first.loss_items.all()[0]]


def test_a_prepared_prefetch_through_a_missing_one_to_one_skips_that_instance(firm, settings):
    settings.LOSSDESK_VERIFY_PREPARED = False
    case = firm.assessing_case()
    items = list(case.loss_items.select_related("negotiation"))
    offers = PreparedPrefetch("offers", LossItem.objects.none(), through="negotiation")
    with CaptureQueriesContext(connection) as queries:
        offers.load(items)  # a vehicle has no negotiation: nothing to read
    assert not queries.captured_queries
