"""Delegating a case (or one loss item of it) to a branch in another region: request,
accept, refuse, cancel and return."""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lossdesk.claims import workflow
from lossdesk.claims.choices import EventType
from lossdesk.claims.models import Case, LossItem
from lossdesk.claims.services import bump_version, move_case, record_event
from lossdesk.claims.workflow import Action
from lossdesk.core.errors import (
    Conflict,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ServiceError,
)
from lossdesk.intake.choices import (
    ACTIVE_DELEGATION_STATUSES,
    DELEGATION_STATES,
    DISPATCH_STATES,
    INTAKE_CASE_STATES,
    DelegationAction,
    DispatchAction,
    DispatchStatus,
    IntakeCaseAction,
)
from lossdesk.intake.error_codes import IntakeErrorCode
from lossdesk.intake.models import (
    Delegation,
)
from lossdesk.org.models import Branch
from lossdesk.org.positions import CASE_DISPATCH
from lossdesk.org.scoping import covers_branch


def delegation_fee_share() -> Decimal:
    share = Decimal(str(settings.LOSSDESK_DELEGATION_FEE_SHARE)).quantize(Decimal("0.01"))
    if not Decimal("0") <= share <= Decimal("1"):
        raise ServiceError(
            "系统设置 LOSSDESK_DELEGATION_FEE_SHARE 须在 0 到 1 之间。",
            code=IntakeErrorCode.DELEGATION_FEE_SHARE_MISCONFIGURED,
        )
    return share


def _lock_for_delegation(case: Case, actor, expected_version=None) -> Case:
    if not actor.has_perm(CASE_DISPATCH):
        raise PermissionDenied("您的岗位没有「委托异地」权限。")
    locked = (
        Case.objects.for_user(actor)
        .select_for_update(of=("self",))
        .select_related("branch")
        .filter(pk=case.pk)
        .first()
    )
    if locked is None:
        raise NotFound("案件不存在或不在您的数据范围内。")
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            "案件已被他人修改，请刷新后重试。",
            current_state=locked.status,
            current_version=locked.version,
        )
    return locked


def _lock_delegation(delegation: Delegation, actor, expected_version=None):
    case = _lock_for_delegation(delegation.case, actor, expected_version)
    delegation = (
        Delegation.objects.select_for_update(of=("self",))
        .select_related("from_branch", "to_branch", "loss_item")
        .get(pk=delegation.pk)
    )
    return case, delegation


@transaction.atomic
def do_request_delegation(
    case: Case,
    *,
    to_branch: Branch,
    loss_item: LossItem | None = None,
    note: str = "",
    actor,
    expected_version=None,
) -> Delegation:
    """Hand the case (or name one loss item of it) to a branch in another region."""
    case = _lock_for_delegation(case, actor, expected_version)
    if not covers_branch(actor, case.branch):
        raise PermissionDenied("只有承办机构可以发起委托异地。")
    INTAKE_CASE_STATES.check(IntakeCaseAction.DELEGATE, case.status)
    errors = {}
    if to_branch is None or not to_branch.active:
        errors["to_branch"] = ["请选择启用的受托机构。"]
    elif to_branch.pk == case.branch_id:
        errors["to_branch"] = ["不能委托给本机构。"]
    elif to_branch.dispatch_region == case.branch.dispatch_region:
        errors["to_branch"] = ["受托机构与承办机构在同一区域，无需委托异地。"]
    if loss_item is not None and loss_item.case_id != case.pk:
        errors["loss_item"] = ["损失标的不属于本案。"]
    if errors:
        raise ServiceError("委托信息有误。", code=IntakeErrorCode.INVALID_DELEGATION, fields=errors)
    if Delegation.objects.filter(case=case, status__in=ACTIVE_DELEGATION_STATUSES).exists():
        raise IllegalTransition("本案已有进行中的委托，请先撤回。", current_state=case.status)
    delegation = Delegation.objects.create(
        case=case,
        loss_item=loss_item,
        from_branch=case.branch,
        to_branch=to_branch,
        fee_share=delegation_fee_share(),
        note=note.strip()[:300],
        requested_by=actor,
        requested_at=timezone.now(),
    )
    bump_version(case)
    what = f"（{loss_item.label}）" if loss_item else ""
    record_event(
        case,
        EventType.DELEGATION_REQUESTED,
        actor,
        f"委托异地{what}：{case.branch} → {to_branch}，受托机构分成 {delegation.fee_share}",
        delegation=delegation.pk,
        to_branch=to_branch.name,
        fee_share=str(delegation.fee_share),
    )
    return delegation


def _require_receiving(actor, delegation: Delegation) -> None:
    if not covers_branch(actor, delegation.to_branch):
        raise PermissionDenied("只有受托机构可以处理该委托。")


@transaction.atomic
def do_accept_delegation(delegation: Delegation, *, note: str = "", actor) -> Delegation:
    case, delegation = _lock_delegation(delegation, actor)
    _require_receiving(actor, delegation)
    DELEGATION_STATES.move(delegation, DelegationAction.ACCEPT)
    delegation.decided_by = actor
    delegation.decided_at, delegation.decision_note = timezone.now(), note.strip()[:300]
    delegation.save()
    bump_version(case)
    record_event(
        case,
        EventType.DELEGATION_ACCEPTED,
        actor,
        f"{delegation.to_branch} 接收委托，由受托机构调度查勘",
        delegation=delegation.pk,
    )
    return delegation


@transaction.atomic
def do_refuse_delegation(delegation: Delegation, *, reason: str, actor) -> Delegation:
    case, delegation = _lock_delegation(delegation, actor)
    _require_receiving(actor, delegation)
    DELEGATION_STATES.check(DelegationAction.REFUSE, delegation.status)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(
            "拒绝委托须填写原因。",
            code=IntakeErrorCode.REASON_REQUIRED,
            fields={"reason": ["请填写原因。"]},
        )
    DELEGATION_STATES.move(delegation, DelegationAction.REFUSE)
    delegation.decided_by = actor
    delegation.decided_at, delegation.decision_note = timezone.now(), reason[:300]
    delegation.save()
    bump_version(case)
    record_event(
        case,
        EventType.DELEGATION_REFUSED,
        actor,
        f"{delegation.to_branch} 拒绝委托：{delegation.decision_note}",
        delegation=delegation.pk,
        reason=delegation.decision_note,
    )
    return delegation


def _end_delegation(case, delegation, *, action, reason, actor, event, message) -> Delegation:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(
            "请填写原因。",
            code=IntakeErrorCode.REASON_REQUIRED,
            fields={"reason": ["请填写原因。"]},
        )
    DELEGATION_STATES.move(delegation, action)
    delegation.ended_by = actor
    delegation.ended_at, delegation.end_reason = timezone.now(), reason[:300]
    delegation.save()
    # A dispatch to the receiving branch's surveyor not yet accepted goes back to the queue;
    # field work already under way stays with that surveyor.
    pending = case.dispatches.filter(
        status=DispatchStatus.PENDING, surveyor__branch_id=delegation.to_branch_id
    ).first()
    if pending is not None and workflow.allowed_from(Action.DECLINE, case.status):
        DISPATCH_STATES.move(pending, DispatchAction.CANCEL)
        pending.save(update_fields=["status"])
        previous, case.surveyor = case.surveyor_id, None
        move_case(
            case,
            workflow.check(Action.DECLINE, case.status),  # back to the dispatcher's queue
            actor,
            event,
            f"{message}：{delegation.end_reason}；待接单的调度已取消",
            delegation=delegation.pk,
            reason=delegation.end_reason,
            surveyor=[previous, None],
            extra_fields=["surveyor"],
        )
    else:
        bump_version(case)
        record_event(
            case,
            event,
            actor,
            f"{message}：{delegation.end_reason}",
            delegation=delegation.pk,
            reason=delegation.end_reason,
        )
    return delegation


@transaction.atomic
def do_cancel_delegation(delegation: Delegation, *, reason: str, actor) -> Delegation:
    """The delegating branch takes the case back (requested or accepted)."""
    case, delegation = _lock_delegation(delegation, actor)
    if not covers_branch(actor, delegation.from_branch):
        raise PermissionDenied("只有委托机构可以撤回委托。")
    DELEGATION_STATES.check(DelegationAction.CANCEL, delegation.status)
    return _end_delegation(
        case,
        delegation,
        action=DelegationAction.CANCEL,
        reason=reason,
        actor=actor,
        event=EventType.DELEGATION_CANCELLED,
        message=f"{delegation.from_branch} 撤回委托",
    )


@transaction.atomic
def do_return_delegation(delegation: Delegation, *, reason: str, actor) -> Delegation:
    """The receiving branch hands an accepted delegation back."""
    case, delegation = _lock_delegation(delegation, actor)
    _require_receiving(actor, delegation)
    DELEGATION_STATES.check(DelegationAction.RETURN, delegation.status)
    return _end_delegation(
        case,
        delegation,
        action=DelegationAction.RETURN,
        reason=reason,
        actor=actor,
        event=EventType.DELEGATION_RETURNED,
        message=f"{delegation.to_branch} 退回委托",
    )
