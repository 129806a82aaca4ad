"""Night or holiday (夜间/节假日): whether a moment falls in a night window or on a day off.

A night window is data (a fee contract's ``night_from`` / ``night_to``, 22:00–06:00 when it
names none): the start belongs to the night, the end does not, and a window whose start is
after its end runs past midnight. A day off is a day that is not a working day of the
calendar (``working_time.WorkCalendar``: the administrator's corrections, then the mainland's
published holidays and make-up working days, else Monday to Friday) — the same calendar the
deadlines count working days on, so a 调休 Saturday is a working day here too.

Times are wall-clock (local) times; the caller converts to the firm's time zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time

from .errors import RuleInputError
from .working_time import WorkCalendar

NIGHT_STARTS = time(22, 0)
NIGHT_ENDS = time(6, 0)
_CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


@dataclass(frozen=True, slots=True)
class NightWindow:
    starts: time = NIGHT_STARTS
    ends: time = NIGHT_ENDS

    def __post_init__(self) -> None:
        if self.starts == self.ends:
            raise RuleInputError("night_to", "夜间时段的开始与结束不能相同")

    def contains(self, clock: time) -> bool:
        clock = clock.replace(second=0, microsecond=0, tzinfo=None)
        if self.starts < self.ends:
            return self.starts <= clock < self.ends
        return clock >= self.starts or clock < self.ends

    def __str__(self) -> str:
        return f"{self.starts:%H:%M}–{self.ends:%H:%M}"


def parse_clock(value: object, field: str) -> time:
    """A time of day as "HH:MM" (00:00–23:59)."""
    match = _CLOCK.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise RuleInputError(field, '须为 "HH:MM" 格式的时刻，如 "22:00"')
    return time(int(match[1]), int(match[2]))


@dataclass(frozen=True, slots=True)
class OffHours:
    at: datetime
    window: NightWindow
    night: bool
    holiday: bool

    @property
    def applies(self) -> bool:
        return self.night or self.holiday

    def describe(self) -> str:
        found = []
        if self.night:
            found.append(f"夜间（{self.window}）")
        if self.holiday:
            found.append("节假日（非工作日）")
        verdict = "、".join(found) if found else f"非夜间（{self.window}）、工作日"
        return f"{self.at:%Y-%m-%d %H:%M}：{verdict}"


def off_hours(at: datetime, window: NightWindow, calendar: WorkCalendar) -> OffHours:
    """Whether the wall-clock moment `at` is at night by `window` or on a day off."""
    return OffHours(
        at=at,
        window=window,
        night=window.contains(at.time()),
        holiday=not calendar.is_working_day(at.date()),
    )
