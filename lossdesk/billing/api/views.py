"""The billing API: the fee calculator (a contract's terms tried on a case, nothing stored)."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from lossdesk.billing.api.serializers import FeeCalcSerializer, FeeResultSerializer, rule_errors
from lossdesk.core.errors import ErrorCode, ServiceError
from lossdesk.org.api.base import error_responses
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
}


def fee_examples() -> list[OpenApiExample]:
    examples = [
        OpenApiExample(
            mode,
            summary=summary,
            value={"contract": contract, "case": EXAMPLE_CASE},
            request_only=True,
        )
        for mode, (summary, contract) in EXAMPLE_CONTRACTS.items()
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
        "mode 计算，附加项（标的费、远程查勘费、夜间/节假日加收）相加；查勘开始后注销只收"
        "注销费，查勘前注销不收费。每项在其末尾四舍五入到分。档位重叠、有空档、倒序或最后"
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
