"""Pages of the case list (GET /api/v1/cases and /cases/) without counting a million rows
on every page (issue 16, decision 0016).

The count is exact up to `EXACT_COUNT_LIMIT` cases: it counts at most one more row than
that. Beyond it the count is PostgreSQL's estimate for the same query (the planner's row
estimate, from the table statistics), marked `count_estimated`, and whether there is a next
page comes from reading one row past the page instead of from the count. SQLite (the demo)
always counts exactly."""

import json
from functools import cached_property

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

# Counting costs a read of every row counted; below this many cases the list says the
# exact number (what a user filtering down to a handful reads), beyond it the planner's
# estimate, which can be off by a few per cent.
EXACT_COUNT_LIMIT = 1_000


def estimated_rows(queryset) -> int | None:
    """The planner's estimate of the rows `queryset` returns (PostgreSQL), else None."""
    if connections[queryset.db].vendor != "postgresql":
        return None
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class CasePage(Page):
    def __init__(self, object_list, number, paginator, more: bool | None):
        super().__init__(object_list, number, paginator)
        self.more = more  # read past the page when the count is an estimate

    def has_next(self) -> bool:
        if self.more is None:
            return super().has_next()
        return self.more


class CasePaginator(Paginator):
    """A Paginator whose count is exact up to EXACT_COUNT_LIMIT and estimated beyond."""

    count_estimated = False

    @cached_property
    def count(self) -> int:
        unordered = self.object_list.order_by()
        capped = unordered[: EXACT_COUNT_LIMIT + 1].count()
        if capped <= EXACT_COUNT_LIMIT:
            return capped
        estimate = estimated_rows(unordered)
        if estimate is None:
            return unordered.count()
        self.count_estimated = True
        return max(estimate, capped)

    def validate_number(self, number):
        if not (self.count and self.count_estimated):
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from exc
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number  # beyond the estimate the page itself tells whether it is empty

    def page(self, number) -> CasePage:
        if str(number) == "1" and "count" not in self.__dict__:
            # The first page first: when it is not full it is the whole list and its
            # length the count — a search finding a case or two needs no count statement.
            rows = list(self.object_list[: self.per_page + 1])
            if len(rows) <= self.per_page:
                self.__dict__["count"] = len(rows)  # the cached_property's value
                return CasePage(rows, 1, self, None)
            return CasePage(rows[: self.per_page], 1, self, True)
        number = self.validate_number(number)
        if not self.count_estimated:
            page = super().page(number)
            return CasePage(page.object_list, page.number, self, None)
        bottom = (number - 1) * self.per_page
        # The page's ids in a subquery (from the list-order index, without the joined
        # columns of the rows skipped), its rows around them: a deep page does not build
        # 25,000 rows, and one statement does it. One row past the page says if there is a
        # next one.
        ids = self.object_list.values("pk")[bottom : bottom + self.per_page + 1]
        rows = list(self.object_list.filter(pk__in=ids))
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return CasePage(rows[: self.per_page], number, self, len(rows) > self.per_page)

    def get_page(self, number) -> CasePage:
        """As Paginator.get_page; a page past the end shows the first page when the count is
        an estimate (the last page is not known without counting)."""
        try:
            return super().get_page(number)
        except EmptyPage:
            return self.page(1)


class CasePagination(PageNumberPagination):
    """The API envelope of every list plus `count_estimated`."""

    django_paginator_class = CasePaginator
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "count_estimated": self.page.paginator.count_estimated,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_estimated"] = {
            "type": "boolean",
            "description": (
                f"count 超过 {EXACT_COUNT_LIMIT} 时为数据库估计值（true），否则为准确值。"
            ),
        }
        schema["required"] = [*schema.get("required", []), "count_estimated"]
        return schema
