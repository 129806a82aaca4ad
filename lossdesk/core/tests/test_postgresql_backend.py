"""The PostgreSQL backend's connections (lossdesk.core.postgresql)."""

import pytest
from django.db import connection

from lossdesk.org.models import Branch

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg's parameter types"),
]


def test_a_read_by_id_is_one_prepared_statement_whatever_the_size_of_the_id():
    """psycopg would send 7 as int2 and 70,000 as int4: two prepared statements for one
    text, each planned on its first five executions. An id beyond int4 still goes as int8."""
    if not connection.settings_dict["OPTIONS"].get("server_side_binding"):
        pytest.skip("LOSSDESK_DB_PREPARED=0: no prepared statements")
    for pk in (7, 70_000, 2**40) * 3:
        list(Branch.objects.filter(pk=pk).values_list("path", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT parameter_types::text FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%FROM "org_branch" WHERE "org_branch"."id" = $1%'],
        )
        types = sorted(row[0] for row in cursor.fetchall())
    assert types == ["{bigint}", "{integer}"]
