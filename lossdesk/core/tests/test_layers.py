"""The layers hold (docs/architecture.md): rules < core < org < audit < claims < feature apps <
reports < demo, as the import-linter contract in pyproject.toml declares them. A lower layer
never imports a higher one, also not inside a function; what an app adds to a lower mechanism
it registers at start-up (audit's listener on core.masking.on_reveal, the apps' grants in
org.permissions; a feature app's loss line, case actions and panels in claims.registry). The
contract ignores only the tests."""

from pathlib import Path

from importlinter.cli import lint_imports

PYPROJECT = Path(__file__).resolve().parents[3] / "pyproject.toml"


def test_no_layer_imports_a_layer_above_it():
    assert lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True) == 0
