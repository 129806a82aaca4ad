import pytest
from django.db import connection

from lossdesk.core.checks import check_postgresql_ctype


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_the_test_database_gets_a_utf8_ctype_so_the_check_is_silent():
    assert check_postgresql_ctype(databases=["default"]) == []
