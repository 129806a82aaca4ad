"""The parts API: vehicle identification, catalogue search, price queries, manual quotes,
local prices and catalogue imports. Views parse, look objects up through their scoped
querysets (404 outside scope) and call parts.services; ServiceError becomes the JSON error
body in core.api.exception_handler."""

from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from lossdesk.claims.api.views import FileDownloadMixin
from lossdesk.claims.models import Case, LossItem
from lossdesk.core.errors import ErrorCode, ServiceError
from lossdesk.core.rest import Pagination
from lossdesk.core.uploads import file_response
from lossdesk.org.api.base import error_responses
from lossdesk.parts import identification, queries, services
from lossdesk.parts.api import serializers as s
from lossdesk.parts.choices import ManualQuoteStatus
from lossdesk.parts.error_codes import PartsErrorCode
from lossdesk.parts.models import (
    CatalogueImport,
    LocalPriceOverride,
    Make,
    ManualQuote,
    Part,
    PartFitment,
    PriceChange,
    PriceQuery,
    Series,
    VehicleModel,
)


def needs(*perms: str):
    """A DRF permission class: authenticated and holding every permission named."""

    class HasPerms(permissions.BasePermission):
        message = "您的岗位没有该操作的权限。"

        def has_permission(self, request, view):
            user = request.user
            return bool(user and user.is_authenticated and user.has_perms(perms))

    return HasPerms


def _validated(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _int_param(request, name: str) -> int | None:
    value = request.query_params.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 12:
        raise ServiceError("参数有误。", code=ErrorCode.INVALID, fields={name: ["应为整数。"]})
    return int(value)


def _price_region(request) -> queries.PriceRegion:
    """The prices to answer with: the case's (`?case=<case_no>`, looked up in the user's
    scope: a case they cannot see is a 404, as on the case's own endpoints), else the
    user's own branch's (queries.price_region, decision 0032)."""
    case = None
    if case_no := request.query_params.get("case", "").strip():
        case = Case.objects.for_user(request.user).filter(case_no=case_no[:20]).first()
        if case is None:
            raise Http404
    return queries.price_region(request.user, case)


CASE_PARAMETER = OpenApiParameter(
    "case",
    str,
    description="案件号：按该案件的价格地区（受托机构或案件所属机构）给价；不带则按本人所属机构",
)


# ------------------------------------------------------------------ vehicle models


class VehicleModelsView(APIView):
    permission_classes = [needs("parts.view_vehiclemodel")]

    @extend_schema(
        tags=["parts"],
        summary="车辆定型：按 VIN 给出候选车型（含依据），或按品牌/车系/年款手工查询",
        parameters=[
            OpenApiParameter("vin", str, description="17 位 VIN"),
            OpenApiParameter("make", str, description="品牌 id 或名称（手工查询）"),
            OpenApiParameter("series", str, description="车系 id 或名称"),
            OpenApiParameter("year", int, description="年款"),
        ],
        responses={200: s.IdentificationResultSerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request):
        params = request.query_params
        vin = params.get("vin", "").strip()
        if vin:
            result = identification.identify_vin(vin)
            data = {
                "vin": result.info,
                "ambiguous": result.ambiguous,
                "warnings": result.warnings,
                "candidates": result.candidates,
            }
            return Response(s.IdentificationResultSerializer(data).data)
        make, series, year = (params.get(k, "").strip() for k in ("make", "series", "year"))
        if not (make or series):
            raise ServiceError(
                "请提供 VIN，或品牌（及车系、年款）。",
                code=PartsErrorCode.VIN_OR_MAKE_REQUIRED,
                fields={"vin": ["请提供 vin，或 make / series / year。"]},
            )
        models = identification.models_by_path(make, series, year)[:200]
        candidates = [
            {"model": m, "score": None, "reason": "手工按品牌/车系/年款选择", "exact": True}
            for m in models
        ]
        data = {
            "vin": None,
            "ambiguous": len(candidates) > 1,
            "warnings": [],
            "candidates": candidates,
        }
        return Response(s.IdentificationResultSerializer(data).data)


class MakesView(APIView):
    permission_classes = [needs("parts.view_vehiclemodel")]

    @extend_schema(
        tags=["parts"],
        summary="品牌及其车系（手工定型的级联选择）",
        responses={200: s.MakeSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request):
        makes = Make.objects.prefetch_related(
            Prefetch("series", queryset=Series.objects.order_by("name"))
        )
        return Response(s.MakeSerializer(makes, many=True).data)


# --------------------------------------------------------------------------- search


class PartSearchView(APIView):
    permission_classes = [needs("parts.view_part")]

    @extend_schema(
        tags=["parts"],
        summary="配件搜索：中文片段（1 个字起）、OE号（带不带分隔符）、拼音全拼或首字母",
        operation_id="parts_search",
        parameters=[
            OpenApiParameter("q", str, required=True, description="如 前杠、5G0807221、qbxg"),
            OpenApiParameter("model", int, description="已定型车型 id：只列适用该车型的配件"),
            OpenApiParameter("limit", int, description="每页条数，默认 20，最多 100"),
            OpenApiParameter("offset", int, description="跳过条数"),
            CASE_PARAMETER,
        ],
        responses={200: s.SearchResultSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request):
        q = request.query_params.get("q", "").strip()
        if not q:
            raise ServiceError(
                "请输入搜索内容。",
                code=PartsErrorCode.SEARCH_TEXT_REQUIRED,
                fields={"q": ["必填。"]},
            )
        model = None
        model_id = _int_param(request, "model")
        if model_id is not None:
            model = VehicleModel.objects.select_related("series").filter(pk=model_id).first()
            if model is None:
                raise ServiceError(
                    "车型不存在。",
                    code=PartsErrorCode.VEHICLE_MODEL_NOT_FOUND,
                    fields={"model": ["车型不存在。"]},
                )
        region = _price_region(request)
        result = queries.search_parts(
            q,
            model=model,
            branch=region.branch,
            limit=_int_param(request, "limit") or queries.DEFAULT_LIMIT,
            offset=_int_param(request, "offset") or 0,
        )
        result.price_region = region
        return Response(s.SearchResultSerializer(result).data)


class PartDetailView(APIView):
    permission_classes = [needs("parts.view_part")]

    @extend_schema(
        tags=["parts"],
        summary="配件详情：各类型价格（含本地价）与适用车型",
        operation_id="parts_detail",
        parameters=[CASE_PARAMETER],
        responses={200: s.PartDetailSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, pk: int):
        part = Part.objects.select_related("make", "standard_name").filter(pk=pk).first()
        if part is None:
            raise Http404
        region = _price_region(request)
        prices = queries.prices_for([part], branch=region.branch)[part.pk]
        fitments = PartFitment.objects.filter(part=part).select_related("model__series__make")
        data = {"part": part, "prices": prices, "price_region": region, "fitments": fitments[:200]}
        return Response(s.PartDetailSerializer(data).data)


# -------------------------------------------------------------------- price queries


def _query_input(data) -> dict:
    values = dict(_validated(s.PriceQueryInputSerializer, data))
    values["lines"] = [dict(line) for line in values.get("lines", [])]
    return values


def _query_qs(user):
    return PriceQuery.objects.for_user(user).shown().prefetch_related("lines")


class PriceQueryListView(APIView):
    permission_classes = [needs("parts.view_pricequery")]
    pagination_class = Pagination  # also tells the schema that the list is paged

    @extend_schema(
        tags=["parts"],
        summary="询价单列表（本人数据范围内）",
        parameters=[OpenApiParameter("case", str, description="案件号：只列该案件的询价单")],
        responses={200: s.PriceQuerySerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request):
        queries = _query_qs(request.user)
        if case_no := request.query_params.get("case", "").strip():
            queries = queries.filter(case__case_no=case_no)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queries, request, view=self)
        return paginator.get_paginated_response(s.PriceQuerySerializer(page, many=True).data)

    @extend_schema(
        tags=["parts"],
        summary="保存询价单：配件、价格类型、数量；价格与来源按目录/本地价自动带出",
        request=s.PriceQueryInputSerializer,
        responses={201: s.PriceQuerySerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request):
        query = services.do_save_price_query(_query_input(request.data), actor=request.user)
        return Response(
            s.PriceQuerySerializer(_query_qs(request.user).get(pk=query.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class PriceQueryDetailView(APIView):
    permission_classes = [needs("parts.view_pricequery")]

    def _get(self, request, pk):
        query = _query_qs(request.user).filter(pk=pk).first()
        if query is None:
            raise Http404
        return query

    @extend_schema(
        tags=["parts"],
        summary="询价单详情",
        responses={200: s.PriceQuerySerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, pk: int):
        return Response(s.PriceQuerySerializer(self._get(request, pk)).data)

    @extend_schema(
        tags=["parts"],
        summary="修改询价单（整单替换明细）",
        request=s.PriceQueryInputSerializer,
        responses={200: s.PriceQuerySerializer, **error_responses(400, 401, 403, 404)},
    )
    def put(self, request, pk: int):
        query = self._get(request, pk)
        services.do_save_price_query(_query_input(request.data), actor=request.user, query=query)
        return Response(s.PriceQuerySerializer(self._get(request, pk)).data)


class PriceQueryApplyView(APIView):
    permission_classes = [needs("parts.add_pricequery")]

    @extend_schema(
        tags=["parts"],
        summary="询价单一键生成定损单换件项目（保留价格来源与适配提示）",
        request=s.ApplyQueryInputSerializer,
        responses={200: s.SheetResultSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        query = PriceQuery.objects.for_user(request.user).filter(pk=pk).first()
        if query is None:
            raise Http404
        data = _validated(s.ApplyQueryInputSerializer, request.data)
        loss_item = None
        if data.get("loss_item"):
            loss_item = (
                LossItem.objects.filter(case__in=Case.objects.for_user(request.user))
                .select_related("case")
                .filter(pk=data["loss_item"])
                .first()
            )
            if loss_item is None:
                raise Http404
        sheet = services.do_apply_price_query(
            query,
            loss_item=loss_item,
            actor=request.user,
            expected_version=data.get("version"),
            expected_sheet_version=data.get("sheet_version"),
        )
        return Response(s.SheetResultSerializer(sheet).data)


class IdentificationView(APIView):
    permission_classes = [needs("parts.add_vehicleidentification")]

    @extend_schema(
        tags=["parts"],
        summary="保存车辆定型（损失标的 → 车型），定损单适配校验以此为准",
        request=s.IdentificationInputSerializer,
        responses={200: s.IdentificationSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request):
        data = _validated(s.IdentificationInputSerializer, request.data)
        loss_item = (
            LossItem.objects.filter(case__in=Case.objects.for_user(request.user))
            .select_related("case")
            .filter(pk=data["loss_item"])
            .first()
        )
        if loss_item is None:
            raise Http404
        model = VehicleModel.objects.filter(pk=data["vehicle_model"]).first()
        if model is None:
            raise ServiceError(
                "车型不存在。",
                code=PartsErrorCode.VEHICLE_MODEL_NOT_FOUND,
                fields={"vehicle_model": ["车型不存在。"]},
            )
        ident = services.do_identify_vehicle(
            loss_item,
            vehicle_model=model,
            vin=data.get("vin", ""),
            method=data.get("method"),
            reason=data.get("reason", ""),
            actor=request.user,
            expected_version=data.get("version"),
        )
        return Response(s.IdentificationSerializer(ident).data)


# -------------------------------------------------------------------- manual quotes


def _quote_qs(user):
    return (
        ManualQuote.objects.for_user(user)
        .select_related(
            "vehicle_model__series__make", "case", "requested_by", "answered_by", "decided_by"
        )
        .prefetch_related("photos")
    )


class ManualQuoteListView(generics.ListAPIView):
    permission_classes = [needs("parts.view_manualquote")]
    serializer_class = s.ManualQuoteSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filter_backends: list = []

    def get_queryset(self):
        qs = _quote_qs(self.request.user)
        wanted = self.request.query_params.get("status", "")
        if wanted:
            if wanted not in ManualQuoteStatus.values:
                raise ServiceError(
                    "状态无效。", code=ErrorCode.INVALID, fields={"status": ["状态无效。"]}
                )
            qs = qs.filter(status=wanted)
        return qs

    @extend_schema(
        tags=["parts"],
        summary="人工报价列表",
        parameters=[OpenApiParameter("status", str, enum=ManualQuoteStatus.values)],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["parts"],
        summary="发起人工报价（配件、车辆、照片），报价时限默认 4 小时",
        request={
            "multipart/form-data": s.ManualQuoteInputSerializer,
            "application/json": s.ManualQuoteInputSerializer,
        },
        responses={201: s.ManualQuoteSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request):
        if not request.user.has_perm("parts.add_manualquote"):
            self.permission_denied(request, message="您的岗位没有「发起人工报价」权限。")
        photos = request.FILES.getlist("photos") if hasattr(request, "FILES") else []
        data = request.data.copy() if hasattr(request.data, "copy") else dict(request.data)
        if hasattr(data, "pop"):
            data.pop("photos", None)
        values = dict(_validated(s.ManualQuoteInputSerializer, data))
        quote = services.do_request_manual_quote(values, photos=photos, actor=request.user)
        return Response(
            s.ManualQuoteSerializer(
                _quote_qs(request.user).get(pk=quote.pk), context={"request": request}
            ).data,
            status=status.HTTP_201_CREATED,
        )


def _quote_or_404(request, pk) -> ManualQuote:
    quote = _quote_qs(request.user).filter(pk=pk).first()
    if quote is None:
        raise Http404
    return quote


def _quote_body(request, pk) -> dict:
    return s.ManualQuoteSerializer(_quote_or_404(request, pk), context={"request": request}).data


@extend_schema(
    tags=["parts"],
    summary="下载人工报价照片",
    responses={
        (200, "application/octet-stream"): OpenApiTypes.BINARY,
        **error_responses(401, 403, 404),
    },
)
class ManualQuotePhotoView(FileDownloadMixin, APIView):
    """One photo of a quote the user may see, served like a case attachment."""

    permission_classes = [needs("parts.view_manualquote")]

    def get(self, request, pk: int, photo_pk: int):
        photo = _quote_or_404(request, pk).photos.filter(pk=photo_pk).first()
        if photo is None:
            raise Http404
        return file_response(
            photo.file, content_type=photo.content_type, filename=photo.original_name
        )


class ManualQuoteDetailView(APIView):
    permission_classes = [needs("parts.view_manualquote")]

    @extend_schema(
        tags=["parts"],
        summary="人工报价详情（含时限、是否逾期）",
        responses={200: s.ManualQuoteSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, pk: int):
        return Response(_quote_body(request, pk))


class ManualQuoteAnswerView(APIView):
    permission_classes = [needs("parts.answer_manualquote")]

    @extend_schema(
        tags=["parts"],
        summary="报价员回复报价（价格、来源），价格带入询价单",
        request=s.AnswerInputSerializer,
        responses={200: s.ManualQuoteSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        quote = _quote_or_404(request, pk)
        data = _validated(s.AnswerInputSerializer, request.data)
        services.do_answer_manual_quote(quote, actor=request.user, **data)
        return Response(_quote_body(request, pk))


class ManualQuoteDecisionView(APIView):
    permission_classes = [needs("parts.approve_manualquote")]
    approve = True

    @extend_schema(
        tags=["parts"],
        summary="审批人工报价：通过则入库为本机构本地价；驳回则不入库",
        request=s.DecisionInputSerializer,
        responses={200: s.ManualQuoteSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        quote = _quote_or_404(request, pk)
        data = _validated(s.DecisionInputSerializer, request.data)
        services.do_decide_manual_quote(
            quote, approve=self.approve, note=data.get("note", ""), actor=request.user
        )
        return Response(_quote_body(request, pk))


# --------------------------------------------------------------------- local prices


class LocalPriceListView(generics.ListAPIView):
    permission_classes = [needs("parts.view_localpriceoverride")]
    serializer_class = s.LocalPriceSerializer
    filter_backends: list = []

    def get_queryset(self):
        return LocalPriceOverride.objects.for_user(self.request.user).select_related(
            "branch", "part", "updated_by"
        )

    @extend_schema(tags=["parts"], summary="本地价格列表（本人数据范围内的机构）")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["parts"],
        summary="设置本机构本地价（目录价保持不变并并列显示；留痕）",
        request=s.LocalPriceInputSerializer,
        responses={200: s.LocalPriceSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request):
        data = _validated(s.LocalPriceInputSerializer, request.data)
        part = Part.objects.filter(pk=data["part"]).first()
        if part is None:
            raise ServiceError(
                "配件不存在。",
                code=PartsErrorCode.PART_NOT_FOUND,
                fields={"part": ["配件不存在。"]},
            )
        override = services.do_set_local_price(
            part,
            price_type=data["price_type"],
            price=data["price"],
            reason=data["reason"],
            actor=request.user,
        )
        return Response(s.LocalPriceSerializer(override).data)


class LocalPriceDetailView(APIView):
    permission_classes = [needs("parts.view_localpriceoverride")]

    @extend_schema(
        tags=["parts"],
        summary="删除本地价（需填写原因，留痕）",
        request=s.RemoveInputSerializer,
        responses={204: None, **error_responses(400, 401, 403, 404)},
    )
    def delete(self, request, pk: int):
        override = LocalPriceOverride.objects.for_user(request.user).filter(pk=pk).first()
        if override is None:
            raise Http404
        reason = request.data.get("reason") or request.query_params.get("reason", "")
        services.do_remove_local_price(override, reason=reason, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PriceChangeListView(generics.ListAPIView):
    permission_classes = [needs("parts.view_pricechange")]
    serializer_class = s.PriceChangeSerializer
    filter_backends: list = []

    def get_queryset(self):
        return PriceChange.objects.for_user(self.request.user).select_related(
            "branch", "part", "actor"
        )

    @extend_schema(tags=["parts"], summary="本地价格变更记录（只读）")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


# ---------------------------------------------------------------- catalogue imports


class CatalogueImportListView(generics.ListAPIView):
    permission_classes = [needs("parts.view_catalogueimport")]
    serializer_class = s.CatalogueImportSerializer
    parser_classes = [MultiPartParser, FormParser]
    filter_backends: list = []

    def get_queryset(self):
        return CatalogueImport.objects.for_user(self.request.user).select_related("created_by")

    @extend_schema(tags=["parts"], summary="目录导入记录")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["parts"],
        summary="上传配件目录（CSV / XLSX），后台校验后生成预览与行错误",
        request={"multipart/form-data": s.ImportInputSerializer},
        responses={201: s.CatalogueImportSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request):
        if not request.user.has_perm("parts.add_catalogueimport"):
            self.permission_denied(request, message="您的岗位没有「导入配件目录」权限。")
        upload = request.FILES.get("file")
        imp = services.do_start_catalogue_import(upload, actor=request.user)
        imp.refresh_from_db()
        return Response(s.CatalogueImportSerializer(imp).data, status=status.HTTP_201_CREATED)


def _import_or_404(request, pk) -> CatalogueImport:
    imp = CatalogueImport.objects.for_user(request.user).filter(pk=pk).first()
    if imp is None:
        raise Http404
    return imp


class CatalogueImportDetailView(APIView):
    permission_classes = [needs("parts.view_catalogueimport")]

    @extend_schema(
        tags=["parts"],
        summary="导入详情：状态、进度、预览、行错误（含行号）",
        responses={200: s.CatalogueImportSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, pk: int):
        return Response(s.CatalogueImportSerializer(_import_or_404(request, pk)).data)


class CatalogueImportActionView(APIView):
    permission_classes = [needs("parts.add_catalogueimport")]
    action = "confirm"

    @extend_schema(
        tags=["parts"],
        summary="确认导入（有效行一次性写入）或取消",
        request=None,
        responses={200: s.CatalogueImportSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        imp = _import_or_404(request, pk)
        if self.action == "confirm":
            services.do_confirm_catalogue_import(imp, actor=request.user)
        else:
            services.do_cancel_catalogue_import(imp, actor=request.user)
        return Response(s.CatalogueImportSerializer(_import_or_404(request, pk)).data)
