"""The fee adjustments of a case, declared once as case actions (claims.actions): claims builds
their pages (under cases/<case_no>/fee/…), their API endpoints and the request's panel on the
case page. They are not workflow actions: who may take them is billing's rights
(permissions.py) and the services' checks, whatever the case's state."""

from lossdesk.billing import services
from lossdesk.billing.api import serializers as s
from lossdesk.billing.forms import AdjustmentForm, DecisionForm
from lossdesk.billing.permissions import DECIDE_ADJUSTMENT, REQUEST_ADJUSTMENT
from lossdesk.claims.actions import CaseAction, check_version
from lossdesk.core.errors import PermissionDenied


def _fee_of(case):
    return getattr(case, "fee", None)


class RequestFeeAdjustment(CaseAction):
    title = "申请调整公估费"
    done = "调整申请已提交，待负责人审批。"
    page_name, page_path = "billing:case-fee-adjust", "fee/adjustments/new/"
    api_name, api_path = "case-fee-adjustments", "fee/adjustments"
    api_summary = "申请调整公估费（财务）"
    api_description = (
        "调整金额（正数调增、负数调减）与原因；由案件所属机构或总部的负责人审批，申请人不能"
        "审批自己的申请。批准前公估费仍为计算值，待审批调整另行列出。尚未计算公估费时 409。"
    )
    form, serializer = AdjustmentForm, s.AdjustmentInputSerializer
    created_serializer = s.FeeAdjustmentSerializer
    additive = True
    submit_label = "提交调整申请"
    button_class = "btn-outline-primary"
    keeps_input = True

    @classmethod
    def visible(cls, user, case, actions, target=None):
        return user.has_perm(REQUEST_ADJUSTMENT) and _fee_of(case) is not None

    @classmethod
    def check_actor(cls, actor):
        if not actor.has_perm(REQUEST_ADJUSTMENT):
            raise PermissionDenied("只有财务可以申请调整公估费。")

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        check_version(case, version)
        return services.do_request_fee_adjustment(
            case, amount=data["amount"], reason=data["reason"], actor=actor
        )

    @classmethod
    def api_answer(cls, result, context):
        return s.FeeAdjustmentSerializer(result, context=context).data, 201


class DecideFeeAdjustment(CaseAction):
    title = "审批公估费调整"
    page_name, page_path = "billing:case-fee-decide", "fee/adjustments/<int:pk>/decision/"
    api_name, api_path, api_method = (
        "case-fee-adjustment-decision",
        "fee/adjustments/<int:pk>/decision",
        "put",
    )
    api_summary = "审批公估费调整（负责人）"
    api_description = (
        "approve 批准（计入公估费）或 refuse 驳回（须填写意见）。申请人本人 403 self_review；"
        "已审批的调整 409。答复为案件的公估费。"
    )
    api_responses = {200: s.CaseFeeSerializer}
    form, serializer = DecisionForm, s.FeeAdjustmentDecisionSerializer
    additive = True
    panel = False  # offered beside each pending adjustment in the fee panel
    submit_label = "提交审批结论"
    keeps_input = True

    @classmethod
    def visible(cls, user, case, actions, target=None):
        return user.has_perm(DECIDE_ADJUSTMENT) and _fee_of(case) is not None

    @classmethod
    def page_title(cls, target=None):
        if target is None:
            return cls.title
        return f"{cls.title}：{target.amount:+.2f} 元（{target.reason}）"

    @classmethod
    def check_actor(cls, actor):
        if not actor.has_perm(DECIDE_ADJUSTMENT):
            raise PermissionDenied("只有机构负责人可以审批公估费调整。")

    @classmethod
    def target(cls, case, pk):
        return services.adjustment_of(case, pk)

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        check_version(case, version)
        return services.do_decide_fee_adjustment(
            target, decision=data["decision"], note=data.get("note", ""), actor=actor
        )

    @classmethod
    def message(cls, case, result):
        return f"公估费调整已{result.get_status_display()}。"

    @classmethod
    def api_answer(cls, result, context):
        fee = services.case_fee_for(result.case_fee.case, context["request"].user)
        return s.CaseFeeSerializer(fee, context=context).data, 200


BILLING_ACTIONS = (RequestFeeAdjustment, DecideFeeAdjustment)
