"""docs/architecture.md and the decisions on the registries and the app map name files in
backticks: every one must exist, so the documents cannot point at a file that moved.

A path is a backticked word with a `/` in it that ends in a file extension or a `/` (not a
URL, a MIME type, or a pattern with `<…>` or `*`). It is looked up from the repository, from
`lossdesk/`, inside any app (`api/`, `tests/`) and in any templates folder
(`motor/includes/pdf_sheet.html`)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOCS = [
    ROOT / "docs" / "architecture.md",
    *sorted((ROOT / "docs" / "decisions").glob("0012-*.md")),
    *sorted((ROOT / "docs" / "decisions").glob("0013-*.md")),
]
FENCED = re.compile(r"^```.*?^```", re.S | re.M)
PATH = re.compile(r"[^/<>*{}=\s][^<>*{}=\s]*/[^<>*{}=\s]*?(\.\w+|/)")


def _cited_paths(doc: Path) -> set[str]:
    text = FENCED.sub("", doc.read_text(encoding="utf-8"))
    return {
        word.rstrip(".,;:")
        for token in re.findall(r"`([^`\n]+)`", text)
        for word in token.split()
        if PATH.fullmatch(word.rstrip(".,;:"))
    }


def _exists(path: str) -> bool:
    lossdesk = ROOT / "lossdesk"
    return (
        (ROOT / path).exists()
        or (lossdesk / path).exists()
        or any(lossdesk.glob(f"*/{path}"))
        or any(lossdesk.glob(f"**/templates/{path}"))
    )


def test_the_documents_exist_and_cite_paths():
    assert len(DOCS) == 3
    assert all(len(_cited_paths(doc)) > 3 for doc in DOCS)


def test_every_path_the_documents_name_exists():
    missing = {
        doc.name: sorted(path for path in _cited_paths(doc) if not _exists(path)) for doc in DOCS
    }
    assert {name: paths for name, paths in missing.items() if paths} == {}
