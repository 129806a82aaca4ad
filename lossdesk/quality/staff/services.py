"""Every write of staff quality: `do_<verb>_<noun>(…, *, actor)`, one transaction that checks
the right and the state, writes the record and its `QualityEvent`. Points count only from
final entries; finalizing raises the consequences of the thresholds crossed, once."""

from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from lossdesk.claims.models import Case
from lossdesk.core.errors import (
    Conflict,
    ErrorCode,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ServiceError,
)
from lossdesk.core.limits import NOTE_MAX, TEXT_MAX
from lossdesk.core.uploads import sniff_upload
from lossdesk.org.models import Client, Staff
from lossdesk.quality import permissions as perms
from lossdesk.quality.error_codes import QualityErrorCode
from lossdesk.quality.staff import periods, points
from lossdesk.quality.staff.choices import (
    AppealDecision,
    ComplaintSource,
    ComplaintStatus,
    ConductResult,
    ConsequenceSubject,
    MisconductStatus,
    ReportStatus,
)
from lossdesk.quality.staff.models import (
    Award,
    Complaint,
    ConductEvaluation,
    Consequence,
    MisconductEvidence,
    MisconductItem,
    MisconductRecord,
    PointThreshold,
    QualityEvent,
    WhistleblowerReport,
)
from lossdesk.rules.money import PRICE, AmountError, parse_amount

CENT = Decimal("0.01")
MAX_EVIDENCE = 10  # files per entry
REPLYABLE = (MisconductStatus.REGISTERED,)
APPEALABLE = (MisconductStatus.REGISTERED, MisconductStatus.REPLIED)
FINALIZABLE = (
    MisconductStatus.REGISTERED,
    MisconductStatus.REPLIED,
    MisconductStatus.UPHELD,
    MisconductStatus.REDUCED,
    MisconductStatus.CANCELLED,
)


def _require(actor, permission: str, what: str) -> None:
    if not actor.has_perm(permission):
        raise PermissionDenied(f"您的岗位没有{what}的权限。")


def _invalid(message: str, errors: dict, refused: ServiceError | None = None) -> ServiceError:
    return ServiceError(message, code=refused.code if refused else ErrorCode.INVALID, fields=errors)


def _text(data: dict, name: str, limit: int, errors: dict, *, required: str = "") -> str:
    value = str(data.get(name) or "").strip()
    if required and not value:
        errors[name] = [required]
    elif len(value) > limit:
        errors[name] = [f"最多 {limit} 个字。"]
    return value


def _date(value, name: str, errors: dict) -> date | None:
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value or ""))
        except ValueError:
            errors[name] = ["请填写日期（YYYY-MM-DD）。"]
            return None
    if day > timezone.localdate():
        errors[name] = ["日期不能晚于今天。"]
        return None
    return day


def _scoped_staff(value, name: str, actor, errors: dict, *, required: bool = True):
    """A person the actor may see (their data scope over staff), or a field error."""
    if value in (None, ""):
        if required:
            errors[name] = ["请选择人员。"]
        return None
    pk = value.pk if isinstance(value, Staff) else value
    person = (
        Staff.objects.for_user(actor).filter(pk=pk).select_related("branch", "position").first()
        if str(pk).isdigit()
        else None
    )
    if person is None:
        errors[name] = ["人员不存在或不在您的数据范围内。"]
    return person


def _scoped_case(case_no, actor, errors: dict) -> Case | None:
    case_no = str(case_no or "").strip()
    if not case_no:
        return None
    case = Case.objects.for_user(actor).filter(case_no=case_no).first()
    if case is None:
        errors["case_no"] = ["案件不存在或不在您的数据范围内。"]
    return case


def log(kind: str, obj, person, actor, message: str, **data) -> None:
    QualityEvent.objects.create(
        kind=kind, object_id=obj.pk, person=person, actor=actor, message=message, data=data
    )


def _locked(model, obj):
    return model.objects.select_for_update().get(pk=obj.pk)


# ------------------------------------------------------------------ misconduct register


def _sniff_evidence(uploads, errors: dict) -> tuple[list, ServiceError | None]:
    """Every file sniffed (core.uploads), their messages gathered under `evidence`; with the
    first typed refusal, so the answer keeps its code (`unsupported_file_type`…)."""
    uploads = list(uploads or [])
    if len(uploads) > MAX_EVIDENCE:
        errors["evidence"] = [f"证据文件最多 {MAX_EVIDENCE} 个。"]
        return [], None
    sniffed, refused = [], None
    for upload in uploads:
        try:
            file = sniff_upload(
                upload,
                max_bytes=settings.LOSSDESK_MAX_ATTACHMENT_SIZE,
                allow_pdf=True,
                field="evidence",
            )
        except ServiceError as exc:
            errors.setdefault("evidence", []).extend(exc.fields.get("evidence", [exc.message]))
            refused = refused or exc
        else:
            sniffed.append((upload, file))
    return sniffed, refused


@contextmanager
def _evidence_stored(record, sniffed, actor):
    """Stores the evidence files; when the rest of the block raises they are deleted again:
    their rows go with the rolled-back transaction, so must the files (no orphan)."""
    stored = []
    try:
        for upload, file in sniffed:
            stored.append(
                MisconductEvidence.objects.create(
                    record=record,
                    file=file.as_file(),
                    original_name=(getattr(upload, "name", "") or "evidence")[:200],
                    content_type=file.content_type,
                    uploaded_by=actor,
                )
            )
        yield
    except BaseException:
        for evidence in stored:
            evidence.file.storage.delete(evidence.file.name)
        raise


@transaction.atomic
def do_register_misconduct(data: dict, *, evidence=(), actor) -> MisconductRecord:
    """违规展业登记: a person of the actor's scope, an item of their post in effect on the
    day, points inside the item's range, what happened, the evidence."""
    _require(actor, perms.REGISTER_MISCONDUCT, "登记违规")
    errors: dict = {}
    person = _scoped_staff(data.get("person"), "person", actor, errors)
    if person is not None and person.pk == actor.pk:
        errors["person"] = ["不能登记本人的违规。"]
    occurred_on = _date(data.get("occurred_on"), "occurred_on", errors)
    item = None
    key = data.get("item")
    if key in (None, ""):
        errors["item"] = ["请选择违规项目。"]
    else:
        item = MisconductItem.objects.filter(pk=key).first() if str(key).isdigit() else None
        if item is None:
            errors["item"] = ["违规项目不存在。"]
        elif (
            occurred_on
            and not MisconductItem.objects.in_effect(occurred_on).filter(pk=item.pk).exists()
        ):
            errors["item"] = ["该违规项目在违规日期不在有效期内。"]
        elif person is not None and person.position and item.post != person.position.code:
            errors["item"] = [f"该违规项目适用于{item.get_post_display()}，与被登记人岗位不符。"]
    value = data.get("points")
    try:
        given = int(str(value).strip())
    except (TypeError, ValueError):
        given = None
        errors["points"] = ["请填写扣分（整数）。"]
    if given is not None and item is not None and not item.min_points <= given <= item.max_points:
        errors["points"] = [
            f"扣分须在 {item.min_points} 到 {item.max_points} 分之间（该项目的扣分标准）。"
        ]
    description = _text(data, "description", TEXT_MAX, errors, required="请写明违规事实。")
    case = _scoped_case(data.get("case_no"), actor, errors)
    sniffed, refused = _sniff_evidence(evidence, errors)
    if errors:
        raise _invalid("违规登记有误。", errors, refused)
    record = MisconductRecord.objects.create(
        person=person,
        branch=person.branch,
        item=item,
        occurred_on=occurred_on,
        period=periods.period_of(occurred_on),
        case=case,
        description=description,
        points=given,
        registered_by=actor,
    )
    with _evidence_stored(record, sniffed, actor):
        log(
            "misconduct",
            record,
            person,
            actor,
            f"登记违规「{item.title}」扣 {given} 分。",
            item=item.code,
            points=given,
            status=record.status,
        )
    return record


@transaction.atomic
def do_add_misconduct_evidence(record: MisconductRecord, uploads, *, actor) -> MisconductRecord:
    _require(actor, perms.REGISTER_MISCONDUCT, "补充违规证据")
    record = _locked(MisconductRecord, record)
    if record.status == MisconductStatus.FINAL:
        raise IllegalTransition("该登记已生效，不能再补充证据。", current_state=record.status)
    errors: dict = {}
    sniffed, refused = _sniff_evidence(uploads, errors)
    if not uploads and not errors:
        errors["evidence"] = ["请选择文件。"]
    if record.evidence.count() + len(sniffed) > MAX_EVIDENCE:
        errors["evidence"] = [f"证据文件最多 {MAX_EVIDENCE} 个。"]
    if errors:
        raise _invalid("证据文件有误。", errors, refused)
    with _evidence_stored(record, sniffed, actor):
        log("misconduct", record, record.person, actor, f"补充证据 {len(sniffed)} 个。")
    return record


def _own_step(record, actor, allowed, what: str) -> MisconductRecord:
    record = _locked(MisconductRecord, record)
    if record.person_id != actor.pk:
        raise PermissionDenied(
            f"只有被登记人本人可以{what}。", code=QualityErrorCode.NOT_THE_PERSON
        )
    if record.status not in allowed:
        raise IllegalTransition(
            f"该登记{record.get_status_display()}，不能{what}。", current_state=record.status
        )
    return record


@transaction.atomic
def do_reply_misconduct(record: MisconductRecord, *, reply: str, actor) -> MisconductRecord:
    """The person's reply (本人答复) to an entry just registered."""
    record = _own_step(record, actor, REPLYABLE, "答复")
    errors: dict = {}
    reply = _text({"reply": reply}, "reply", TEXT_MAX, errors, required="请填写答复。")
    if errors:
        raise _invalid("答复有误。", errors)
    record.reply, record.replied_at = reply, timezone.now()
    record.status = MisconductStatus.REPLIED
    record.save(update_fields=["reply", "replied_at", "status"])
    log("misconduct", record, record.person, actor, "本人答复。", current_state=record.status)
    return record


@transaction.atomic
def do_appeal_misconduct(record: MisconductRecord, *, reason: str, actor) -> MisconductRecord:
    """The person appeals (申诉) before the entry is final; a committee member decides."""
    record = _own_step(record, actor, APPEALABLE, "申诉")
    errors: dict = {}
    reason = _text({"reason": reason}, "reason", TEXT_MAX, errors, required="请写明申诉理由。")
    if errors:
        raise _invalid("申诉有误。", errors)
    record.appeal_reason, record.appealed_at = reason, timezone.now()
    record.status = MisconductStatus.APPEALED
    record.save(update_fields=["appeal_reason", "appealed_at", "status"])
    log("misconduct", record, record.person, actor, "本人申诉。", current_state=record.status)
    return record


@transaction.atomic
def do_decide_appeal(
    record: MisconductRecord, *, decision: str, reason: str, points=None, actor
) -> MisconductRecord:
    """A committee member upholds, reduces (new points below the registered ones) or cancels;
    never the registrar nor the person."""
    _require(actor, perms.DECIDE_APPEAL, "裁决申诉")
    record = _locked(MisconductRecord, record)
    if actor.pk in (record.person_id, record.registered_by_id):
        raise PermissionDenied(
            "申诉须由登记人和被登记人以外的品质管理委员会成员裁决。",
            code=QualityErrorCode.CONFLICT_OF_INTEREST,
        )
    if record.status != MisconductStatus.APPEALED:
        raise IllegalTransition(
            f"该登记{record.get_status_display()}，没有待裁决的申诉。", current_state=record.status
        )
    errors: dict = {}
    if decision not in AppealDecision.values:
        errors["decision"] = ["请选择维持、减分或撤销。"]
    reason = _text({"reason": reason}, "reason", NOTE_MAX, errors, required="请写明裁决理由。")
    final = record.points
    if decision == AppealDecision.CANCELLED:
        final = 0
    elif decision == AppealDecision.REDUCED:
        try:
            final = int(str(points).strip())
        except (TypeError, ValueError):
            errors["points"] = ["请填写减分后的扣分（整数）。"]
        else:
            if not 1 <= final < record.points:
                errors["points"] = [f"减分后的扣分须在 1 到 {record.points - 1} 分之间。"]
    if errors:
        raise _invalid("裁决有误。", errors)
    record.status, record.final_points = decision, final
    record.decided_by, record.decided_at = actor, timezone.now()
    record.decision_reason = reason
    record.save(
        update_fields=["status", "final_points", "decided_by", "decided_at", "decision_reason"]
    )
    log(
        "misconduct",
        record,
        record.person,
        actor,
        f"申诉裁决：{AppealDecision(decision).label}（{final} 分）：{reason}",
        decision=decision,
        points=final,
    )
    return record


@transaction.atomic
def do_finalize_misconduct(record: MisconductRecord, *, actor) -> MisconductRecord:
    """The entry takes effect (生效) with its points — the registered ones, or the
    committee's — and the thresholds the person's period total now reaches are raised."""
    _require(actor, perms.REGISTER_MISCONDUCT, "确认违规登记")
    record = _locked(MisconductRecord, record)
    if actor.pk == record.person_id:
        raise PermissionDenied(
            "不能确认本人的违规登记。", code=QualityErrorCode.CONFLICT_OF_INTEREST
        )
    if record.status not in FINALIZABLE:
        raise IllegalTransition(
            f"该登记{record.get_status_display()}，不能确认生效。", current_state=record.status
        )
    if record.final_points is None:
        record.final_points = record.points
    record.status = MisconductStatus.FINAL
    record.finalized_by, record.finalized_at = actor, timezone.now()
    record.save(update_fields=["status", "final_points", "finalized_by", "finalized_at"])
    log(
        "misconduct",
        record,
        record.person,
        actor,
        f"登记生效，扣 {record.final_points} 分。",
        points=record.final_points,
    )
    raise_consequences(record.person, record.period)
    return record


# --------------------------------------------------------------- points and consequences


def running_points(person, period: str) -> int:
    total = MisconductRecord.objects.filter(
        person=person, period=period, status=MisconductStatus.FINAL
    ).aggregate(total=Sum("final_points"))["total"]
    return points.running_points([total or 0])


def points_by_period(person) -> dict[str, int]:
    rows = (
        MisconductRecord.objects.filter(person=person, status=MisconductStatus.FINAL)
        .values("period")
        .annotate(total=Sum("final_points"))
        .order_by("-period")
    )
    return {row["period"]: row["total"] or 0 for row in rows}


def supervisors_of(person) -> list[Staff]:
    """The person's supervisors: the holders of the escalation right (the branch manager) in
    their branch, else in the nearest branch above; never the person."""
    from lossdesk.quality.deadlines import holding

    staff = Staff.objects.filter(is_active=True).exclude(pk=person.pk)
    branch = person.branch
    while branch is not None:
        found = list(holding(staff, perms.RECEIVE_ESCALATION, branch))
        if found:
            return found
        branch = branch.parent
    return []


def failing_points(day: date) -> int | None:
    """The lowest threshold with a consequence for the person, in effect on `day` (15)."""
    first = (
        PointThreshold.objects.in_effect(day)
        .filter(subject=ConsequenceSubject.PERSON)
        .order_by("points")
        .first()
    )
    return first.points if first else None


def raise_consequences(person, period: str) -> list[Consequence]:
    """The consequences newly raised for `person`'s total in `period`, by the thresholds in
    effect today; running it again raises nothing new (a unique constraint backs this)."""
    total = running_points(person, period)
    thresholds = {t.pk: t for t in PointThreshold.objects.in_effect(timezone.localdate())}
    reached = points.crossed(
        total, [points.Threshold(pk, t.points) for pk, t in thresholds.items()]
    )
    raised = []
    supervisors = None
    for hit in reached:
        threshold = thresholds[hit.key]
        if threshold.subject == ConsequenceSubject.PERSON:
            bearers = [person]
        else:
            supervisors = supervisors_of(person) if supervisors is None else supervisors
            bearers = supervisors
        for bearer in bearers:
            try:
                with transaction.atomic():
                    consequence, created = Consequence.objects.get_or_create(
                        threshold=threshold,
                        about=person,
                        person=bearer,
                        period=period,
                        defaults={"branch": person.branch, "points": total},
                    )
            except IntegrityError:  # raised by a concurrent run meanwhile
                continue
            if created:
                raised.append(consequence)
                log(
                    "consequence",
                    consequence,
                    bearer,
                    None,
                    f"{person} {periods.label(period)}累计扣 {total} 分，"
                    f"达到 {threshold.points} 分："
                    f"{threshold.get_subject_display()}{bearer}{threshold.consequence}。",
                    threshold=threshold.pk,
                    about=person.pk,
                )
    return raised


# ------------------------------------------------------------ evaluation and awards


@transaction.atomic
def do_evaluate_conduct(person, data: dict, *, actor) -> ConductEvaluation:
    """品行评定: the supervisor's result for a person and a half-year that has begun."""
    _require(actor, perms.EVALUATE_CONDUCT, "品行评定")
    errors: dict = {}
    if person.pk == actor.pk:
        raise PermissionDenied("不能评定本人。", code=QualityErrorCode.CONFLICT_OF_INTEREST)
    period = str(data.get("period") or "").strip()
    try:
        start, _ = periods.bounds(period)
    except ValueError:
        errors["period"] = ["考核期格式为 2026H1 或 2026H2。"]
        start = None
    if start and start > timezone.localdate():
        errors["period"] = ["该考核期尚未开始。"]
    result = data.get("result")
    total = running_points(person, period) if start else 0
    if result not in ConductResult.values:
        errors["result"] = ["请选择评定结果。"]
    elif start and result not in points.allowed_results(
        total, failing_points(timezone.localdate())
    ):
        errors["result"] = [
            f"本考核期累计扣 {total} 分，不能评为「{ConductResult(result).label}」。"
        ]
    comment = _text(data, "comment", NOTE_MAX, errors, required="请填写评语。")
    if errors:
        raise _invalid("品行评定有误。", errors)
    if ConductEvaluation.objects.filter(person=person, period=period).exists():
        raise Conflict(
            f"{person} {periods.label(period)}已有品行评定。",
            code=QualityErrorCode.EVALUATION_EXISTS,
        )
    evaluation = ConductEvaluation.objects.create(
        person=person,
        branch=person.branch,
        period=period,
        result=result,
        points=total,
        comment=comment,
        evaluator=actor,
    )
    log(
        "evaluation",
        evaluation,
        person,
        actor,
        f"{periods.label(period)}品行评定：{evaluation.get_result_display()}。",
        result=result,
        points=total,
    )
    return evaluation


@transaction.atomic
def do_grant_award(person, data: dict, *, actor) -> Award:
    _require(actor, perms.GRANT_AWARD, "登记奖励")
    errors: dict = {}
    awarded_on = _date(data.get("awarded_on") or timezone.localdate(), "awarded_on", errors)
    title = _text(data, "title", 100, errors, required="请填写奖励名称。")
    reason = _text(data, "reason", NOTE_MAX, errors, required="请填写事由。")
    if errors:
        raise _invalid("奖励登记有误。", errors)
    award = Award.objects.create(
        person=person,
        branch=person.branch,
        awarded_on=awarded_on,
        title=title,
        reason=reason,
        granted_by=actor,
    )
    log("award", award, person, actor, f"奖励：{title}。")
    return award


# ------------------------------------------------------------------------ complaints


@transaction.atomic
def do_receive_complaint(data: dict, *, actor) -> Complaint:
    """投诉 received from a customer or an insurer, about a case and/or a person."""
    _require(actor, perms.RECEIVE_COMPLAINT, "受理投诉")
    if actor.branch_id is None:
        raise PermissionDenied("您没有所属机构，不能受理投诉。")
    errors: dict = {}
    source = data.get("source")
    if source not in ComplaintSource.values:
        errors["source"] = ["请选择投诉来源。"]
    complainant = _text(data, "complainant", 50, errors, required="请填写投诉人。")
    client = None
    if data.get("client") not in (None, ""):
        key = data["client"]
        client = Client.objects.filter(pk=key).first() if str(key).isdigit() else None
        if client is None:
            errors["client"] = ["保险公司不存在。"]
    case = _scoped_case(data.get("case_no"), actor, errors)
    staff = _scoped_staff(data.get("staff"), "staff", actor, errors, required=False)
    summary = _text(data, "summary", TEXT_MAX, errors, required="请填写投诉内容。")
    if errors:
        raise _invalid("投诉登记有误。", errors)
    branch = staff.branch if staff else case.branch if case else actor.branch
    complaint = Complaint.objects.create(
        branch=branch,
        source=source,
        complainant=complainant,
        client=client,
        case=case,
        staff=staff,
        received_at=timezone.now(),
        summary=summary,
        registered_by=actor,
    )
    log("complaint", complaint, staff, actor, f"受理{complaint.get_source_display()}投诉。")
    return complaint


@transaction.atomic
def do_conclude_complaint(complaint: Complaint, data: dict, *, actor) -> Complaint:
    """办结: substantiated or not, with the conclusion; a substantiated complaint about a
    person may register a misconduct entry at once (item and points given)."""
    _require(actor, perms.CONCLUDE_COMPLAINT, "办结投诉")
    complaint = _locked(Complaint, complaint)
    if complaint.status != ComplaintStatus.RECEIVED:
        raise IllegalTransition("该投诉已办结。", current_state=complaint.status)
    errors: dict = {}
    outcome = data.get("outcome")
    if outcome not in (ComplaintStatus.SUBSTANTIATED, ComplaintStatus.UNSUBSTANTIATED):
        errors["outcome"] = ["请选择属实或不属实。"]
    conclusion = _text(data, "conclusion", NOTE_MAX, errors, required="请填写处理结论。")
    wants_entry = data.get("item") not in (None, "")
    if wants_entry and outcome != ComplaintStatus.SUBSTANTIATED:
        errors["item"] = ["只有属实的投诉才登记违规。"]
    if wants_entry and complaint.staff is None:
        errors["item"] = ["该投诉没有被投诉人，不能登记违规。"]
    if errors:
        raise _invalid("投诉办结有误。", errors)
    if wants_entry:
        complaint.misconduct = do_register_misconduct(
            {
                "person": complaint.staff_id,
                "item": data.get("item"),
                "points": data.get("points"),
                "occurred_on": timezone.localdate(complaint.received_at),
                "description": f"投诉属实：{conclusion}",
                "case_no": complaint.case.case_no if complaint.case else "",
            },
            actor=actor,
        )
    complaint.status, complaint.conclusion = outcome, conclusion
    complaint.concluded_by, complaint.concluded_at = actor, timezone.now()
    complaint.save()
    log(
        "complaint",
        complaint,
        complaint.staff,
        actor,
        f"投诉办结：{complaint.get_status_display()}。",
        outcome=outcome,
        misconduct=complaint.misconduct_id,
    )
    return complaint


# ------------------------------------------------------------------ whistle-blowing


@transaction.atomic
def do_receive_report(data: dict, *, actor) -> WhistleblowerReport:
    _require(actor, perms.RECEIVE_REPORT, "受理举报")
    if actor.branch_id is None:
        raise PermissionDenied("您没有所属机构，不能受理举报。")
    errors: dict = {}
    reporter_name = _text(data, "reporter_name", 50, errors)
    reporter = _scoped_staff(data.get("reporter"), "reporter", actor, errors, required=False)
    subject = _scoped_staff(data.get("subject"), "subject", actor, errors, required=False)
    content = _text(data, "content", TEXT_MAX, errors, required="请填写举报内容。")
    if errors:
        raise _invalid("举报登记有误。", errors)
    report = WhistleblowerReport.objects.create(
        branch=subject.branch if subject else actor.branch,
        reporter_name=reporter_name or (reporter.full_name if reporter else ""),
        reporter=reporter,
        subject=subject,
        content=content,
        received_at=timezone.now(),
        registered_by=actor,
    )
    log("report", report, subject, actor, "受理举报。")
    return report


@transaction.atomic
def do_decide_report(report: WhistleblowerReport, data: dict, *, actor) -> WhistleblowerReport:
    """查处: rewarded (an amount above 0; a reporter of the firm gets an award in their
    credit record), verified without reward, or unfounded — with the reason."""
    _require(actor, perms.DECIDE_REWARD, "决定举报奖励")
    report = _locked(WhistleblowerReport, report)
    if report.status != ReportStatus.RECEIVED:
        raise IllegalTransition("该举报已有处理决定。", current_state=report.status)
    errors: dict = {}
    outcome = data.get("outcome")
    if outcome not in (ReportStatus.REWARDED, ReportStatus.VERIFIED, ReportStatus.UNFOUNDED):
        errors["outcome"] = ["请选择处理决定。"]
    reason = _text(data, "reason", NOTE_MAX, errors, required="请填写查处意见。")
    reward = None
    if outcome == ReportStatus.REWARDED:
        try:
            reward = parse_amount(data.get("reward"), PRICE, field="reward", positive=True)
            reward = reward.quantize(CENT)
        except AmountError as exc:
            errors["reward"] = [exc.message]
    elif data.get("reward") not in (None, ""):
        errors["reward"] = ["只有查实并奖励才填写奖励金额。"]
    if errors:
        raise _invalid("举报处理有误。", errors)
    report.status, report.reward, report.decision_reason = outcome, reward, reason
    report.decided_by, report.decided_at = actor, timezone.now()
    report.save()
    if reward is not None and report.reporter is not None:
        Award.objects.create(
            person=report.reporter,
            branch=report.reporter.branch or actor.branch,
            awarded_on=timezone.localdate(),
            title="举报奖励",
            reason=f"举报查实，奖励 {reward} 元。",
            granted_by=actor,
        )
    log(
        "report",
        report,
        report.subject,
        actor,
        f"举报处理：{report.get_status_display()}" + (f"，奖励 {reward} 元。" if reward else "。"),
        outcome=outcome,
        reward=str(reward) if reward is not None else None,
    )
    return report


# ------------------------------------------------------------------------- look-ups


def visible_records(user):
    """The entries a user sees: those of their scope (with the right), and their own."""
    if not (user and user.is_authenticated):
        return MisconductRecord.objects.none()
    return MisconductRecord.objects.filter(
        Q(pk__in=MisconductRecord.objects.for_user(user).values("pk")) | Q(person=user)
    )


def record_for(user, pk) -> MisconductRecord:
    record = visible_records(user).filter(pk=pk).select_related("person", "item").first()
    if record is None:
        raise NotFound("未找到该违规登记。")
    return record


def person_for(user, pk) -> Staff:
    """A person's quality page: one's own always; another's with the register's right,
    within the data scope over staff."""
    people = Staff.objects.select_related("branch", "position")
    if user.is_authenticated and str(pk) == str(user.pk):
        return people.get(pk=user.pk)
    person = None
    if user.has_perm(perms.VIEW_MISCONDUCT):
        person = people.filter(pk__in=Staff.objects.for_user(user).values("pk"), pk=pk).first()
    if person is None:
        raise NotFound("未找到该人员。")
    return person


def complaint_for(user, pk) -> Complaint:
    found = Complaint.objects.for_user(user).filter(pk=pk).first()
    if found is None:
        raise NotFound("未找到该投诉。")
    return found


def report_for(user, pk) -> WhistleblowerReport:
    found = WhistleblowerReport.objects.for_user(user).filter(pk=pk).first()
    if found is None:
        raise NotFound("未找到该举报。")
    return found


def trail(kind: str, obj):
    """The record's audit trail, oldest first."""
    return QualityEvent.objects.filter(kind=kind, object_id=obj.pk).select_related("actor")
