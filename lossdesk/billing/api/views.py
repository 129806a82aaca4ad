"""The billing API: the fee calculator (a contract's terms tried on a case, nothing stored)
and the fee contracts (list, retrieve, create a new version; readers need
billing.view_feecontract, writers billing.add_feecontract and the head office)."""

from datetime import date

from django.db.models import Exists, OuterRef
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, viewsets
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from lossdesk.billing import services
from lossdesk.billing.api.serializers import (
    CaseFeeSerializer,
    FeeCalcSerializer,
    FeeContractSerializer,
    FeeResultSerializer,
    rule_errors,
)
from lossdesk.billing.models import FeeContract
from lossdesk.core.errors import ErrorCode, ServiceError
from lossdesk.org.api.base import ModelPermissions, error_responses
from lossdesk.rules.errors import RuleInputError
from lossdesk.rules.fees import FeeCase, compute_fee

# The case of issue 14 §7 and the contract bodies the schema shows.
EXAMPLE_CASE = {
    "line": "motor",
    "approved_amount": "8115.00",
    "cancelled_after_survey": False,
    "distance_km": "12",
    "night": False,
    "loss_items": 2,
}
# The extras a survey records: a night survey with a rescue coordinated and one re-survey.
EXTRAS_CASE = {**EXAMPLE_CASE, "night": True, "rescues": 1, "resurveys": 1}
EXAMPLE_BRACKETS = [
    {"up_to": "10000.00", "rate": "0.04"},
    {"up_to": "50000.00", "rate": "0.03"},
    {"up_to": None, "rate": "0.02"},
]
EXAMPLE_CONTRACTS = {
    "percentage": (
        "按比例 3%，最低 300、最高 5000",
        {"mode": "percentage", "rate": "0.03", "minimum": "300.00", "maximum": "5000.00"},
    ),
    "progressive": (
        "超额累进：1 万以下 4%，1–5 万 3%，5 万以上 2%",
        {"mode": "progressive", "brackets": EXAMPLE_BRACKETS},
    ),
    "flat_bracket": (
        "分档全额：同一档位表，全额按所在档费率",
        {"mode": "flat_bracket", "brackets": EXAMPLE_BRACKETS},
    ),
    "per_case": (
        "按件 200 元，每个标的加 50、超 10 公里每公里 2 元、夜间加 100、查勘后注销 150",
        {
            "mode": "per_case",
            "amount": "200.00",
            "per_item": "50.00",
            "km_rate": "2.00",
            "km_threshold": "10",
            "night_surcharge": "100.00",
            "cancellation_fee": "150.00",
        },
    ),
    "extras": (
        "按比例 3%，最低 300；夜间（20:00–07:00）或节假日加 100、每次救援协调 150、每次复勘 80",
        {
            "mode": "percentage",
            "rate": "0.03",
            "minimum": "300.00",
            "night_surcharge": "100.00",
            "night_from": "20:00",
            "night_to": "07:00",
            "rescue_fee": "150.00",
            "resurvey_fee": "80.00",
        },
    ),
}


def fee_examples() -> list[OpenApiExample]:
    examples = [
        OpenApiExample(
            name,
            summary=summary,
            value={"contract": contract, "case": EXTRAS_CASE if name == "extras" else EXAMPLE_CASE},
            request_only=True,
        )
        for name, (summary, contract) in EXAMPLE_CONTRACTS.items()
    ]
    examples.append(
        OpenApiExample(
            "按比例：8115.00 × 3% 低于最低收费",
            value={
                "fee": "300.00",
                "components": [
                    {
                        "code": "base",
                        "label": "基本费（按核定金额比例）",
                        "amount": "300.00",
                        "formula": "8115.00 × 3% = 243.45，低于最低收费，按最低收费 300.00",
                    }
                ],
                "explanation": [
                    "车险收费，按核定金额比例",
                    "基本费（按核定金额比例）：8115.00 × 3% = 243.45，低于最低收费，"
                    "按最低收费 300.00",
                    "公估费 = 300.00",
                ],
                "contract": EXAMPLE_CONTRACTS["percentage"][1],
            },
            response_only=True,
            status_codes=["200"],
        )
    )
    return examples


class FeeCalcView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["calc"],
        summary="公估费试算（不保存）",
        description="按收费条款（与收费协议保存的 terms 相同）计算一个案件的公估费：基本费按 "
        "mode 计算，附加项（标的费、远程查勘费、夜间/节假日加收、救援协调费、复勘费）相加；"
        "查勘开始后注销只收注销费，查勘前注销不收费。每项在其末尾四舍五入到分。档位重叠、有空档、倒序或最后"
        "一档未设为 null 时 400，字段名指明哪一档（contract.brackets.1.up_to）。",
        request=FeeCalcSerializer,
        responses={200: FeeResultSerializer, **error_responses(400, 401)},
        examples=fee_examples(),
    )
    def post(self, request):
        serializer = FeeCalcSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        terms = data["contract"]
        try:
            result = compute_fee(terms, FeeCase(**data["case"]))
        except RuleInputError as exc:
            fields = rule_errors(exc, "case.")
            raise ServiceError(exc.message, code=ErrorCode.INVALID, fields=fields) from exc
        answer = {
            "fee": result.fee,
            "components": result.components,
            "explanation": result.explanation,
            "contract": terms,
        }
        return Response(FeeResultSerializer(answer).data)


# ------------------------------------------------------------------------ fee contracts


class ContractPermissions(ModelPermissions):
    """A method the viewset does not answer (PUT, PATCH, DELETE: a contract never changes) is
    its 405, not a 403 for lacking a change right that does not exist."""

    def has_permission(self, request, view):
        if request.method not in view.allowed_methods:
            return True
        return super().has_permission(request, view)


@extend_schema_view(
    list=extend_schema(
        tags=["billing"],
        summary="收费协议（各委托方、各险种线的全部版本）",
        parameters=[
            OpenApiParameter(
                "in_force_on",
                OpenApiTypes.DATE,
                description="只列出该日生效的协议（每个委托方、险种线取覆盖该日的最高版本）。",
            )
        ],
        responses={200: FeeContractSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        tags=["billing"],
        summary="收费协议的一个版本",
        responses={200: FeeContractSerializer, **error_responses(401, 403, 404)},
    ),
    create=extend_schema(
        tags=["billing"],
        summary="录入收费协议的新版本（总部财务）",
        description="修改即录入新版本：版本号由系统按委托方、险种线顺序编号，旧版本保留只读。"
        "条款由规则校验，错误字段如 terms.brackets.1.up_to。非总部用户 403。",
        request=FeeContractSerializer,
        responses={201: FeeContractSerializer, **error_responses(400, 401, 403, 409)},
        examples=[
            OpenApiExample(
                "人保财险车险：按比例 3%，最低 300、最高 5000",
                value={
                    "client": 1,
                    "line": "motor",
                    "effective_from": "2026-01-01",
                    "terms": EXAMPLE_CONTRACTS["percentage"][1],
                    "note": "2026 年度合作协议",
                    "previous_version": 0,
                },
                request_only=True,
            )
        ],
    ),
)
class FeeContractViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = FeeContractSerializer
    permission_classes = [ContractPermissions]
    filterset_fields = ["client", "line"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FeeContract.objects.none()
        contracts = (
            FeeContract.objects.for_user(self.request.user)
            .with_latest()
            .select_related("client", "created_by")
        )
        if self.action == "list" and "in_force_on" in self.request.query_params:
            contracts = in_force_on(contracts, self.request.query_params["in_force_on"])
        return contracts

    def perform_create(self, serializer):
        data = serializer.validated_data
        contract = services.do_create_fee_contract(
            client=data["client"],
            line=data["line"],
            effective_from=data["effective_from"],
            effective_to=data.get("effective_to"),
            terms=data["terms"],
            note=data.get("note", ""),
            previous_version=data.get("previous_version"),
            actor=self.request.user,
        )
        serializer.instance = self.get_queryset().get(pk=contract.pk)


def in_force_on(contracts, text: str):
    """The versions in force on the date `text`: per client and line, the highest version
    whose dates cover it."""
    try:
        on_date = date.fromisoformat(text)
    except ValueError:
        message = "须为日期，如 2026-01-31。"
        raise ServiceError(
            message, code=ErrorCode.INVALID, fields={"in_force_on": [message]}
        ) from None
    covering = contracts.covering(on_date)
    higher = FeeContract.objects.covering(on_date).filter(
        client=OuterRef("client"), line=OuterRef("line"), version__gt=OuterRef("version")
    )
    return covering.exclude(Exists(higher))


# ----------------------------------------------------------------------------- case fee


@extend_schema(
    tags=["billing"],
    summary="案件的公估费",
    description="出具公估报告（或注销）时按委托日生效的收费协议计算：每个险种线一项，含所用"
    "协议版本、条款快照、计算输入与说明；fee 计入已批准的调整，待审批的调整另列。未计算前 "
    "404；无查看公估费权限 403；案件不在数据范围内 404。",
    responses={200: CaseFeeSerializer, **error_responses(401, 403, 404)},
)
class CaseFeeView(APIView):
    def get(self, request, case_no):
        from lossdesk.claims.api.views import get_case

        case = get_case(request, case_no)
        fee = services.case_fee_for(case, request.user)
        return Response(CaseFeeSerializer(fee, context={"request": request}).data)
