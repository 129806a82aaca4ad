"""Working time (工作时间) for deadlines: the mainland China calendar with its public holidays
and make-up working days (调休), and deadline arithmetic over it.

A day is a working day by, in order: the administrator's dated table (`overrides`: date →
working or not, for corrections and for the years the published calendar does not cover);
the published calendar (`official`: holidays and 调休 as the State Council announces them —
the quality app passes the `chinese-calendar` package's, so this module stays standard
library only); else Monday to Friday. Durations count in one of three ways (`Duration`):
elapsed minutes or hours (`office_hours=False`, the clock runs day and night), minutes or
hours of office time (`office_hours=True`, only between `opens` and `closes` on working
days), or working days.

Datetimes are wall-clock times, aware or not; results keep the start's `tzinfo` (mainland
China has no daylight saving, so wall-clock arithmetic is exact)."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

OFFICE_OPENS = time(9, 0)
OFFICE_CLOSES = time(18, 0)
# A calendar whose table makes no day a working day would search for ever.
SEARCH_DAYS = 730


def no_published_calendar(day: date) -> None:
    return None


@dataclass(frozen=True)
class WorkCalendar:
    overrides: Mapping[date, bool] = field(default_factory=dict)
    # Working day by the published calendar, or None for a year it does not cover.
    official: Callable[[date], bool | None] = no_published_calendar
    opens: time = OFFICE_OPENS
    closes: time = OFFICE_CLOSES

    def __post_init__(self) -> None:
        if self.opens >= self.closes:
            raise ValueError("办公时间的开始须早于结束。")

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        official = self.official(day)
        return day.weekday() < 5 if official is None else official

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        for offset in range(1, SEARCH_DAYS + 1):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"{day} 之后两年内没有工作日，请检查节假日表。")

    @property
    def office_minutes(self) -> int:
        return minutes_of(self.opens, self.closes)


def minutes_of(opens: time, closes: time) -> int:
    return (closes.hour * 60 + closes.minute) - (opens.hour * 60 + opens.minute)


class Unit(StrEnum):
    MINUTES = "minutes"
    HOURS = "hours"
    WORKING_DAYS = "working_days"


UNIT_LABELS = {Unit.MINUTES: "分钟", Unit.HOURS: "小时", Unit.WORKING_DAYS: "个工作日"}


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: Unit
    office_hours: bool = False  # minutes and hours only: count office time on working days

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise ValueError("时限不能为负数。")

    def __str__(self) -> str:
        text = f"{self.amount} {UNIT_LABELS[self.unit]}"
        if self.office_hours and self.unit != Unit.WORKING_DAYS:
            text += "（工作时间）"
        return text


def due_at(start: datetime, duration: Duration, calendar: WorkCalendar) -> datetime:
    """When a stage started at `start` with `duration` to do it is due."""
    if duration.unit == Unit.WORKING_DAYS:
        return add_working_days(start, duration.amount, calendar)
    minutes = duration.amount * (60 if duration.unit == Unit.HOURS else 1)
    if duration.office_hours:
        return add_office_minutes(start, minutes, calendar)
    return start + timedelta(minutes=minutes)


def add_working_days(start: datetime, days: int, calendar: WorkCalendar) -> datetime:
    """The same clock time on the `days`-th working day after the start's day. A start on
    a day off counts from the beginning of the next working day, so the stage is due at the
    end (24:00) of the `days`-th working day from then."""
    if days < 0:
        raise ValueError("工作日数不能为负数。")
    if days == 0:
        return start
    day = start.date()
    if not calendar.is_working_day(day):
        day = calendar.next_working_day(day)
        for _ in range(days - 1):
            day = calendar.next_working_day(day)
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=start.tzinfo)
    for _ in range(days):
        day = calendar.next_working_day(day)
    return datetime.combine(day, start.timetz())


def add_office_minutes(start: datetime, minutes: int, calendar: WorkCalendar) -> datetime:
    """`start` plus `minutes` counted only in office hours on working days."""
    if minutes < 0:
        raise ValueError("分钟数不能为负数。")
    if minutes == 0:
        return start
    remaining = minutes
    moment = start
    while True:
        day = moment.date()
        if not calendar.is_working_day(day) or moment.time() >= calendar.closes:
            moment = _opening(calendar.next_working_day(day), calendar, start)
            continue
        if moment.time() < calendar.opens:
            moment = _opening(day, calendar, start)
        closing = datetime.combine(day, calendar.closes, tzinfo=start.tzinfo)
        available = (closing - moment) / timedelta(minutes=1)
        if remaining <= available:
            return moment + timedelta(minutes=remaining)
        remaining -= available
        moment = _opening(calendar.next_working_day(day), calendar, start)


def office_minutes_between(start: datetime, end: datetime, calendar: WorkCalendar) -> float:
    """Office minutes on working days from `start` to `end` (0 when end is not later)."""
    if end <= start:
        return 0.0
    total = 0.0
    day = start.date()
    while day <= end.date():
        if calendar.is_working_day(day):
            opens = max(_opening(day, calendar, start), start)
            closes = min(datetime.combine(day, calendar.closes, tzinfo=start.tzinfo), end)
            if closes > opens:
                total += (closes - opens) / timedelta(minutes=1)
        day += timedelta(days=1)
    return total


def working_days_between(first: date, last: date, calendar: WorkCalendar) -> int:
    """Working days in (first, last]: how many working days later `last` is."""
    return sum(
        calendar.is_working_day(first + timedelta(days=n))
        for n in range(1, (last - first).days + 1)
    )


def _opening(day: date, calendar: WorkCalendar, like: datetime) -> datetime:
    return datetime.combine(day, calendar.opens, tzinfo=like.tzinfo)
