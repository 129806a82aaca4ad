"""The case state machine: which action moves a case from which states to which state, and
which permission each action needs; and the loss items' own. Both are core.statemachine
tables. Services are the only callers; docs/lifecycle.md draws them."""

from enum import StrEnum

from lossdesk.claims.choices import CaseStatus as S
from lossdesk.claims.choices import LossItemStatus
from lossdesk.core.statemachine import StateMachine
from lossdesk.org import positions as P
from lossdesk.org.scoping import covers_branch


class Action(StrEnum):
    DISPATCH = "dispatch"
    ACCEPT = "accept"
    DECLINE = "decline"
    RECORD_ARRIVAL = "record_arrival"
    SAVE_SURVEY = "save_survey"
    COMPLETE_SURVEY = "complete_survey"
    RECORD_RESURVEY = "record_resurvey"
    ADD_ATTACHMENT = "add_attachment"
    SAVE_SHEET = "save_sheet"
    SUBMIT_FOR_REVIEW = "submit_for_review"
    REVIEW = "review"
    SECOND_REVIEW = "second_review"
    REQUEST_DOCUMENTS = "request_documents"
    FULFIL_DOCUMENTS = "fulfil_documents"
    ISSUE_REPORT = "issue_report"
    CLOSE = "close"
    CANCEL = "cancel"


OPEN_STATES = frozenset(S) - {S.CLOSED, S.CANCELLED}
_WORKING = frozenset({S.SURVEYING, S.ASSESSING, S.IN_REVIEW, S.IN_SECOND_REVIEW, S.APPROVED})

# action: (states it may start from, state it leads to; None = stays / decided by the service)
TRANSITIONS: dict[Action, tuple[frozenset[S], S | None]] = {
    Action.DISPATCH: (frozenset({S.REGISTERED, S.DISPATCHED}), S.DISPATCHED),
    Action.ACCEPT: (frozenset({S.DISPATCHED}), S.SURVEYING),
    # the surveyor declines (or, without an actor, the accept deadline passes): back to the
    # dispatcher's queue
    Action.DECLINE: (frozenset({S.DISPATCHED}), S.REGISTERED),
    Action.RECORD_ARRIVAL: (frozenset({S.SURVEYING}), None),
    Action.SAVE_SURVEY: (frozenset({S.SURVEYING, S.ASSESSING}), None),
    Action.COMPLETE_SURVEY: (frozenset({S.SURVEYING}), S.ASSESSING),
    # A visit after the completed survey (复勘), recorded until the report is issued (the fee
    # is computed then). Not while paused for documents: that state does not say whether
    # the survey was completed; the visit is recorded once the case resumes.
    Action.RECORD_RESURVEY: (
        frozenset({S.ASSESSING, S.IN_REVIEW, S.IN_SECOND_REVIEW, S.APPROVED}),
        None,
    ),
    Action.ADD_ATTACHMENT: (OPEN_STATES - {S.REGISTERED}, None),
    Action.SAVE_SHEET: (frozenset({S.SURVEYING, S.ASSESSING}), None),
    Action.SUBMIT_FOR_REVIEW: (frozenset({S.ASSESSING}), S.IN_REVIEW),
    # approve → APPROVED or IN_SECOND_REVIEW (client threshold); return → ASSESSING
    Action.REVIEW: (frozenset({S.IN_REVIEW}), None),
    Action.SECOND_REVIEW: (frozenset({S.IN_SECOND_REVIEW}), None),
    Action.REQUEST_DOCUMENTS: (_WORKING | {S.AWAITING_DOCUMENTS}, S.AWAITING_DOCUMENTS),
    # back to the state the case was paused in, once every request is fulfilled
    Action.FULFIL_DOCUMENTS: (frozenset({S.AWAITING_DOCUMENTS}), None),
    Action.ISSUE_REPORT: (frozenset({S.APPROVED}), S.REPORT_ISSUED),
    Action.CLOSE: (frozenset({S.REPORT_ISSUED}), S.CLOSED),
    Action.CANCEL: (OPEN_STATES, S.CANCELLED),
}

# Actions only the case's own branch may take. A receiving branch (委托异地), even after
# accepting, works its delegated part but does not end the client's case.
OWN_BRANCH_ACTIONS = frozenset({Action.CANCEL})

# The review level each review state waits for, and the action that gives it. A reviewer
# states the level they act on; the service checks it under the row lock.
REVIEW_LEVELS: dict[S, int] = {S.IN_REVIEW: 1, S.IN_SECOND_REVIEW: 2}
REVIEW_STATES: dict[int, S] = {level: state for state, level in REVIEW_LEVELS.items()}
REVIEW_ACTIONS: dict[int, Action] = {1: Action.REVIEW, 2: Action.SECOND_REVIEW}

PERMISSIONS: dict[Action, str] = {
    Action.DISPATCH: P.CASE_DISPATCH,
    Action.ACCEPT: P.CASE_SURVEY,
    Action.DECLINE: P.CASE_SURVEY,
    Action.RECORD_ARRIVAL: P.CASE_SURVEY,
    Action.SAVE_SURVEY: P.CASE_SURVEY,
    Action.COMPLETE_SURVEY: P.CASE_SURVEY,
    # Those who work the assessment record a re-survey: the surveyor and the assessor.
    Action.RECORD_RESURVEY: P.CASE_ASSESS,
    Action.ADD_ATTACHMENT: P.CASE_VIEW,
    Action.SAVE_SHEET: P.CASE_ASSESS,
    Action.SUBMIT_FOR_REVIEW: P.CASE_ASSESS,
    Action.REVIEW: P.CASE_REVIEW,
    Action.SECOND_REVIEW: P.CASE_REVIEW_SECOND,
    Action.REQUEST_DOCUMENTS: P.CASE_REQUEST_DOCUMENTS,
    Action.FULFIL_DOCUMENTS: P.CASE_REQUEST_DOCUMENTS,
    Action.ISSUE_REPORT: P.CASE_ISSUE_REPORT,
    Action.CLOSE: P.CASE_CLOSE,
    Action.CANCEL: P.CASE_CANCEL,
}

ACTION_LABELS: dict[Action, str] = {
    Action.DISPATCH: "调度",
    Action.ACCEPT: "接单",
    Action.DECLINE: "拒单",
    Action.RECORD_ARRIVAL: "到达现场",
    Action.SAVE_SURVEY: "保存查勘记录",
    Action.COMPLETE_SURVEY: "完成查勘",
    Action.RECORD_RESURVEY: "记录复勘",
    Action.ADD_ATTACHMENT: "上传附件",
    Action.SAVE_SHEET: "保存定损单",
    Action.SUBMIT_FOR_REVIEW: "提交审核",
    Action.REVIEW: "审核",
    Action.SECOND_REVIEW: "二级审核",
    Action.REQUEST_DOCUMENTS: "资料补充",
    Action.FULFIL_DOCUMENTS: "资料补齐",
    Action.ISSUE_REPORT: "出具公估报告",
    Action.CLOSE: "结案",
    Action.CANCEL: "注销",
}


CASE_STATES = StateMachine("案件", S, TRANSITIONS, ACTION_LABELS)
allowed_from = CASE_STATES.allowed_from
check = CASE_STATES.check  # the state an action leads to, or IllegalTransition


class ItemAction(StrEnum):
    ASSESS = "assess"
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    CANCEL = "cancel"


# A loss item is assessed while pending, handed in with the case, and approved or returned
# with the case's review.
LOSS_ITEM_STATES = StateMachine(
    "损失标的",
    LossItemStatus,
    {
        ItemAction.ASSESS: ({LossItemStatus.PENDING}, None),
        ItemAction.SUBMIT: ({LossItemStatus.PENDING}, LossItemStatus.SUBMITTED),
        ItemAction.APPROVE: ({LossItemStatus.SUBMITTED}, LossItemStatus.APPROVED),
        ItemAction.RETURN: ({LossItemStatus.SUBMITTED}, LossItemStatus.PENDING),
        ItemAction.CANCEL: (
            {LossItemStatus.PENDING, LossItemStatus.SUBMITTED, LossItemStatus.APPROVED},
            LossItemStatus.CANCELLED,
        ),
    },
    {
        ItemAction.ASSESS: "定损",
        ItemAction.SUBMIT: "提交审核",
        ItemAction.APPROVE: "核损通过",
        ItemAction.RETURN: "退回定损",
        ItemAction.CANCEL: "注销",
    },
)


def may_act_for_branch(user, action: Action, case) -> bool:
    """False for an own-branch action on a case whose branch lies outside the user's scope
    (the case is visible only through a delegation)."""
    return action not in OWN_BRANCH_ACTIONS or covers_branch(user, case.branch)


def may_review(user) -> bool:
    """Whether the user's position reviews at any level (who may review this case now is
    `claims.services.review_refusal`)."""
    return any(user.has_perm(PERMISSIONS[action]) for action in REVIEW_ACTIONS.values())


def available_actions(user, case) -> list[Action]:
    """Actions the user's position allows from the case's state (for buttons and the API)."""
    return [
        action
        for action in Action
        if allowed_from(action, case.status)
        and user.has_perm(PERMISSIONS[action])
        and may_act_for_branch(user, action, case)
    ]
