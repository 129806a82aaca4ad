"""The injury survey and the medical investigation of one injured person: the first visit
and where the treatment stands (人伤查勘), the later visits (跟踪、医疗巡查、驻点), the
disability appraisals (伤残鉴定) and the flags (疑点) with their decision.

A visit that finds the inpatient out of their bed raises a 挂床住院 flag by itself, tied to
the visit. A confirmed flag lets the bill audit deduct for its reason
(choices.FLAG_REASONS; `assessment.do_save_injury_assessment` checks it)."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from lossdesk.claims.choices import EventType, LossItemKind
from lossdesk.claims.models import Case, LossItem
from lossdesk.claims.services import bump_version, lock_case, record_event
from lossdesk.claims.workflow import LOSS_ITEM_STATES, Action, ItemAction
from lossdesk.core.errors import Conflict, ErrorCode, NotFound, ServiceError
from lossdesk.injury.choices import FlagKind, FlagStatus, TreatmentOutcome, VisitKind
from lossdesk.injury.error_codes import InjuryErrorCode
from lossdesk.injury.models import (
    DisabilityAppraisal,
    HospitalVisit,
    InjurySurvey,
    InvestigationFlag,
)

SURVEY_INVALID = "人伤查勘记录有误，请检查标出的字段。"
VISIT_INVALID = "走访记录有误，请检查标出的字段。"
APPRAISAL_INVALID = "伤残鉴定记录有误，请检查标出的字段。"
FLAG_INVALID = "疑点有误，请检查标出的字段。"
SURVEY_FIELDS = (
    "visited_on",
    "hospital",
    "department",
    "bed",
    "admitted_on",
    "diagnosis",
    "description",
    "discharged_on",
    "outcome",
)


def injury_item(case: Case, seq) -> LossItem:
    """The case's injury loss item `seq`, or NotFound / a refusal for another kind."""
    item = case.loss_items.filter(seq=seq).first()
    if item is None:
        raise NotFound("本案没有该序号的损失标的。")
    if item.kind != LossItemKind.INJURY:
        raise ServiceError("该损失标的不是人伤。", code=InjuryErrorCode.LOSS_ITEM_NOT_INJURY)
    return item


def lock_item(item: LossItem, actor, expected_version) -> tuple[Case, LossItem]:
    """The case locked for an injury step on `item` (the right to assess, an open case, an
    item not yet submitted), and the item re-read under the lock."""
    case, _ = lock_case(item.case, actor, Action.SAVE_SHEET, expected_version)
    item = LossItem.objects.select_for_update().get(pk=item.pk, case=case)
    if item.kind != LossItemKind.INJURY:
        raise ServiceError("该损失标的不是人伤。", code=InjuryErrorCode.LOSS_ITEM_NOT_INJURY)
    LOSS_ITEM_STATES.check(ItemAction.ASSESS, item.status)
    return case, item


def _day(raw: Mapping[str, Any], name: str, errors: dict, *, required: bool) -> date | None:
    value = raw.get(name)
    if value in (None, ""):
        if required:
            errors.setdefault(name, []).append("请填写日期。")
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            errors.setdefault(name, []).append("日期格式应为 YYYY-MM-DD。")
            return None
    if not isinstance(value, date):
        errors.setdefault(name, []).append("日期格式应为 YYYY-MM-DD。")
        return None
    return value


def _within_case(case: Case, day: date | None, name: str, label: str, errors: dict) -> None:
    """A date of this injury lies between the accident and today."""
    if day is None:
        return
    accident = timezone.localdate(case.report.accident_time)
    if day < accident:
        errors.setdefault(name, []).append(f"{label}不能早于出险日期 {accident}。")
    elif day > timezone.localdate():
        errors.setdefault(name, []).append(f"{label}不能晚于今天。")


def _text(raw: Mapping[str, Any], name: str, model, errors: dict, *, required: bool) -> str:
    value = raw.get(name)
    text = "" if value is None else str(value).strip()
    field = model._meta.get_field(name)
    if required and not text:
        errors.setdefault(name, []).append(f"请填写{field.verbose_name}。")
    if len(text) > field.max_length:
        errors.setdefault(name, []).append(f"最多 {field.max_length} 个字。")
    return text


def _choice(raw: Mapping[str, Any], name: str, choices, label: str, errors: dict) -> str:
    value = raw.get(name)
    if value not in choices.values:
        errors.setdefault(name, []).append(f"请选择{label}。")
    return value


def _invalid(message: str, errors: dict) -> ServiceError:
    return ServiceError(message, code=ErrorCode.INVALID, fields=errors)


@transaction.atomic
def do_save_injury_survey(
    item: LossItem, data: Mapping[str, Any], *, actor, expected_version=None
) -> InjurySurvey:
    """Create or update the injury survey of an item: the first visit and the treatment's
    course (admission, discharge, outcome)."""
    case, item = lock_item(item, actor, expected_version)
    survey = InjurySurvey.objects.filter(loss_item=item).first() or InjurySurvey(loss_item=item)
    errors: dict[str, list[str]] = {}
    raw = {name: data.get(name, getattr(survey, name, None)) for name in SURVEY_FIELDS}
    survey.visited_on = _day(raw, "visited_on", errors, required=True)
    survey.admitted_on = _day(raw, "admitted_on", errors, required=False)
    survey.discharged_on = _day(raw, "discharged_on", errors, required=False)
    _within_case(case, survey.visited_on, "visited_on", "查勘日期", errors)
    _within_case(case, survey.admitted_on, "admitted_on", "入院日期", errors)
    _within_case(case, survey.discharged_on, "discharged_on", "出院日期", errors)
    if survey.discharged_on and not survey.admitted_on:
        errors.setdefault("admitted_on", []).append("有出院日期时请填写入院日期。")
    if survey.admitted_on and survey.discharged_on and survey.discharged_on < survey.admitted_on:
        errors.setdefault("discharged_on", []).append("出院日期不能早于入院日期。")
    survey.hospital = _text(raw, "hospital", InjurySurvey, errors, required=True)
    survey.diagnosis = _text(raw, "diagnosis", InjurySurvey, errors, required=True)
    for name in ("department", "bed", "description"):
        setattr(survey, name, _text(raw, name, InjurySurvey, errors, required=False))
    survey.outcome = _choice(
        {"outcome": raw["outcome"] or TreatmentOutcome.TREATING},
        "outcome",
        TreatmentOutcome,
        "治疗结果",
        errors,
    )
    if errors:
        raise _invalid(SURVEY_INVALID, errors)
    survey.surveyed_by = actor
    survey.save()
    bump_version(case)
    record_event(
        case,
        EventType.INJURY_SURVEY_SAVED,
        actor,
        f"保存人伤查勘（{item.label}，{survey.hospital}，{survey.get_outcome_display()}）",
        loss_item=item.seq,
    )
    return survey


@transaction.atomic
def do_record_hospital_visit(
    item: LossItem, data: Mapping[str, Any], *, actor, expected_version=None
) -> HospitalVisit:
    """Add a visit to the item's log. An inpatient found out of bed (`present` false) raises
    an open 挂床住院 flag with the visit as its evidence."""
    case, item = lock_item(item, actor, expected_version)
    errors: dict[str, list[str]] = {}
    visit = HospitalVisit(loss_item=item, visitor=actor)
    visit.visited_on = _day(data, "visited_on", errors, required=True)
    _within_case(case, visit.visited_on, "visited_on", "走访日期", errors)
    visit.kind = _choice(data, "kind", VisitKind, "走访方式", errors)
    present = data.get("present")
    if present not in (None, "", True, False):
        errors.setdefault("present", []).append("请选择伤者是否在床。")
    visit.present = None if present in (None, "") else present
    visit.records_sampled = bool(data.get("records_sampled"))
    visit.findings = _text(data, "findings", HospitalVisit, errors, required=True)
    if errors:
        raise _invalid(VISIT_INVALID, errors)
    visit.save()
    record_event(
        case,
        EventType.HOSPITAL_VISIT_RECORDED,
        actor,
        f"记录{visit.get_kind_display()}（{item.label}，{visit.visited_on}）",
        loss_item=item.seq,
        visit=visit.pk,
    )
    if visit.present is False:
        _raise(
            case,
            item,
            FlagKind.BED_BLOCKING,
            f"{visit.visited_on} {visit.get_kind_display()}时伤者不在床：{visit.findings}",
            visit,
            actor,
        )
    bump_version(case)
    return visit


@transaction.atomic
def do_record_disability_appraisal(
    item: LossItem, data: Mapping[str, Any], *, actor, expected_version=None
) -> DisabilityAppraisal:
    """Add one appraised disability (grade 1–10 under 人体损伤致残程度分级); the item's
    outcome becomes 伤残鉴定."""
    case, item = lock_item(item, actor, expected_version)
    errors: dict[str, list[str]] = {}
    appraisal = DisabilityAppraisal(loss_item=item, recorded_by=actor)
    appraisal.injury = _text(data, "injury", DisabilityAppraisal, errors, required=True)
    appraisal.clause = _text(data, "clause", DisabilityAppraisal, errors, required=False)
    appraisal.institution = _text(data, "institution", DisabilityAppraisal, errors, required=True)
    appraisal.appraised_on = _day(data, "appraised_on", errors, required=True)
    _within_case(case, appraisal.appraised_on, "appraised_on", "鉴定日期", errors)
    grade = data.get("grade")
    if isinstance(grade, bool) or not isinstance(grade, int) or not 1 <= grade <= 10:
        errors.setdefault("grade", []).append("伤残等级为 1（最重）到 10 的整数。")
    appraisal.grade = grade
    if errors:
        raise _invalid(APPRAISAL_INVALID, errors)
    appraisal.save()
    InjurySurvey.objects.filter(loss_item=item, outcome=TreatmentOutcome.TREATING).update(
        outcome=TreatmentOutcome.APPRAISAL
    )
    bump_version(case)
    record_event(
        case,
        EventType.DISABILITY_APPRAISAL_RECORDED,
        actor,
        f"记录伤残鉴定（{item.label}，{appraisal.grade} 级，{appraisal.institution}）",
        loss_item=item.seq,
        grade=appraisal.grade,
    )
    return appraisal


@transaction.atomic
def do_raise_investigation_flag(
    item: LossItem, data: Mapping[str, Any], *, actor, expected_version=None
) -> InvestigationFlag:
    """Record a suspicion with its evidence (and the visit it came from, if any)."""
    case, item = lock_item(item, actor, expected_version)
    errors: dict[str, list[str]] = {}
    kind = _choice(data, "kind", FlagKind, "疑点类型", errors)
    evidence = _text(data, "evidence", InvestigationFlag, errors, required=True)
    visit = None
    visit_id = data.get("visit")
    if visit_id not in (None, ""):
        visit = HospitalVisit.objects.filter(loss_item=item, pk=visit_id).first()
        if visit is None:
            errors.setdefault("visit", []).append("该走访记录不属于本伤者。")
    if errors:
        raise _invalid(FLAG_INVALID, errors)
    flag = _raise(case, item, kind, evidence, visit, actor)
    bump_version(case)
    return flag


def _raise(case, item, kind, evidence, visit, actor) -> InvestigationFlag:
    limit = InvestigationFlag._meta.get_field("evidence").max_length
    flag = InvestigationFlag.objects.create(
        loss_item=item, kind=kind, evidence=evidence[:limit], visit=visit, raised_by=actor
    )
    record_event(
        case,
        EventType.INVESTIGATION_FLAG_RAISED,
        actor,
        f"提出医疗调查疑点：{flag.get_kind_display()}（{item.label}）",
        loss_item=item.seq,
        flag=flag.pk,
        kind=flag.kind,
    )
    return flag


def investigation_flag(case: Case, pk) -> InvestigationFlag:
    flag = (
        InvestigationFlag.objects.select_related("loss_item")
        .filter(loss_item__case=case, pk=pk)
        .first()
    )
    if flag is None:
        raise NotFound("本案没有该疑点。")
    return flag


@transaction.atomic
def do_decide_investigation_flag(
    flag: InvestigationFlag, *, status: str, note: str, actor, expected_version=None
) -> InvestigationFlag:
    """Confirm or dismiss an open flag, with the reason. Decided flags stay as decided: a
    change of mind is a new flag."""
    case, item = lock_item(flag.loss_item, actor, expected_version)
    flag = InvestigationFlag.objects.select_for_update().get(pk=flag.pk, loss_item=item)
    if flag.status != FlagStatus.OPEN:
        raise Conflict(
            f"该疑点{flag.get_status_display()}，不能再次认定。",
            code=InjuryErrorCode.FLAG_ALREADY_DECIDED,
        )
    errors: dict[str, list[str]] = {}
    if status not in (FlagStatus.CONFIRMED, FlagStatus.DISMISSED):
        errors["status"] = ["请选择确认或排除。"]
    note = "" if note is None else str(note).strip()
    limit = InvestigationFlag._meta.get_field("decision_note").max_length
    if not note:
        errors["note"] = ["请填写认定理由。"]
    elif len(note) > limit:
        errors["note"] = [f"最多 {limit} 个字。"]
    if errors:
        raise _invalid(FLAG_INVALID, errors)
    flag.status = status
    flag.decision_note = note
    flag.decided_by = actor
    flag.decided_at = timezone.now()
    flag.save()
    bump_version(case)
    record_event(
        case,
        EventType.INVESTIGATION_FLAG_DECIDED,
        actor,
        # Not the reason: it is medical data, and the timeline shows to every position.
        f"{flag.get_status_display()}医疗调查疑点：{flag.get_kind_display()}（{item.label}）",
        loss_item=item.seq,
        flag=flag.pk,
        status=flag.status,
    )
    return flag
