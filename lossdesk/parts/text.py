"""Text helpers of the catalogue: OE numbers, pinyin of part names, query classification.
Pure Python (pypinyin), no Django."""

import re
from enum import StrEnum
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

_OE_STRIP = re.compile(r"[^0-9A-Z]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_OE_LIKE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z\s\-./_]*$")
_LETTERS = re.compile(r"^[A-Za-z]+$")
_NOT_PINYIN = re.compile(r"[^a-z0-9]")


def normalize_oe(value: str) -> str:
    """ "5G0 807 221-A" → "5G0807221A": no separators, upper case."""
    return _OE_STRIP.sub("", (value or "").upper())


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text or ""))


@lru_cache(maxsize=65536)
def term_pinyin(term: str) -> tuple[str, str]:
    """(full pinyin, initials) of one name or alias: 前保险杠 → ("qianbaoxiangang", "qbxg").
    Letters and digits in the name (A柱, LED大灯) stay as they are, lower-cased."""
    full = "".join(lazy_pinyin(term, errors="default"))
    initials = "".join(lazy_pinyin(term, style=Style.FIRST_LETTER, errors="default"))
    return _NOT_PINYIN.sub("", full.lower()), _NOT_PINYIN.sub("", initials.lower())


def name_search_fields(name: str, aliases: list[str]) -> dict[str, str]:
    """The search columns of a standard name (see parts.models.PartName)."""
    terms = [name, *[a for a in aliases if a != name]]
    pinyins = [term_pinyin(t) for t in terms]
    return {
        "search_text": " " + " ".join(terms),
        "pinyin": " " + " ".join(p[0] for p in pinyins),
        "initials": " " + " ".join(p[1] for p in pinyins),
        "name_pinyin": pinyins[0][0],
        "name_initials": pinyins[0][1],
    }


class QueryKind(StrEnum):
    EMPTY = "empty"
    NAME = "name"  # Chinese characters: a fragment of a name or alias
    PINYIN = "pinyin"  # letters only: pinyin initials or full pinyin (falls back to OE)
    OE = "oe"  # digits (and letters, separators): an OE number or its beginning


def classify_query(q: str) -> tuple[QueryKind, str]:
    """What the user typed and its normalised form."""
    text = re.sub(r"\s+", " ", (q or "").strip())
    if not text:
        return QueryKind.EMPTY, ""
    if has_cjk(text):
        return QueryKind.NAME, text.replace(" ", "")
    if _LETTERS.match(text):
        return QueryKind.PINYIN, text.lower()
    if _OE_LIKE.match(text) and normalize_oe(text):
        return QueryKind.OE, normalize_oe(text)
    return QueryKind.NAME, text
