"""The one state-machine helper: a refused move is IllegalTransition naming the state."""

import pytest
from django.db import models
from hypothesis import given
from hypothesis import strategies as st

from lossdesk.core.errors import ErrorCode, IllegalTransition
from lossdesk.core.statemachine import StateMachine


class Light(models.TextChoices):
    RED = "red", "红灯"
    GREEN = "green", "绿灯"
    OFF = "off", "熄灭"


MACHINE = StateMachine(
    "信号灯",
    Light,
    {"go": ({Light.RED}, Light.GREEN), "stop": ({Light.GREEN}, Light.RED), "look": (Light, None)},
    {"go": "放行", "stop": "停止", "look": "查看"},
)


class Lamp:
    def __init__(self, status):
        self.status = status


def test_a_refused_move_names_the_state_and_the_action():
    with pytest.raises(IllegalTransition) as refused:
        MACHINE.check("go", Light.GREEN)
    assert refused.value.code == ErrorCode.ILLEGAL_TRANSITION
    assert refused.value.status == 409
    assert refused.value.message == "信号灯当前状态为「绿灯」，不能执行「放行」。"
    assert refused.value.extra == {"current_state": "green", "current_state_label": "绿灯"}


def test_move_sets_the_target_and_a_targetless_action_keeps_the_state():
    lamp = Lamp(Light.RED)
    assert MACHINE.move(lamp, "go") == Light.GREEN
    assert MACHINE.move(lamp, "look") == Light.GREEN
    with pytest.raises(IllegalTransition):
        MACHINE.move(lamp, "go")
    assert lamp.status == Light.GREEN


@given(st.sampled_from(list(MACHINE.transitions)), st.sampled_from(Light.values))
def test_check_allows_exactly_the_declared_sources(action, state):
    allowed = state in MACHINE.sources(action)
    assert MACHINE.allowed_from(action, state) is allowed
    assert (action in MACHINE.actions_from(state)) is allowed
    if allowed:
        assert MACHINE.check(action, state) == MACHINE.transitions[action].target
    else:
        with pytest.raises(IllegalTransition):
            MACHINE.check(action, state)


def test_a_table_with_an_unknown_state_or_an_unlabelled_action_is_refused():
    with pytest.raises(ValueError, match="unknown states"):
        StateMachine("x", Light, {"go": ({"blue"}, Light.GREEN)}, {"go": "放行"})
    with pytest.raises(ValueError):
        StateMachine("x", Light, {"go": ({Light.RED}, Light.GREEN)}, {})
