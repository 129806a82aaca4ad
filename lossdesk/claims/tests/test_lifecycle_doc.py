from pathlib import Path

from lossdesk.claims.choices import CaseStatus
from lossdesk.claims.workflow import PERMISSIONS, TRANSITIONS, Action

DOC = (Path(__file__).resolve().parents[3] / "docs" / "lifecycle.md").read_text()


def test_the_lifecycle_doc_names_every_state_action_and_permission():
    for status in CaseStatus:
        assert f"`{status.value}`" in DOC, status
    for action in Action:
        assert f"`{action.value}`" in DOC, action
        assert f"`{PERMISSIONS[action]}`" in DOC, action


def test_the_state_diagram_draws_every_transition_of_the_table():
    for action, (sources, target) in TRANSITIONS.items():
        if target is None:
            continue
        for source in sources:
            assert f"{source.value} --> {target.value}: {action.value}" in DOC, (action, source)
