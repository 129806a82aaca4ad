"""The audit app sits below the case kernel: the access log must keep working whatever the
feature apps do, so it never imports them (case numbers are stored as text)."""

import ast
from pathlib import Path

import lossdesk.audit

ABOVE = ("lossdesk.claims", "lossdesk.intake", "lossdesk.motor", "lossdesk.notify")


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_audit_app_imports_no_feature_app():
    root = Path(lossdesk.audit.__file__).parent
    modules = [p for p in root.rglob("*.py") if "tests" not in p.parts]
    assert len(modules) > 10
    offending = {
        (str(path.relative_to(root)), name)
        for path in modules
        for name in imported_modules(path)
        if name.startswith(ABOVE)
    }
    assert offending == set()
