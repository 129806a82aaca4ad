"""PostgreSQL backend whose test databases get a UTF-8 ctype, whatever the cluster default.

Trigram and case-insensitive matching ignore Chinese characters under the `C` ctype, so a
database created from a `C` cluster would pass the tests yet search badly in production."""

from django.db.backends.postgresql import base
from django.db.backends.postgresql.creation import DatabaseCreation as BaseCreation

UTF8_LOCALE = "C.UTF-8"


class DatabaseCreation(BaseCreation):
    def _get_database_create_suffix(self, encoding=None, template=None):
        suffix = super()._get_database_create_suffix(encoding or "UTF8", template or "template0")
        return f"{suffix} LC_COLLATE '{UTF8_LOCALE}' LC_CTYPE '{UTF8_LOCALE}'"


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation
