"""Who saw which personal data in full: every unmasking notes itself here.

A request (audit.middleware) or a piece of background work (`with recording(source=…)`) opens
a collector; `note()` adds to it and the collector writes everything in one insert when the
work ends well. A note outside any collector is written at once, so nothing that unmasks can
go unrecorded. core.masking reaches `note()` through the listener the app registers at start-up
(AuditConfig.ready)."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.utils import timezone

from lossdesk.audit.choices import AccessAction
from lossdesk.audit.models import PiiAccess


@dataclass
class Entry:
    fields: dict[str, None] = field(default_factory=dict)  # an ordered set
    people: dict[str, None] = field(default_factory=dict)


@dataclass
class Collector:
    source: str
    path: str = ""
    ip: str | None = None
    # One record per user, case (or person outside a case) and action.
    entries: dict[tuple[int, str, str, str], Entry] = field(default_factory=dict)

    def add(self, user_id: int, case_no: str, person: str, action: str, name: str) -> None:
        key = (user_id, case_no, "" if case_no else person, action)
        entry = self.entries.setdefault(key, Entry())
        entry.fields[name] = None
        if person:
            entry.people[person] = None

    def flush(self) -> None:
        if not self.entries:
            return
        now = timezone.now()
        PiiAccess.objects.bulk_create(
            PiiAccess(
                user_id=user_id,
                at=now,
                case_no=case_no,
                person="、".join(entry.people)[:100],
                action=action,
                fields=list(entry.fields),
                source=self.source[:200],
                path=self.path[:300],
                ip=self.ip,
            )
            for (user_id, case_no, _person, action), entry in self.entries.items()
        )
        self.entries.clear()


_current: ContextVar[Collector | None] = ContextVar("pii_access_collector", default=None)


@contextmanager
def recording(*, source: str, path: str = "", ip: str | None = None) -> Iterator[Collector]:
    """Collect the notes made inside; written in one insert on a normal exit, dropped when
    the work fails (nothing was shown). The middleware flushes itself (it sees the status)."""
    collector = Collector(source=source, path=path, ip=ip)
    token = _current.set(collector)
    try:
        yield collector
    finally:
        _current.reset(token)
    collector.flush()


def note(
    user, *, field: str, case_no: str = "", person: str = "", action=AccessAction.SHOWN
) -> None:
    """Record that `user` was shown (or found by) `field` of a case or person in full."""
    collector = _current.get()
    if collector is None:
        with recording(source="direct") as collector:
            collector.add(user.pk, case_no or "", person or "", action, field)
        return
    collector.add(user.pk, case_no or "", person or "", action, field)


def note_reveal(user, *, field: str, case_no: str, person: str, searched: bool) -> None:
    """The core.masking.on_reveal listener."""
    action = AccessAction.SEARCHED if searched else AccessAction.SHOWN
    note(user, field=field, case_no=case_no, person=person, action=action)
