"""Intake's case actions (claims.actions): dispatch, accept, decline, arrival, and
delegation to a branch in another region with its answers. Registered with claims through
intake.registration; their panels come first on the case page.

Delegation has its own API resource (/cases/{case_no}/delegations, and
/delegations/{id}/{verb} for the answers): its views in intake.api.views run these same
declarations."""

from lossdesk.claims.actions import CaseAction
from lossdesk.claims.workflow import Action
from lossdesk.core.errors import NotFound, ServiceError
from lossdesk.intake.api import serializers as s
from lossdesk.intake.choices import ACTIVE_DISPATCH_STATUSES, DelegationStatus
from lossdesk.intake.error_codes import IntakeErrorCode
from lossdesk.intake.forms import DeclineForm, DelegationRequestForm, DispatchForm, ReasonForm
from lossdesk.intake.models import Delegation
from lossdesk.intake.services.delegation import (
    do_accept_delegation,
    do_cancel_delegation,
    do_refuse_delegation,
    do_request_delegation,
    do_return_delegation,
)
from lossdesk.intake.services.dispatch import (
    do_accept_dispatch,
    do_decline_dispatch,
    do_dispatch_case,
    do_record_arrival,
)
from lossdesk.org.models import Branch, Staff
from lossdesk.org.positions import CASE_DISPATCH
from lossdesk.org.scoping import covers_branch


def _active_dispatch(case):
    """The active dispatch from the prefetched list when there is one (no extra query)."""
    cache = getattr(case, "_prefetched_objects_cache", {}).get("dispatches")
    dispatches = cache if cache is not None else case.dispatches.all()
    return next((d for d in dispatches if d.status in ACTIVE_DISPATCH_STATUSES), None)


class DispatchCase(CaseAction):
    actions = (Action.DISPATCH,)
    title = "调度查勘员"
    page_name, page_path = "intake:case-dispatch", "dispatch/"
    api_name, api_path = "case-dispatch", "dispatch"
    form, serializer = DispatchForm, s.DispatchInputSerializer
    primary = True
    submit_label = "调度"
    template_name = "intake/dispatch_page.html"
    form_template = "intake/includes/dispatch_form.html"
    keeps_input = True

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        surveyor = Staff.objects.filter(pk=data["surveyor"], is_active=True).first()
        if surveyor is None:
            message = "请选择本机构在职查勘员。"
            raise ServiceError(
                "所选人员不是本机构在职查勘员。",
                code=IntakeErrorCode.SURVEYOR_NOT_DISPATCHABLE,
                fields={"surveyor": [message]},
            )
        return do_dispatch_case(
            case,
            surveyor=surveyor,
            note=data["note"],
            override_reason=data["override_reason"],
            actor=actor,
            expected_version=version,
        )

    @classmethod
    def message(cls, case, result):
        return f"已调度查勘员 {result.surveyor}。"


class AcceptDispatch(CaseAction):
    actions = (Action.ACCEPT,)
    title = "接受调度"
    done = "已接单，请尽快前往现场。"
    page_name, page_path = "intake:case-accept", "accept/"
    api_name, api_path = "case-accept", "accept"
    surveyor_only = True
    submit_label = "接单"
    button_class = "btn-success"

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        return do_accept_dispatch(case, actor=actor, expected_version=version)


class DeclineDispatch(CaseAction):
    actions = (Action.DECLINE,)
    title = "拒单"
    done = "已拒单，案件已退回调度员重新调度。"
    page_name, page_path = "intake:case-decline", "decline/"
    api_name, api_path = "case-decline", "decline"
    api_summary = "拒绝调度（退回调度队列）"
    api_description = "案件退回调度队列后查勘员不再能看到该案件，故返回被拒的调度记录而非案件详情。"
    api_responses = {200: s.DeclinedSerializer}
    form, serializer = DeclineForm, s.DeclineInputSerializer
    surveyor_only = True
    leaves_scope = True
    submit_label = "拒单"
    button_class = "btn-outline-danger"
    keeps_input = True

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        return do_decline_dispatch(
            case, reason=data["reason"], actor=actor, expected_version=version
        )

    @classmethod
    def api_answer(cls, result, context):
        body = {"case_no": result.case.case_no, "status": "registered", "dispatch": result}
        return s.DeclinedSerializer(body).data, 200


class RecordArrival(CaseAction):
    actions = (Action.RECORD_ARRIVAL,)
    title = "到达现场"
    done = "已记录到达现场时间。"
    page_name, page_path = "intake:case-arrival", "arrival/"
    api_name, api_path = "case-arrival", "arrival"
    surveyor_only = True
    submit_label = "到达现场"

    @classmethod
    def visible(cls, user, case, actions, target=None):
        if not super().visible(user, case, actions, target):
            return False
        dispatch = _active_dispatch(case)
        return dispatch is not None and dispatch.arrived_at is None

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        return do_record_arrival(case, actor=actor, expected_version=version)


# --- delegation --------------------------------------------------------------------------


def can_request_delegation(user, case, delegations=None) -> bool:
    if not user.has_perm(CASE_DISPATCH) or case.status in ("closed", "cancelled"):
        return False
    if not covers_branch(user, case.branch):
        return False
    delegations = delegations if delegations is not None else list(case.delegations.all())
    return not any(d.is_active for d in delegations)


def delegation_verbs(user, delegation) -> list[str]:
    """What the user may do with the delegation now (buttons on the case page)."""
    if not user.has_perm(CASE_DISPATCH):
        return []
    verbs = []
    receiving = covers_branch(user, delegation.to_branch)
    delegating = covers_branch(user, delegation.from_branch)
    if delegation.status == DelegationStatus.REQUESTED and receiving:
        verbs += ["accept", "refuse"]
    if delegation.status == DelegationStatus.ACCEPTED and receiving:
        verbs.append("return")
    if delegation.is_active and delegating:
        verbs.append("cancel")
    return verbs


class RequestDelegation(CaseAction):
    title = "委托异地"
    page_name, page_path = "intake:case-delegate", "delegate/"
    form, serializer = DelegationRequestForm, s.DelegationInputSerializer
    panel = False  # offered on the delegation card
    submit_label = "发起委托"
    keeps_input = True

    @classmethod
    def visible(cls, user, case, actions, target=None):
        return can_request_delegation(user, case)

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        to_branch = Branch.objects.filter(pk=data["to_branch"]).first()
        if to_branch is None:
            raise ServiceError(
                "受托机构不存在。",
                code=IntakeErrorCode.INVALID_DELEGATION,
                fields={"to_branch": ["受托机构不存在。"]},
            )
        loss_item = None
        if data.get("loss_item") is not None:
            loss_item = case.loss_items.filter(seq=data["loss_item"]).first()
            if loss_item is None:
                message = "本案没有该序号的损失标的。"
                raise ServiceError(
                    message,
                    code=IntakeErrorCode.INVALID_DELEGATION,
                    fields={"loss_item": [message]},
                )
        return do_request_delegation(
            case,
            to_branch=to_branch,
            loss_item=loss_item,
            note=data["note"],
            actor=actor,
            expected_version=version,
        )

    @classmethod
    def message(cls, case, result):
        return f"已委托 {result.to_branch}，等待对方接收。"


class AnswerDelegation(CaseAction):
    """Accept / refuse / cancel / return one delegation of the case, by its id."""

    verb = ""
    form, serializer = ReasonForm, s.ReasonSerializer
    panel = False  # offered beside each delegation on the case page
    leaves_scope = True
    keeps_input = True  # the note or reason typed

    @classmethod
    def visible(cls, user, case, actions, target=None):
        return target is not None and cls.verb in delegation_verbs(user, target)

    @classmethod
    def target(cls, case, pk):
        delegation = (
            Delegation.objects.select_related("case", "from_branch", "to_branch")
            .filter(pk=pk, case=case)
            .first()
        )
        if delegation is None:
            raise NotFound("委托不存在。")
        return delegation


class AcceptDelegation(AnswerDelegation):
    verb, title, submit_label = "accept", "接收委托", "接收"
    page_name, page_path = "intake:case-delegation-accept", "delegations/<int:pk>/accept/"
    button_class = "btn-success"

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        return do_accept_delegation(target, note=data["reason"], actor=actor)

    @classmethod
    def message(cls, case, result):
        return f"已接收委托，请由 {result.to_branch} 调度查勘。"


class RefuseDelegation(AnswerDelegation):
    verb, title, submit_label, done = "refuse", "拒绝委托", "拒绝", "已拒绝委托。"
    page_name, page_path = "intake:case-delegation-refuse", "delegations/<int:pk>/refuse/"

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        return do_refuse_delegation(target, reason=data["reason"], actor=actor)


class CancelDelegation(AnswerDelegation):
    verb, title, submit_label, done = "cancel", "撤回委托", "撤回", "已撤回委托。"
    page_name, page_path = "intake:case-delegation-cancel", "delegations/<int:pk>/cancel/"

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        return do_cancel_delegation(target, reason=data["reason"], actor=actor)


class ReturnDelegation(AnswerDelegation):
    verb, title, submit_label, done = "return", "退回委托", "退回", "已退回委托。"
    page_name, page_path = "intake:case-delegation-return", "delegations/<int:pk>/return/"

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        return do_return_delegation(target, reason=data["reason"], actor=actor)


DELEGATION_ANSWERS = {
    action.verb: action
    for action in (AcceptDelegation, RefuseDelegation, CancelDelegation, ReturnDelegation)
}

INTAKE_ACTIONS = (
    DispatchCase,
    AcceptDispatch,
    DeclineDispatch,
    RecordArrival,
    RequestDelegation,
    *DELEGATION_ANSWERS.values(),
)
