"""docs/api-errors.md is true to the code: each enum of codes (core's ErrorCode and
ImportErrorCode, and every `lossdesk/<app>/error_codes.py`) has its own table there, holding
exactly its members."""

import importlib
import re
from enum import StrEnum
from pathlib import Path

import pytest

from lossdesk.core.errors import ErrorCode
from lossdesk.core.importing import ImportErrorCode

PACKAGE = Path(__file__).resolve().parents[2]
DOC = PACKAGE.parent / "docs" / "api-errors.md"


def _enums() -> list[type[StrEnum]]:
    enums: list[type[StrEnum]] = [ErrorCode, ImportErrorCode]
    for path in sorted(PACKAGE.glob("*/error_codes.py")):
        module = importlib.import_module(f"lossdesk.{path.parent.name}.error_codes")
        enums += [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, StrEnum)
            and value.__module__ == module.__name__
        ]
    return enums


def _tables() -> dict[str, set[str]]:
    """The enum a heading names (`FooErrorCode`) → the codes in the first column of the
    table under that heading."""
    tables: dict[str, set[str]] = {}
    current = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            named = re.search(r"`(\w*ErrorCode)`", line)
            current = named.group(1) if named else None
            if current:
                tables[current] = set()
        elif current and (row := re.match(r"\|\s*`([a-z_]+)`\s*\|", line)):
            tables[current].add(row.group(1))
    return tables


def test_every_app_with_error_codes_is_found():
    names = {enum.__name__ for enum in _enums()}
    assert {"ErrorCode", "OrgErrorCode", "PartsErrorCode", "NotifyErrorCode"} <= names


@pytest.mark.parametrize("enum", _enums(), ids=lambda enum: enum.__name__)
def test_the_doc_lists_exactly_the_codes_of_each_enum(enum):
    tables = _tables()
    assert enum.__name__ in tables, f"docs/api-errors.md has no section naming `{enum.__name__}`"
    assert tables[enum.__name__] == {member.value for member in enum}


def test_every_table_in_the_doc_belongs_to_an_enum():
    assert set(_tables()) <= {enum.__name__ for enum in _enums()}
