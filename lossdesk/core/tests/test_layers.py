"""core is the bottom layer (rules → org/core → claims → feature apps → reports/demo): it
imports no other app of ours, so every app may import it without a cycle. What an app adds to
a core mechanism it registers at start-up (e.g. audit's listener on core.masking.on_reveal)."""

import ast
from pathlib import Path

import lossdesk.core

BELOW = ("lossdesk.core", "lossdesk.rules")


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            # `from lossdesk import claims` names the app only in the alias
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def ours_above_core(name: str) -> bool:
    if not name.startswith("lossdesk."):
        return False
    return not any(name == below or name.startswith(f"{below}.") for below in BELOW)


def test_core_imports_no_app_of_ours_but_rules():
    root = Path(lossdesk.core.__file__).parent
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
        if ours_above_core(name)
    }
    assert offending == set()
