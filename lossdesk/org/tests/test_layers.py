"""org sits below the case kernel and the feature apps: they register what they add (their
grants to the standard positions) and org never imports them, so nothing above can pull org
into an import cycle."""

import ast
from pathlib import Path

import lossdesk.org

ABOVE = (
    "lossdesk.audit",
    "lossdesk.calc",
    "lossdesk.claims",
    "lossdesk.intake",
    "lossdesk.motor",
    "lossdesk.notify",
    "lossdesk.parts",
    "lossdesk.reports",
)


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            # `from lossdesk import parts` names the package only in the alias
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_org_imports_no_app_above_it():
    root = Path(lossdesk.org.__file__).parent
    modules = [
        path
        for path in root.rglob("*.py")
        if not {"tests", "migrations"} & set(path.relative_to(root).parts)
    ]
    assert len(modules) > 10
    offending = {
        (str(path.relative_to(root)), name)
        for path in modules
        for name in imported_modules(path)
        if name in ABOVE or name.startswith(tuple(f"{app}." for app in ABOVE))
    }
    assert offending == set()
