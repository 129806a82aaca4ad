"""PostgreSQL backend whose test databases get a UTF-8 ctype, whatever the cluster default,
and whose connections send every integer parameter as int4 at least.

Trigram and case-insensitive matching ignore Chinese characters under the `C` ctype, so a
database created from a `C` cluster would pass the tests yet search badly in production.

With server-side binding (settings: `server_side_binding`, `prepare_threshold`) a statement
is prepared once per connection *and set of parameter types*, and PostgreSQL plans each
prepared statement anew on its first five executions before it settles on one plan.
psycopg sends an int below 32,768 as int2 and a larger one as int4, so the same read of a
case by its id was two prepared statements, each planned five times: ids straddle 32,767
from the first weeks of a firm's cases. Sending int4 at least (int8 only beyond it) keeps
one statement per text; PostgreSQL compares int4 with the int2, int4 and int8 columns
alike, indexes included."""

from django.db.backends.postgresql import base
from django.db.backends.postgresql.creation import DatabaseCreation as BaseCreation
from psycopg.types import numeric

UTF8_LOCALE = "C.UTF-8"


class DatabaseCreation(BaseCreation):
    def _get_database_create_suffix(self, encoding=None, template=None):
        suffix = super()._get_database_create_suffix(encoding or "UTF8", template or "template0")
        return f"{suffix} LC_COLLATE '{UTF8_LOCALE}' LC_CTYPE '{UTF8_LOCALE}'"


class _NoInt2:
    def upgrade(self, obj, format):
        # One comparison: a name search passes a thousand ids.
        if -(2**31) <= obj < 2**31:
            return self._int4_dumper
        return super().upgrade(obj, format)


class IntDumper(_NoInt2, numeric.IntDumper):
    pass


class IntBinaryDumper(_NoInt2, numeric.IntBinaryDumper):
    pass


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        connection.adapters.register_dumper(int, IntDumper)
        connection.adapters.register_dumper(int, IntBinaryDumper)
        return connection
