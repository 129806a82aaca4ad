"""docs/lifecycle.md lists every state table (core.statemachine) of every app, action by
action, as the code declares it: a table or an action added, dropped or rewired without
the doc fails here."""

import importlib
import importlib.util
import re
from pathlib import Path

from django.apps import apps
from django.conf import settings

from lossdesk.core.statemachine import StateMachine

DOC = Path(settings.BASE_DIR) / "docs" / "lifecycle.md"


def state_tables() -> dict[str, StateMachine]:
    """Every StateMachine declared in an app's choices.py or workflow.py, by its name."""
    tables = {}
    for app in apps.get_app_configs():
        if not app.name.startswith("lossdesk."):
            continue
        for module_name in (f"{app.name}.choices", f"{app.name}.workflow"):
            if importlib.util.find_spec(module_name) is None:
                continue
            module = importlib.import_module(module_name)
            for name, value in vars(module).items():
                if isinstance(value, StateMachine) and not name.startswith("_"):
                    tables[f"{module_name}.{name}"] = value
    return tables


def rows(machine: StateMachine) -> list[str]:
    def states(values):
        return ", ".join(f"`{s}`" for s in machine.states.values if s in values)

    return [
        f"| `{action}` | {machine.labels[action]} | {states(t.sources)} | "
        f"{f'`{t.target}`' if t.target else '—'} |"
        for action, t in machine.transitions.items()
    ]


def section(text: str, heading: str) -> str:
    match = re.search(rf"^### `{re.escape(heading)}`\n(.*?)(?=^#|\Z)", text, re.M | re.S)
    assert match, f"docs/lifecycle.md has no section ### `{heading}`"
    return match.group(1)


def test_every_state_table_is_in_the_lifecycle_doc_as_declared():
    text = DOC.read_text(encoding="utf-8")
    tables = state_tables()
    assert "lossdesk.intake.choices.DELEGATION_STATES" in tables  # the walk finds them
    for name, machine in tables.items():
        body = section(text, name)
        documented = [line for line in body.splitlines() if line.startswith("| `")]
        assert documented == rows(machine), name
