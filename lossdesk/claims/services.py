"""Every state change of a case: one function each, `do_<verb>_<noun>(…, *, actor)`, one
transaction that locks the case, checks permission and state, writes the change and its
case event. Callers look cases up through `Case.objects.for_user` first (404 outside scope)."""

import hashlib
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from PIL import Image

from lossdesk.claims import photos, registry, tasks, workflow
from lossdesk.claims.choices import (
    LIABILITY_RATIOS,
    AttachmentKind,
    CancelReason,
    CaseStatus,
    DocumentRequestStatus,
    DocumentType,
    EventType,
    ImageProcessing,
    LossItemStatus,
    ResurveyReason,
    ReviewDecision,
)
from lossdesk.claims.error_codes import CaseErrorCode
from lossdesk.claims.models import (
    AdjustingReport,
    Attachment,
    Case,
    CaseEvent,
    DocumentRequest,
    LossItem,
    PhotoHash,
    Resurvey,
    Review,
    SurveyRecord,
)
from lossdesk.claims.queries import load_to_ones
from lossdesk.claims.signals import case_cancelled, case_closed, report_issued
from lossdesk.claims.workflow import Action
from lossdesk.core.errors import (
    Conflict,
    ErrorCode,
    IllegalTransition,
    Incomplete,
    NotFound,
    PermissionDenied,
    SelfReview,
    ServiceError,
)
from lossdesk.core.numbering import next_number
from lossdesk.core.templatetags.lossdesk_ui import money
from lossdesk.core.uploads import sniff_upload
from lossdesk.org.models import Position, Staff
from lossdesk.org.positions import CASE_SURVEY

# Events recorded inside events_in_one_insert(), written when it ends.
_event_batch: ContextVar[list[CaseEvent] | None] = ContextVar("case_event_batch", default=None)


def record_event(case: Case, type: EventType, actor, message: str, **data) -> CaseEvent:
    event = CaseEvent(case=case, type=type, actor=actor, message=message, data=data)
    batch = _event_batch.get()
    if batch is None:
        event.save()
    else:
        batch.append(event)
    return event


@contextmanager
def events_in_one_insert():
    """Timeline events recorded in the block are written together, in their order, when it
    ends without an error: registering a report records two or three (decision 0010)."""
    batch: list[CaseEvent] = []
    token = _event_batch.set(batch)
    try:
        yield
    finally:
        _event_batch.reset(token)
    CaseEvent.objects.bulk_create(batch)


def lock_case(
    case: Case,
    actor,
    action: Action,
    expected_version: int | None = None,
    *,
    expected_state: str | None = None,
):
    """Re-read the case under a row lock, within the actor's scope, and check that the
    actor may start `action` from its current state. `expected_state` is the state the
    caller said it acts on (e.g. a review level): another state is a conflict.
    Returns (case, target state)."""
    check_permission(actor, action)
    try:
        locked = (
            Case.objects.for_user(actor)
            .select_for_update(of=("self",))
            .select_related("client", "branch")
            .get(pk=case.pk)
        )
    except Case.DoesNotExist:
        raise NotFound("案件不存在或不在您的数据范围内。") from None
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            "案件已被他人修改，请刷新后重试。",
            current_state=locked.status,
            current_version=locked.version,
        )
    if expected_state is not None and locked.status != expected_state:
        current = CaseStatus(locked.status)
        raise Conflict(
            f"案件已不在「{CaseStatus(expected_state).label}」，当前状态为「{current.label}」，"
            "请刷新后重试。",
            current_state=current.value,
            current_version=locked.version,
        )
    return locked, workflow.check(action, locked.status)


def sheet_case_version(expected_version: int | None, expected_sheet_version: int | None):
    """The case version a save of a loss item's sheet checks (decision 0007, amended): none
    when the caller sent the sheet's version (check_sheet_version decides then: a photo or a
    survey saved meanwhile does not refuse the sheet); the case's, as before, from a caller
    that knows only that one."""
    return expected_version if expected_sheet_version is None else None


def check_sheet_version(case: Case, sheet, expected_sheet_version: int | None, label: str):
    """Refuse (409 conflict) a save of `sheet` (a VersionedSheet, None before its first save:
    version 0) that started from another version than the one saved now; None passes (the
    case version was checked). Call it with the loss item's row locked: that lock serialises
    the saves of its sheet. Returns the version the save gives the sheet."""
    current = sheet.version if sheet is not None else 0
    if expected_sheet_version is not None and expected_sheet_version != current:
        raise Conflict(
            f"{label}已被他人修改，请核对后重试。",
            current_state=case.status,
            current_version=case.version,
            current_sheet_version=current,
        )
    return current + 1


def check_permission(actor, action: Action) -> None:
    if not actor.has_perm(workflow.PERMISSIONS[action]):
        raise PermissionDenied(f"您的岗位没有「{workflow.ACTION_LABELS[action]}」权限。")


def move_case(case: Case, target: str, actor, event: EventType, message: str, **data) -> None:
    """Put a locked case (lock_case) in `target`, bump its version and record the event
    with the move; `extra_fields` are saved with it. For the apps' services too."""
    before = case.status
    case.status = target
    case.version += 1
    case.save(update_fields=["status", "version", *data.pop("extra_fields", [])])
    record_event(case, event, actor, message, status=[before, target], **data)


def bump_version(case: Case, *fields: str) -> None:
    """A locked case changed without moving: bump its version (saving `fields` with it)."""
    case.version += 1
    case.save(update_fields=["version", *fields])


@transaction.atomic
def do_save_survey(case: Case, data: dict, *, actor, expected_version=None) -> SurveyRecord:
    case, _ = lock_case(case, actor, Action.SAVE_SURVEY, expected_version)
    _require_surveyor(case, actor)
    data = dict(data)
    data["liability_ratio"] = data.get("liability_ratio") or LIABILITY_RATIOS[data["liability"]]
    record = SurveyRecord.objects.filter(case=case).first()
    before = _snapshot(record, data) if record else {}
    record = record or SurveyRecord(case=case)
    for name, value in data.items():
        setattr(record, name, value)
    record.surveyed_by = actor
    validate_or_raise(record)
    record.save()
    bump_version(case)
    record_event(
        case,
        EventType.SURVEY_SAVED,
        actor,
        "保存查勘记录",
        changes={
            k: [before.get(k), _plain(v)]
            for k, v in data.items()
            if (before.get(k) or None) != (_plain(v) or None)  # "" and None are both blank
        },
    )
    return record


@transaction.atomic
def do_complete_survey(case: Case, *, actor, expected_version=None) -> Case:
    case, target = lock_case(case, actor, Action.COMPLETE_SURVEY, expected_version)
    _require_surveyor(case, actor)
    dispatch = case.dispatches.filter(surveyor=actor, arrived_at__isnull=False).first()
    missing = {}
    if dispatch is None:
        missing["arrived_at"] = ["尚未记录到达现场。"]
    if not SurveyRecord.objects.filter(case=case).exists():
        missing["survey"] = ["尚未填写查勘记录。"]
    if missing:
        raise Incomplete("查勘尚未完成。", fields=missing)
    move_case(case, target, actor, EventType.SURVEY_COMPLETED, "完成查勘，进入定损")
    return case


def _require_surveyor(case: Case, actor) -> None:
    if case.surveyor_id != actor.pk and not actor.has_perm(workflow.PERMISSIONS[Action.DISPATCH]):
        raise PermissionDenied("只有被调度的查勘员可以操作本案查勘。")


def resurvey_surveyors(case: Case):
    """Who may have gone on a re-survey of `case`: the active staff whose position surveys,
    of the case's branch or of its surveyor's (a case delegated to another region is
    surveyed by the receiving branch's people). Its surveyor is one of them."""
    app_label, codename = CASE_SURVEY.split(".")
    surveying = Position.objects.filter(
        permissions__content_type__app_label=app_label, permissions__codename=codename
    )
    surveyors_branch = Staff.objects.filter(pk=case.surveyor_id).values("branch_id")
    return Staff.objects.filter(
        Q(branch_id=case.branch_id) | Q(branch_id__in=surveyors_branch),
        is_active=True,
        position__in=surveying,
    ).order_by("full_name", "pk")


@transaction.atomic
def do_record_resurvey(
    case: Case,
    *,
    arrived_at,
    reason: str,
    note: str = "",
    surveyor_id: int | None = None,
    actor,
    expected_version=None,
) -> Resurvey:
    """Record a visit on site after the completed survey (复勘) by `surveyor_id` (the case's
    surveyor when None), arrived at `arrived_at`. The case stays in its state; the fee
    computed when the report is issued counts the visit (billing)."""
    case, _ = lock_case(case, actor, Action.RECORD_RESURVEY, expected_version)
    note = note.strip()
    surveyor = resurvey_surveyors(case).filter(pk=surveyor_id or case.surveyor_id).first()
    problems: dict[str, list[str]] = {}
    if surveyor is None:
        problems["surveyor"] = ["请选择本案机构（或本案查勘员所在机构）的在职查勘员。"]
    if reason not in ResurveyReason.values:
        problems["reason"] = ["请选择复勘原因。"]
    elif reason == ResurveyReason.OTHER and not note:
        problems["note"] = ["复勘原因为「其他」时须填写说明。"]
    if arrived_at > timezone.now():
        problems["arrived_at"] = ["到达时间不能晚于现在。"]
    completed = (
        case.events.filter(type=EventType.SURVEY_COMPLETED)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    # Typed to the minute: a visit in the minute the survey was completed is not before it.
    if completed is not None and arrived_at < completed.replace(second=0, microsecond=0):
        problems["arrived_at"] = [
            f"到达时间不能早于完成查勘的时间（{timezone.localtime(completed):%Y-%m-%d %H:%M}）。"
        ]
    if (
        surveyor is not None
        and not problems
        and case.resurveys.filter(surveyor=surveyor, arrived_at=arrived_at).exists()
    ):
        problems["arrived_at"] = [f"{surveyor} 在该时间的复勘已经记录过。"]
    if problems:
        raise ServiceError("复勘信息有误。", code=CaseErrorCode.INVALID_RESURVEY, fields=problems)
    resurvey = Resurvey.objects.create(
        case=case,
        surveyor=surveyor,
        arrived_at=arrived_at,
        reason=reason,
        note=note,
        recorded_by=actor,
    )
    bump_version(case)
    data = {"resurvey": resurvey.pk, "surveyor": surveyor.pk, "reason": reason}
    if note:
        data["note"] = note
    record_event(
        case,
        EventType.RESURVEY_RECORDED,
        actor,
        f"记录复勘：{surveyor} {timezone.localtime(arrived_at):%Y-%m-%d %H:%M} 到达现场",
        **data,
    )
    return resurvey


def _plain(value):
    if isinstance(value, Decimal | date):
        return str(value)
    return getattr(value, "pk", value)


def _snapshot(obj, data: dict) -> dict:
    return {k: _plain(getattr(obj, k, None)) for k in data}


def do_add_attachment(
    case: Case,
    upload,
    *,
    kind: str,
    doc_type: str,
    loss_item: LossItem | None = None,
    idempotency_key: str | None = None,
    actor,
) -> Attachment:
    """Store a photo or document through the default storage, under the type its content
    has (core.uploads): photos are JPEG/PNG/WebP/HEIC images, documents those or PDF. An
    image also gets its EXIF read and the findings that need only the EXIF; its watermarked
    display copy and thumbnail, and a photo's perceptual hash and near-duplicate finding,
    are made by a background task enqueued with the row (claims.tasks.process_image,
    decision 0019): `processing` says where they stand.

    With `idempotency_key` (decision 0015): the attachment already stored in the case under
    that key is answered again (`.replayed` set) when the bytes are the same, a Conflict
    when they are not; a concurrent request with the key makes no second one. Nothing of a
    refused or failed upload stays behind: no row, no file. (The declared action looks for
    a replay before the case version too; here it is looked for under the case's lock.)"""
    # The file is read before the case is locked: a phone sending several photos of one
    # case at once waits on the lock only for the writes.
    check_permission(actor, Action.ADD_ATTACHMENT)
    if kind not in AttachmentKind.values or doc_type not in DocumentType.values:
        raise ServiceError(
            "附件类别无效。",
            code=CaseErrorCode.INVALID_DOCUMENT_TYPE,
            fields={"doc_type": ["请选择资料类型。"]},
        )
    sniffed = sniff_upload(
        upload,
        max_bytes=settings.LOSSDESK_MAX_ATTACHMENT_SIZE,
        allow_pdf=kind != AttachmentKind.PHOTO,
    )
    exif = _read_image(sniffed) if sniffed.width is not None else None
    try:
        return _store_attachment(
            case,
            upload,
            sniffed,
            exif,
            kind=kind,
            doc_type=doc_type,
            loss_item=loss_item,
            idempotency_key=idempotency_key,
            actor=actor,
        )
    except IntegrityError:
        # The same key stored by a concurrent request between our look-up and our insert.
        replay = replayed_attachment(case, upload, idempotency_key) if idempotency_key else None
        if replay is None:
            raise
        return replay


def replayed_attachment(case: Case, upload, key: str) -> Attachment | None:
    existing = Attachment.objects.filter(case=case, idempotency_key=key).first()
    if existing is None:
        return None
    upload.seek(0)
    digest = hashlib.file_digest(upload, "sha256").hexdigest()
    upload.seek(0)
    if digest != existing.sha256:
        message = "该幂等键（Idempotency-Key）已用于另一个文件，请为新照片生成新的键。"
        raise Conflict(
            message,
            code=CaseErrorCode.IDEMPOTENCY_KEY_REUSED,
            attachment=existing.pk,
        )
    existing.replayed = True
    return existing


@transaction.atomic
def _store_attachment(
    case, upload, sniffed, exif, *, kind, doc_type, loss_item, idempotency_key, actor
) -> Attachment:
    case, _ = lock_case(case, actor, Action.ADD_ATTACHMENT)
    if (
        idempotency_key
        and (replay := replayed_attachment(case, upload, idempotency_key)) is not None
    ):
        return replay  # stored by a concurrent request while we waited for the lock
    if loss_item is not None and loss_item.case_id != case.pk:
        raise ServiceError(
            "损失标的不属于本案。",
            code=CaseErrorCode.LOSS_ITEM_NOT_IN_CASE,
            fields={"loss_item": ["损失标的不属于本案。"]},
        )
    attachment = Attachment(
        case=case,
        loss_item=loss_item,
        kind=kind,
        doc_type=doc_type,
        original_name=(upload.name or "upload")[:200],
        content_type=sniffed.content_type,
        size=len(sniffed.content),
        sha256=hashlib.sha256(sniffed.content).hexdigest(),
        width=sniffed.width,
        height=sniffed.height,
        uploaded_by=actor,
        idempotency_key=idempotency_key or None,
    )
    if exif is not None:
        attachment.taken_at, attachment.device, attachment.exif = (
            exif.taken_at,
            exif.device,
            exif.raw,
        )
        attachment.latitude, attachment.longitude = exif.latitude, exif.longitude
        attachment.processing = ImageProcessing.PENDING
        if kind == AttachmentKind.PHOTO:
            attachment.checks = photos.check_photo(exif, case.report)
    with files_removed_on_error(attachment):
        stored = sniffed.as_file()
        attachment.file.save(stored.name, stored, save=False)
        attachment.save()
        bump_version(case)
        record_event(
            case,
            EventType.ATTACHMENT_ADDED,
            actor,
            f"上传{attachment.get_kind_display()}：{attachment.get_doc_type_display()}",
            attachment=attachment.pk,
            name=attachment.original_name,
        )
        # In the transaction: a database queue commits the task with the row (and drops it
        # with a rolled-back one); the inline backend runs it here, as before decision 0019,
        # and the copies it made are then this upload's to remove should the transaction fail.
        if exif is not None and tasks.process_image.enqueue(attachment.pk).is_finished:
            attachment.refresh_from_db()
    return attachment


def _read_image(sniffed) -> "photos.PhotoExif":
    try:
        return photos.read_photo(sniffed.content, sniffed.content_type)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise ServiceError(
            DAMAGED_IMAGE, code=CaseErrorCode.DAMAGED_IMAGE, fields={"file": [DAMAGED_IMAGE]}
        ) from None


DAMAGED_IMAGE = "图片不完整或已损坏，请重新上传。"


def make_image_copies(attachment_id: int) -> str:
    """Make an image attachment's watermarked display copy and thumbnail and, for a photo,
    its perceptual hash, the near-duplicate search and the findings again with it
    (claims.tasks.process_image). Safe to run again: a ready attachment is left alone, two
    runs at once store one result (the row is locked and looked at again before writing),
    and what fails leaves the original and `processing` failed with the reason."""
    attachment = (
        Attachment.objects.select_related("case__report", "uploaded_by")
        .filter(pk=attachment_id)
        .first()
    )
    if attachment is None or attachment.processing == ImageProcessing.READY:
        return "nothing to do"
    case = attachment.case
    surveyor = attachment.uploaded_by.full_name or attachment.uploaded_by.username
    # A storage that cannot give the original back is the task's failure (to try again),
    # not the picture's.
    with attachment.file.open("rb") as original:
        content = original.read()
    try:
        prepared = photos.prepare_photo(
            content,
            lambda exif: photos.watermark_lines(
                case, exif, surveyor, case.report.accident_place, attachment.uploaded_at
            ),
        )
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        Attachment.objects.filter(pk=attachment.pk).exclude(
            processing=ImageProcessing.READY
        ).update(
            processing=ImageProcessing.FAILED,
            processing_error="图片不完整或已损坏，无法生成展示图和缩略图；原图已保存。",
        )
        return "failed"
    photo = attachment.kind == AttachmentKind.PHOTO
    with transaction.atomic():
        current = Attachment.objects.select_for_update().get(pk=attachment.pk)
        if current.processing == ImageProcessing.READY:
            return "nothing to do"  # a run beside this one finished first
        with files_removed_on_error(current, COPY_FIELDS):
            current.display.save("display.jpg", ContentFile(prepared.display), save=False)
            current.thumbnail.save("thumb.jpg", ContentFile(prepared.thumbnail), save=False)
            current.processing, current.processing_error = ImageProcessing.READY, ""
            if photo:
                duplicate = photos.nearest_in_other_cases(prepared.phash, case.pk)
                current.checks = photos.check_photo(prepared.exif, case.report, duplicate)
                current.duplicate_of = duplicate[0] if duplicate else None
                PhotoHash.objects.update_or_create(
                    attachment=current, defaults=photos.hash_fields(prepared.phash)
                )
            current.save(
                update_fields=[
                    "display",
                    "thumbnail",
                    "processing",
                    "processing_error",
                    "checks",
                    "duplicate_of",
                ]
            )
    return "ready"


FILE_FIELDS = ("file", "display", "thumbnail")
COPY_FIELDS = ("display", "thumbnail")


def stored_files(attachment: Attachment, fields=FILE_FIELDS) -> list:
    return [f for f in (getattr(attachment, name) for name in fields) if f]


def delete_stored_files(attachments, fields=FILE_FIELDS) -> None:
    """Remove the files of attachments whose rows a failed transaction took back."""
    for attachment in attachments:
        for stored in stored_files(attachment, fields):
            stored.storage.delete(stored.name)


@contextmanager
def files_removed_on_error(attachment: Attachment, fields=FILE_FIELDS):
    """The files written in the block are deleted again when it raises: the row goes with
    the rolled-back transaction, so must they (no orphan file). The background task names
    only the copies it writes: the original stays whatever happens to them."""
    try:
        yield
    except BaseException:
        delete_stored_files([attachment], fields)
        raise


def recompute_assessed_amount(case: Case) -> Decimal:
    """The sum of every loss line's assessed amounts over the case's live loss items."""
    items = case.loss_items.exclude(status=LossItemStatus.CANCELLED)
    total = sum(
        (line.total(items.filter(kind__in=line.kinds)) for line in registry.loss_lines()),
        Decimal("0.00"),
    )
    return total.quantize(Decimal("0.01"))


@transaction.atomic
def do_submit_for_review(case: Case, *, actor, expected_version=None) -> Case:
    """Hands in every loss item a loss line assesses; each must be assessed by its line's
    rule, and a case needs at least one item of a line that demands one (the vehicle)."""
    case, target = lock_case(case, actor, Action.SUBMIT_FOR_REVIEW, expected_version)
    items = list(case.loss_items.select_related(*registry.document_select_related()))
    assessed = []
    missing = {}
    for item in items:
        if (line := registry.line_for(item.kind)) is None:
            continue
        assessed.append(item)
        if (reason := line.unassessed(item)) is not None:
            missing[f"loss_items.{item.seq}"] = [reason]
    for line in registry.loss_lines():
        if line.missing_message and not any(item.kind in line.kinds for item in items):
            missing.setdefault("loss_items", []).append(line.missing_message)
    if missing:
        raise Incomplete("还有损失标的未定损，不能提交审核。", fields=missing)
    items_submitted = LossItem.objects.filter(pk__in=[i.pk for i in assessed])
    workflow.LOSS_ITEM_STATES.move_all(items_submitted, workflow.ItemAction.SUBMIT)
    case.assessed_amount = recompute_assessed_amount(case)
    move_case(
        case,
        target,
        actor,
        EventType.SUBMITTED_FOR_REVIEW,
        f"提交审核，定损金额 {money(case.assessed_amount)} 元",
        amount=str(case.assessed_amount),
        extra_fields=["assessed_amount"],
    )
    return case


def review_refusal(case: Case, actor) -> ServiceError | None:
    """Why `actor` may not give the review `case` waits for now, or None when they may: the
    one rule behind the service (under the row lock) and the pages that offer the form.
    It reads the case's loss items, their documents and reviews where the caller holds them
    (the detail and the case page have them loaded), else reads them."""
    if case.status not in workflow.REVIEW_LEVELS:
        try:
            workflow.check(Action.REVIEW, case.status)
        except IllegalTransition as exc:
            return exc
    level = workflow.REVIEW_LEVELS[case.status]
    action = workflow.REVIEW_ACTIONS[level]
    if not actor.has_perm(workflow.PERMISSIONS[action]):
        return PermissionDenied(f"您的岗位没有「{workflow.ACTION_LABELS[action]}」权限。")
    prepared, last_submission = _review_trail(case, actor)
    if prepared:
        return SelfReview("不能审核自己编制或提交的定损单。")
    if level == 2 and any(
        review.level == 1
        and review.decision == ReviewDecision.APPROVED
        and review.reviewer_id == actor.pk
        and review.created_at >= last_submission
        for review in case.reviews.all()
    ):
        return SelfReview("二级审核须由一级审核以外的人员进行。")
    return None


def _review_trail(case: Case, actor) -> tuple[bool, datetime | None]:
    """Whether `actor` submitted the case or prepared the document of a loss item under
    review, by the timeline (a later save by someone else does not wash the earlier one
    out), and when the case was last submitted (its opening time if never): one look at
    the timeline, whatever the lines."""
    numbers = []
    under_review = [i for i in case.loss_items.all() if i.status == LossItemStatus.SUBMITTED]
    for line in registry.loss_lines():
        mine = [item for item in under_review if item.kind in line.kinds]
        document = LossItem._meta.get_field(line.document)
        if unread := [item for item in mine if not document.is_cached(item)]:
            load_to_ones(unread, [line.document])
        for item in mine:
            if (sheet := document.get_cached_value(item)) is None:
                continue
            if sheet.assessor_id == actor.pk:  # its assessor now
                return True, None
            if number := getattr(sheet, line.number_field):
                numbers.append(number)
    # A submission hands in every assessed loss item of the case, so it covers them all;
    # anyone who ever saved a document under review prepared it (its save events name it).
    trail = case.events.filter(
        Q(type=EventType.SUBMITTED_FOR_REVIEW)
        | Q(type=EventType.SHEET_SAVED, data__sheet__in=numbers, actor=actor)
    ).values_list("type", "actor_id", "created_at")
    last_submission = None
    for type_, actor_id, created_at in trail.order_by("-id"):
        if actor_id == actor.pk:
            return True, None
        if last_submission is None and type_ == EventType.SUBMITTED_FOR_REVIEW:
            last_submission = created_at
    return False, last_submission or case.opened_at


@transaction.atomic
def do_review_case(
    case: Case,
    *,
    decision: str,
    reason: str = "",
    level: int | None = None,
    actor,
    expected_version=None,
) -> Review:
    """Level 1 or level 2 review. The caller states the level it acts on (pages and the API
    must, or carry the version); another level under the row lock is a conflict, so one
    reviewer's level-1 decision never lands on level 2. Approval above the client's
    threshold at level 1 sends the case to level 2; a return sends it back to assessment."""
    if level is not None and level not in workflow.REVIEW_STATES:
        raise ServiceError(
            "审核级别无效。",
            code=CaseErrorCode.INVALID_REVIEW_LEVEL,
            fields={"level": ["审核级别须为 1 或 2。"]},
        )
    expected_state = workflow.REVIEW_STATES.get(level) if level else None
    if level is None:
        # Internal callers: the level the case is at now; the lock below still refuses a
        # case that moved on in between (illegal transition), it never switches levels.
        current = Case.objects.filter(pk=case.pk).values_list("status", flat=True).first()
        level = workflow.REVIEW_LEVELS.get(current, 1)
    case, _ = lock_case(
        case,
        actor,
        workflow.REVIEW_ACTIONS[level],
        expected_version,
        expected_state=expected_state,
    )
    if decision not in ReviewDecision.values:
        raise ServiceError(
            "审核结论无效。",
            code=CaseErrorCode.INVALID_DECISION,
            fields={"decision": ["请选择通过或退回。"]},
        )
    if decision == ReviewDecision.RETURNED and not reason.strip():
        raise ServiceError(
            "退回须填写原因。",
            code=CaseErrorCode.REASON_REQUIRED,
            fields={"reason": ["退回须填写原因。"]},
        )
    if (refusal := review_refusal(case, actor)) is not None:
        raise refusal
    review = Review.objects.create(
        case=case,
        level=level,
        decision=decision,
        reason=reason.strip(),
        amount=case.assessed_amount,
        reviewer=actor,
    )
    if decision == ReviewDecision.RETURNED:
        workflow.LOSS_ITEM_STATES.move_all(case.loss_items.all(), workflow.ItemAction.RETURN)
        move_case(
            case,
            CaseStatus.ASSESSING,
            actor,
            EventType.REVIEW_RETURNED,
            f"{level}级审核退回：{review.reason}",
            level=level,
            reason=review.reason,
        )
    elif level == 1 and case.assessed_amount > case.client.second_review_threshold:
        threshold = money(case.client.second_review_threshold)
        move_case(
            case,
            CaseStatus.IN_SECOND_REVIEW,
            actor,
            EventType.REVIEW_APPROVED,
            f"一级审核通过；金额 {money(case.assessed_amount)} 元超过 {threshold} 元，转二级审核",
            level=level,
            amount=str(case.assessed_amount),
        )
    else:
        workflow.LOSS_ITEM_STATES.move_all(case.loss_items.all(), workflow.ItemAction.APPROVE)
        case.approved_amount = case.assessed_amount
        move_case(
            case,
            CaseStatus.APPROVED,
            actor,
            EventType.REVIEW_APPROVED,
            f"{level}级审核通过，核定金额 {money(case.approved_amount)} 元",
            level=level,
            amount=str(case.approved_amount),
            extra_fields=["approved_amount"],
        )
    return review


@transaction.atomic
def do_request_documents(
    case: Case, *, items: str, due_date: date | None = None, actor, expected_version=None
) -> DocumentRequest:
    case, target = lock_case(case, actor, Action.REQUEST_DOCUMENTS, expected_version)
    if not items.strip():
        raise ServiceError(
            "请填写所需资料。",
            code=CaseErrorCode.ITEMS_REQUIRED,
            fields={"items": ["请填写所需资料。"]},
        )
    if due_date is not None and due_date < timezone.localdate():
        raise ServiceError(
            "截止日期不能早于今天。",
            code=CaseErrorCode.DUE_DATE_IN_PAST,
            fields={"due_date": ["截止日期不能早于今天。"]},
        )
    request = DocumentRequest.objects.create(
        case=case, items=items.strip(), due_date=due_date, requested_by=actor
    )
    if case.status != CaseStatus.AWAITING_DOCUMENTS:
        case.resume_status = case.status
        move_case(
            case,
            target,
            actor,
            EventType.DOCUMENTS_REQUESTED,
            f"资料补充：{request.items}",
            request=request.pk,
            extra_fields=["resume_status"],
        )
    else:
        bump_version(case)
        record_event(
            case,
            EventType.DOCUMENTS_REQUESTED,
            actor,
            f"资料补充：{request.items}",
            request=request.pk,
        )
    return request


@transaction.atomic
def do_fulfil_document_request(request: DocumentRequest, *, note: str = "", actor) -> Case:
    case, _ = lock_case(request.case, actor, Action.FULFIL_DOCUMENTS)
    request = DocumentRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != DocumentRequestStatus.OPEN:
        raise Conflict("该资料补充已处理。", current_state=request.status)
    request.status = DocumentRequestStatus.FULFILLED
    request.fulfilled_by = actor
    request.fulfilled_at = timezone.now()
    request.fulfil_note = note.strip()
    request.save()
    message = f"资料补齐：{request.items}"
    if case.document_requests.filter(status=DocumentRequestStatus.OPEN).exists():
        bump_version(case)
        record_event(case, EventType.DOCUMENTS_FULFILLED, actor, message, request=request.pk)
    else:
        target, case.resume_status = case.resume_status, ""
        move_case(
            case,
            target,
            actor,
            EventType.DOCUMENTS_FULFILLED,
            message + "，案件恢复处理",
            request=request.pk,
            extra_fields=["resume_status"],
        )
    return case


@transaction.atomic
def do_issue_report(case: Case, *, actor, expected_version=None) -> AdjustingReport:
    from lossdesk.claims.pdf import render_adjusting_report

    case, target = lock_case(case, actor, Action.ISSUE_REPORT, expected_version)
    now = timezone.now()
    report = AdjustingReport(
        case=case,
        report_no=next_number("GB"),
        amount=case.approved_amount,
        issued_by=actor,
        issuing_branch=actor.branch or case.branch,
        issued_at=now,
    )
    report.file.save(
        f"{report.report_no}.pdf", ContentFile(render_adjusting_report(case, report)), save=False
    )
    report.save()
    move_case(
        case,
        target,
        actor,
        EventType.REPORT_ISSUED,
        f"出具公估报告 {report.report_no}，核定金额 {money(report.amount)} 元",
        report_no=report.report_no,
    )
    report_issued.send(Case, case=case, report=report, actor=actor)
    return report


@transaction.atomic
def do_close_case(case: Case, *, actor, expected_version=None) -> Case:
    case, target = lock_case(case, actor, Action.CLOSE, expected_version)
    case.closed_at = timezone.now()
    move_case(case, target, actor, EventType.CLOSED, "结案", extra_fields=["closed_at"])
    transaction.on_commit(lambda: case_closed.send(Case, case=case), robust=True)
    return case


@transaction.atomic
def do_cancel_case(
    case: Case, *, reason: str, note: str = "", actor, expected_version=None
) -> Case:
    case, target = lock_case(case, actor, Action.CANCEL, expected_version)
    if not workflow.may_act_for_branch(actor, Action.CANCEL, case):
        raise PermissionDenied("只有案件所属机构可以注销本案，受托机构不能注销委托来的案件。")
    if reason not in CancelReason.values:
        raise ServiceError(
            "注销原因无效。",
            code=CaseErrorCode.INVALID_CANCEL_REASON,
            fields={"reason": ["请选择注销原因。"]},
        )
    if reason == CancelReason.OTHER and not note.strip():
        raise ServiceError(
            "选择「其他」时须填写说明。",
            code=CaseErrorCode.NOTE_REQUIRED,
            fields={"note": ["请填写注销说明。"]},
        )
    # Inside the transaction: what other apps undo (dispatches) goes with the case or not at all.
    case_cancelled.send(Case, case=case, actor=actor)
    workflow.LOSS_ITEM_STATES.move_all(case.loss_items.all(), workflow.ItemAction.CANCEL)
    case.cancel_reason, case.cancel_note = reason, note.strip()
    case.closed_at = timezone.now()
    case.resume_status = ""
    move_case(
        case,
        target,
        actor,
        EventType.CANCELLED,
        f"注销：{CancelReason(reason).label}{'，' + case.cancel_note if case.cancel_note else ''}",
        reason=reason,
        extra_fields=["cancel_reason", "cancel_note", "closed_at", "resume_status"],
    )
    return case


def validate_or_raise(instance) -> None:
    """full_clean → ServiceError with the field messages (never a 500)."""
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise ServiceError(
            "输入有误，请检查字段。", code=ErrorCode.INVALID, fields=exc.message_dict
        ) from exc
