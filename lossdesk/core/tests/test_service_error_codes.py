"""Every refusal reaches the client with a code that says what happened: no plain
`ServiceError("…")` is raised without `code=`, and every ServiceError subclass names its
own code (core.errors; each app's error_codes.py)."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]


def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _name(node) -> str:
    return getattr(node, "id", None) or getattr(node, "attr", "")


def test_every_plain_service_error_names_its_code():
    missing = [
        f"{path.relative_to(PACKAGE)}:{node.lineno}"
        for path, tree in _sources()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and _name(node.func) == "ServiceError"
        and not any(keyword.arg == "code" for keyword in node.keywords)
    ]
    assert missing == []


def test_every_service_error_subclass_sets_a_code():
    missing = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            if "ServiceError" not in {_name(base) for base in node.bases}:
                continue
            assigned = {
                target.id
                for statement in node.body
                if isinstance(statement, ast.Assign)
                for target in statement.targets
                if isinstance(target, ast.Name)
            }
            if "code" not in assigned:
                missing.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}")
    assert missing == []
