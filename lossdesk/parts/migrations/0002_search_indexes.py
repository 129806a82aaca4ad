"""Search indexes that only one database has.

PostgreSQL: pg_trgm GIN indexes on the standard names' text, pinyin and initials (the
database must have a UTF-8 ctype, see docs/decisions/0004), and the normalised OE number in
the "C" collation so that a prefix range and its order come from one b-tree.
SQLite: an FTS5 table with the trigram tokenizer over the same columns, kept in sync with
parts_partname by triggers."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

POSTGRES_FORWARD = [
    "CREATE INDEX parts_partname_search_trgm ON parts_partname "
    "USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX parts_partname_pinyin_trgm ON parts_partname USING gin (pinyin gin_trgm_ops)",
    "CREATE INDEX parts_partname_initials_trgm ON parts_partname "
    "USING gin (initials gin_trgm_ops)",
    'CREATE INDEX parts_part_oe_c ON parts_part ((oe_normalized COLLATE "C"))',
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS parts_partname_search_trgm",
    "DROP INDEX IF EXISTS parts_partname_pinyin_trgm",
    "DROP INDEX IF EXISTS parts_partname_initials_trgm",
    "DROP INDEX IF EXISTS parts_part_oe_c",
]
_COLUMNS = "search_text, pinyin, initials"
_NEW = "new.id, new.search_text, new.pinyin, new.initials"
_OLD = "'delete', old.id, old.search_text, old.pinyin, old.initials"
SQLITE_FORWARD = [
    f"CREATE VIRTUAL TABLE parts_partname_fts USING fts5({_COLUMNS}, "
    "content='parts_partname', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER parts_partname_fts_ai AFTER INSERT ON parts_partname BEGIN "
    f"INSERT INTO parts_partname_fts(rowid, {_COLUMNS}) VALUES ({_NEW}); END",
    "CREATE TRIGGER parts_partname_fts_ad AFTER DELETE ON parts_partname BEGIN "
    f"INSERT INTO parts_partname_fts(parts_partname_fts, rowid, {_COLUMNS}) VALUES ({_OLD}); END",
    f"CREATE TRIGGER parts_partname_fts_au AFTER UPDATE OF {_COLUMNS} ON parts_partname BEGIN "
    f"INSERT INTO parts_partname_fts(parts_partname_fts, rowid, {_COLUMNS}) VALUES ({_OLD}); "
    f"INSERT INTO parts_partname_fts(rowid, {_COLUMNS}) VALUES ({_NEW}); END",
    "INSERT INTO parts_partname_fts(parts_partname_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS parts_partname_fts_ai",
    "DROP TRIGGER IF EXISTS parts_partname_fts_ad",
    "DROP TRIGGER IF EXISTS parts_partname_fts_au",
    "DROP TABLE IF EXISTS parts_partname_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("parts", "0001_initial")]

    operations = [
        TrigramExtension(),  # a no-op on databases other than PostgreSQL
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
