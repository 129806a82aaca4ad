"""One way to move anything that has a state: a table of actions, each with the states it may
start from and the state it leads to. Cases, loss items, delegations, quotes, imports and
SMS messages each declare one; a refused move is always `IllegalTransition` (409,
`illegal_transition`, naming the current state), never a plain error or a `Conflict`
(which means "someone changed it since you read it")."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import models

from lossdesk.core.errors import IllegalTransition


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None = None  # None: the state stays, or the service decides it


class StateMachine:
    """`subject` names the thing in messages ("案件", "委托"); `states` is its TextChoices;
    `transitions` maps each action to (the states it may start from, the state it leads to
    or None); `labels` names each action for people."""

    def __init__(
        self,
        subject: str,
        states: type[models.TextChoices],
        transitions: Mapping[str, tuple[Iterable[str], str | None]],
        labels: Mapping[str, str],
    ) -> None:
        self.subject = subject
        self.states = states
        self.transitions = {
            action: Transition(frozenset(sources), target)
            for action, (sources, target) in transitions.items()
        }
        self.labels = dict(labels)
        unknown = {
            state
            for t in self.transitions.values()
            for state in (*t.sources, *([t.target] if t.target else []))
            if state not in states.values
        }
        if unknown or set(self.labels) != set(self.transitions):
            raise ValueError(f"{subject}: unknown states {unknown} or unlabelled actions")

    def allowed_from(self, action: str, state: str) -> bool:
        return state in self.transitions[action].sources

    def actions_from(self, state: str) -> list[str]:
        return [action for action, t in self.transitions.items() if state in t.sources]

    def sources(self, action: str) -> frozenset[str]:
        return self.transitions[action].sources

    def check(self, action: str, state: str) -> str | None:
        """The state `action` leads to from `state`; IllegalTransition when it may not start."""
        transition = self.transitions[action]
        if state not in transition.sources:
            label = self.states(state).label
            raise IllegalTransition(
                f"{self.subject}当前状态为「{label}」，不能执行「{self.labels[action]}」。",
                current_state=state,
                current_state_label=label,
            )
        return transition.target

    def move(self, obj, action: str, *, field: str = "status") -> str:
        """Set `obj`'s state for `action` (not saved); IllegalTransition when it may not."""
        target = self.check(action, getattr(obj, field))
        if target is not None:
            setattr(obj, field, target)
        return getattr(obj, field)

    def move_all(self, queryset, action: str, *, field: str = "status") -> int:
        """Move every row of `queryset` that `action` may start from (one UPDATE); rows in
        other states are left alone. The number moved."""
        transition = self.transitions[action]
        if transition.target is None:
            raise ValueError(f"{action} has no target state to move rows to")
        return queryset.filter(**{f"{field}__in": transition.sources}).update(
            **{field: transition.target}
        )
