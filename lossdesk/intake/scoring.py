"""Dispatch recommendation: rank surveyors for one survey task by a documented score.

Pure Python, no Django: plain dataclasses in, a ranked list with the reasons out. The formula
and its weights are described in docs/dispatch.md; change both together.

    score = duty + distance + workload + skills            (0 … 100, one decimal)

    duty      40 × 1.0  on duty now and the shift's zone is named in the accident place
              40 × 0.8  on duty now, another zone
              40 × 0.5  the branch kept no roster for the day (neutral)
              40 × 0    off duty
    distance  30 × max(0, 1 − km / 20)     haversine from the last known position
              30 × 0.5  position unknown, older than 2 hours, or accident not located
    workload  20 × max(0, 1 − open / 5)    open = active dispatches on other cases
    skills    10 × matched / needed         needed = vehicle / property / injury items

Ties go to the lighter workload, then the name. A surveyor who already declined this case's
dispatch is ranked after everyone else, whatever the score, with the decline as a reason.
Only candidates on duty (or with no roster kept, which is neutral) and who have not declined
the case may be dispatched automatically.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

WEIGHT_DUTY = 40
WEIGHT_DISTANCE = 30
WEIGHT_WORKLOAD = 20
WEIGHT_SKILLS = 10
ZONE_MISMATCH_FACTOR = 0.8
NEUTRAL = 0.5
DISTANCE_ZERO_KM = 20.0  # at or beyond this distance the distance part is 0
WORKLOAD_ZERO = 5  # at or beyond this many open tasks the workload part is 0
POSITION_STALE_AFTER = timedelta(hours=2)
EARTH_RADIUS_KM = 6371.0088
# Expected arrival for the customer SMS: a fixed start-up time plus driving at city speed.
ETA_SETUP_MINUTES = 5
ETA_SPEED_KMH = 30.0
ETA_UNKNOWN_MINUTES = 30

SKILL_LABELS = {"vehicle": "车辆", "property": "物损", "injury": "人伤"}


@dataclass(frozen=True)
class Shift:
    start: datetime
    end: datetime
    zone: str


@dataclass(frozen=True)
class Candidate:
    id: int
    name: str
    skills: frozenset[str]
    open_tasks: int = 0
    position: tuple[float, float] | None = None  # (lat, lng)
    position_at: datetime | None = None
    shifts: tuple[Shift, ...] = ()
    declined: str | None = None  # the reason, when they declined this case's dispatch


@dataclass(frozen=True)
class Task:
    at: datetime
    place: str = ""
    location: tuple[float, float] | None = None
    needed_skills: frozenset[str] = frozenset()
    roster_kept: bool = True  # the branch has shifts for the day


@dataclass(frozen=True)
class Reason:
    factor: str  # duty / distance / workload / skills / declined (no points)
    points: float
    weight: int
    text: str


@dataclass
class Ranked:
    candidate: Candidate
    score: float
    reasons: list[Reason] = field(default_factory=list)
    on_duty: bool | None = None  # None: no roster kept (neutral)
    distance_km: float | None = None

    @property
    def declined(self) -> bool:
        return self.candidate.declined is not None

    @property
    def auto_dispatchable(self) -> bool:
        return self.on_duty is not False and not self.declined

    def outranks(self, other: "Ranked") -> bool:
        """Strictly ahead: not declined where the other did, or a higher score."""
        return _order(self) < _order(other)

    @property
    def eta_minutes(self) -> int:
        return eta_minutes(self.distance_km)


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lng1, lat2, lng2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def eta_minutes(distance_km: float | None) -> int:
    """Expected minutes to arrive, rounded up to 5; 30 when the distance is unknown."""
    if distance_km is None:
        return ETA_UNKNOWN_MINUTES
    minutes = ETA_SETUP_MINUTES + distance_km / ETA_SPEED_KMH * 60
    return int(math.ceil(minutes / 5) * 5)


def _duty(candidate: Candidate, task: Task) -> tuple[float, bool | None, str]:
    current = [s for s in candidate.shifts if s.start <= task.at < s.end]
    if current:
        shift = next((s for s in current if s.zone and s.zone in task.place), current[0])
        hours = (
            "全天"
            if shift.end - shift.start >= timedelta(days=1)
            else f"{shift.start:%H:%M}–{shift.end:%H:%M}"
        )
        if shift.zone and shift.zone in task.place:
            return 1.0, True, f"在班（{shift.zone} {hours}），值班区域与出险地点一致"
        return ZONE_MISMATCH_FACTOR, True, f"在班（{shift.zone or '未分区'} {hours}）"
    if not task.roster_kept:
        return NEUTRAL, None, "本机构当日无排班数据（按中性计分）"
    if candidate.shifts:
        later = sorted((s for s in candidate.shifts if s.start > task.at), key=lambda s: s.start)
        if later:
            return 0.0, False, f"不在班（下一班 {later[0].start:%H:%M} 开始）"
        return 0.0, False, "不在班（今日班次已结束）"
    return 0.0, False, "不在班（今日未排班）"


def _distance(candidate: Candidate, task: Task) -> tuple[float, float | None, str]:
    if task.location is None:
        return NEUTRAL, None, "出险地未定位（按中性计分）"
    if candidate.position is None or candidate.position_at is None:
        return NEUTRAL, None, "位置未知（按中性计分）"
    age = task.at - candidate.position_at
    if age > POSITION_STALE_AFTER:
        hours = age.total_seconds() / 3600
        return NEUTRAL, None, f"位置已过时（{hours:.0f} 小时前，按中性计分）"
    km = haversine_km(candidate.position, task.location)
    return max(0.0, 1 - km / DISTANCE_ZERO_KM), km, f"距出险地 {km:.1f} km"


def _workload(candidate: Candidate) -> tuple[float, str]:
    n = candidate.open_tasks
    return max(0.0, 1 - n / WORKLOAD_ZERO), f"在途任务 {n} 件"


def _skills(candidate: Candidate, task: Task) -> tuple[float, str]:
    needed = task.needed_skills
    if not needed:
        return 1.0, "无特殊技能要求"
    matched = needed & candidate.skills
    missing = needed - candidate.skills
    if not missing:
        return 1.0, f"技能匹配（{_labels(needed)}）"
    lacking = _labels(missing)
    return len(matched) / len(needed), f"缺少技能：{lacking}"


def _labels(skills: frozenset[str]) -> str:
    order = list(SKILL_LABELS)
    ranked = sorted(skills, key=lambda s: order.index(s) if s in order else len(order))
    return "、".join(SKILL_LABELS.get(s, s) for s in ranked)


def score(candidate: Candidate, task: Task) -> Ranked:
    duty, on_duty, duty_text = _duty(candidate, task)
    near, km, distance_text = _distance(candidate, task)
    load, load_text = _workload(candidate)
    skill, skill_text = _skills(candidate, task)
    reasons = [
        Reason("duty", round(WEIGHT_DUTY * duty, 1), WEIGHT_DUTY, duty_text),
        Reason("distance", round(WEIGHT_DISTANCE * near, 1), WEIGHT_DISTANCE, distance_text),
        Reason("workload", round(WEIGHT_WORKLOAD * load, 1), WEIGHT_WORKLOAD, load_text),
        Reason("skills", round(WEIGHT_SKILLS * skill, 1), WEIGHT_SKILLS, skill_text),
    ]
    total = round(
        WEIGHT_DUTY * duty
        + WEIGHT_DISTANCE * near
        + WEIGHT_WORKLOAD * load
        + WEIGHT_SKILLS * skill,
        1,
    )
    if candidate.declined is not None:
        text = f"已拒绝本案调度（{candidate.declined}），排在最后"
        reasons.append(Reason("declined", 0.0, 0, text))
    return Ranked(candidate, total, reasons, on_duty, km)


def _order(r: Ranked) -> tuple[bool, float]:
    return (r.declined, -r.score)


def rank(candidates: list[Candidate], task: Task) -> list[Ranked]:
    """Candidates best first: those who declined this case last, then highest score, fewer
    open tasks, name."""
    ranked = [score(c, task) for c in candidates]
    ranked.sort(
        key=lambda r: (*_order(r), r.candidate.open_tasks, r.candidate.name, r.candidate.id)
    )
    return ranked
