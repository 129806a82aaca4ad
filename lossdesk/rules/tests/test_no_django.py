"""The rules package must stay pure Python: no Django, nothing outside the standard library."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
STDLIB_ALLOWED = {
    "__future__",
    "calendar",
    "collections",
    "dataclasses",
    "datetime",
    "decimal",
    "enum",
    "re",
    "typing",
}
TEST_ONLY = {"ast", "pathlib", "pytest", "hypothesis"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_no_file_in_the_rules_package_imports_django() -> None:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 10
    for path in files:
        for name in imported_modules(path):
            assert name.split(".")[0] != "django", f"{path.name} imports {name}"


def test_calculation_modules_import_only_the_standard_library() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        for name in imported_modules(path):
            assert name.split(".")[0] in STDLIB_ALLOWED, f"{path.name} imports {name}"


def test_tests_import_only_pytest_hypothesis_and_the_package() -> None:
    for path in sorted((PACKAGE / "tests").glob("*.py")):
        for name in imported_modules(path):
            root = name.split(".")[0]
            assert root in STDLIB_ALLOWED | TEST_ONLY or name.startswith("lossdesk.rules"), (
                f"{path.name} imports {name}"
            )
