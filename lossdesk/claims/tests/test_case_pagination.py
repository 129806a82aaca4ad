"""The case list's pages beyond the exact count (decision 0016): with the count an estimate,
`next` comes from reading one row past the page, rows keep the list's order, and a page past
the end is empty (404 in the API). Forced here with a limit of 2 and a wrong estimate, as
SQLite always counts exactly."""

import pytest
from django.core.paginator import EmptyPage

from lossdesk.claims import pagination
from lossdesk.org.models import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def clients(monkeypatch):
    monkeypatch.setattr(pagination, "EXACT_COUNT_LIMIT", 2)
    monkeypatch.setattr(pagination, "estimated_rows", lambda queryset: 4)  # 5 in truth
    for n in range(5):
        Client.objects.create(code=f"c{n}", name=f"委托方{n}", short_name=f"委{n}")
    return Client.objects.filter(code__startswith="c").order_by("-code")


def test_pages_beyond_the_exact_count_read_one_row_past(clients):
    paginator = pagination.CasePaginator(clients, 2)
    assert paginator.count == 4 and paginator.count_estimated
    first, third = paginator.page(1), paginator.page(3)
    assert [c.code for c in first] == ["c4", "c3"] and first.has_next()
    assert [c.code for c in third] == ["c0"] and not third.has_next()  # past the estimate
    with pytest.raises(EmptyPage):
        paginator.page(4)
    assert [c.code for c in paginator.get_page(9)] == ["c4", "c3"]


def test_a_small_list_is_counted_exactly(clients):
    paginator = pagination.CasePaginator(clients.filter(code__in=["c1", "c2"]), 1)
    assert paginator.count == 2 and not paginator.count_estimated
    assert paginator.page(1).has_next() and not paginator.page(2).has_next()


def test_a_short_first_page_is_the_count(clients, django_assert_num_queries):
    paginator = pagination.CasePaginator(clients.filter(code__in=["c1", "c2"]), 5)
    with django_assert_num_queries(1):  # the page's read; no count statement
        page = paginator.page(1)
        assert [c.code for c in page] == ["c2", "c1"]
        assert paginator.count == 2 and not page.has_next()


def test_a_full_first_page_still_counts(clients):
    paginator = pagination.CasePaginator(clients, 2)
    page = paginator.page(1)
    assert [c.code for c in page] == ["c4", "c3"] and page.has_next()
    assert paginator.count == 4 and paginator.count_estimated
