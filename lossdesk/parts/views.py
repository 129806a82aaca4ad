"""Pages of the damage-data backend: part search, vehicle identification, price queries,
manual quotes, local prices and catalogue imports. Views parse forms, look objects up
through their scoped querysets (404 outside scope) and call parts.services."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lossdesk.claims.models import Case, LossItem
from lossdesk.core.errors import ServiceError
from lossdesk.core.uploads import file_response
from lossdesk.parts import forms as f
from lossdesk.parts import identification, importing, queries, services
from lossdesk.parts.choices import ImportStatus, ManualQuoteStatus, PriceType
from lossdesk.parts.models import (
    CatalogueImport,
    LocalPriceOverride,
    Make,
    ManualQuote,
    ManualQuotePhoto,
    Part,
    PartFitment,
    PriceChange,
    PriceQuery,
    Series,
    VehicleModel,
)


def needs(*perms: str):
    """login_required plus the position's permissions (403 page without them)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.has_perms(perms):
                raise DjangoPermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _errors_to_form(form, exc: ServiceError) -> None:
    """Put a ServiceError on the form: its message on top, its field messages on the
    fields (fields the form does not show go on top, with their name)."""
    form.add_error(None, exc.message)
    for field, errors in exc.fields.items():
        name = field if field in form.fields and not form.fields[field].widget.is_hidden else None
        for error in errors:
            form.add_error(name, error if name else f"{field}：{error}")


def _model_or_none(value) -> VehicleModel | None:
    if value in (None, ""):
        return None
    if not str(value).isdigit():
        return None
    return VehicleModel.objects.select_related("series__make").filter(pk=value).first()


def _query_or_404(user, pk) -> PriceQuery:
    query = PriceQuery.objects.for_user(user).shown().filter(pk=pk).first()
    if query is None:
        raise Http404
    return query


# ---------------------------------------------------------------------------- search


def _price_region(user, query: PriceQuery | None) -> queries.PriceRegion:
    """Whose prices the search and the part page show: those of the case of the price
    query the user is choosing parts for (the case looked up in the user's scope), else
    the user's own branch's (queries.price_region, decision 0032)."""
    case = None
    if query is not None and query.case_id:
        case = Case.objects.for_user(user).filter(pk=query.case_id).first()
    return queries.price_region(user, case)


def _scoped_query(user, pk) -> PriceQuery | None:
    if pk in (None, "") or not str(pk).isdigit():
        return None
    return PriceQuery.objects.for_user(user).filter(pk=pk).first()


@needs("parts.view_part")
def search(request):
    form = f.SearchForm(request.GET or None)
    result = None
    model = query = None
    if form.is_valid():
        model = _model_or_none(form.cleaned_data.get("model"))
        query = _scoped_query(request.user, form.cleaned_data.get("query"))
    region = _price_region(request.user, query)
    if form.is_valid():
        q = form.cleaned_data.get("q", "")
        if q:
            offset = request.GET.get("offset", "0")
            result = queries.search_parts(
                q,
                model=model,
                branch=region.branch,
                offset=int(offset) if offset.isdigit() else 0,
            )
    context = {
        "form": form,
        "result": result,
        "model": model,
        "query": query,
        "region": region,
        "nav": "parts",
        "tab": "search",
        "can_query": request.user.has_perm("parts.add_pricequery"),
        "can_set_price": request.user.has_perm("parts.change_localpriceoverride"),
    }
    if request.htmx:
        return render(request, "parts/_results.html", context)
    return render(request, "parts/search.html", context)


@needs("parts.view_part")
def part_detail(request, pk: int):
    part = Part.objects.select_related("make", "standard_name").filter(pk=pk).first()
    if part is None:
        raise Http404
    query = _scoped_query(request.user, request.GET.get("query"))
    region = _price_region(request.user, query)
    prices = queries.prices_for([part], branch=region.branch)[part.pk]
    fitments = PartFitment.objects.filter(part=part).select_related("model__series__make")
    return render(
        request,
        "parts/part_detail.html",
        {
            "part": part,
            "prices": prices,
            "region": region,
            "query": query,
            "fitments": fitments[:200],
            "nav": "parts",
        },
    )


# ------------------------------------------------------------------- identification


@needs("parts.view_vehiclemodel")
def identify(request):
    vin_form = f.VinForm(request.GET if "vin" in request.GET else None)
    result = None
    if vin_form.is_bound and vin_form.is_valid():
        try:
            result = identification.identify_vin(vin_form.cleaned_data["vin"])
        except ServiceError as exc:
            _errors_to_form(vin_form, exc)
    makes = Make.objects.all()
    make_id = request.GET.get("make", "")
    series = Series.objects.filter(make_id=make_id) if make_id.isdigit() else Series.objects.none()
    manual_form = f.ManualModelForm(
        request.GET if "make" in request.GET else None, makes=makes, series=series
    )
    manual_models = None
    if manual_form.is_bound and manual_form.is_valid() and manual_form.cleaned_data["make"]:
        data = manual_form.cleaned_data
        try:
            models = identification.models_by_path(
                data["make"], data.get("series") or "", str(data.get("year") or "")
            )[:200]
            manual_models = [{"model": m, "reason": ""} for m in models]
        except ServiceError as exc:
            _errors_to_form(manual_form, exc)
    loss_item = _loss_item_for(request, request.GET.get("loss_item"))
    return render(
        request,
        "parts/identify.html",
        {
            "next": _next_url(request, request.GET.get("next")) if loss_item else "",
            "vin_form": vin_form,
            "manual_form": manual_form,
            "result": result,
            "manual_models": manual_models,
            "loss_item": loss_item,
            "new_query_form": f.NewQueryForm(),
            "can_query": request.user.has_perm("parts.add_pricequery"),
            "nav": "parts",
            "tab": "identify",
        },
    )


def _loss_item_for(request, pk) -> LossItem | None:
    if not pk or not str(pk).isdigit():
        return None
    item = (
        LossItem.objects.filter(case__in=Case.objects.for_user(request.user), pk=pk)
        .select_related("case")
        .first()
    )
    if item is None:
        raise Http404
    return item


def _next_url(request, url) -> str:
    """Where to go once a case's vehicle is identified, when the page that sent the user
    here said (the phone's assessment page): a path of this site only, else nothing."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


@require_POST
@needs("parts.add_vehicleidentification")
def identify_save(request):
    item = _loss_item_for(request, request.POST.get("loss_item"))
    model = _model_or_none(request.POST.get("vehicle_model"))
    if item is None or model is None:
        raise Http404
    next_url = _next_url(request, request.POST.get("next"))
    try:
        services.do_identify_vehicle(
            item,
            vehicle_model=model,
            vin=request.POST.get("vin", ""),
            method=request.POST.get("method", "manual"),
            reason=request.POST.get("reason", ""),
            actor=request.user,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        back = {"loss_item": item.pk, **({"next": next_url} if next_url else {})}
        return HttpResponseRedirect(f"{reverse('parts:identify')}?{urlencode(back)}")
    messages.success(request, f"已将 {item.label} 定型为 {model.name}。")
    return HttpResponseRedirect(next_url or f"/cases/{item.case.case_no}/")


# -------------------------------------------------------------------- price queries


@needs("parts.view_pricequery")
def query_list(request):
    rows = PriceQuery.objects.for_user(request.user).select_related(
        "vehicle_model", "case", "created_by"
    )[:200]
    return render(
        request,
        "parts/query_list.html",
        {
            "queries": rows,
            "can_query": request.user.has_perm("parts.add_pricequery"),
            "nav": "parts",
            "tab": "queries",
        },
    )


@require_POST
@needs("parts.add_pricequery")
def query_create(request):
    form = f.NewQueryForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    try:
        query = services.do_save_price_query(
            {
                "vehicle_model": data.get("vehicle_model"),
                "vin": data.get("vin", ""),
                "case": data.get("case", ""),
                "note": data.get("note", ""),
                "lines": [{"part": request.POST["part"], "price_type": PriceType.DEALER_4S}]
                if request.POST.get("part", "").isdigit()
                else [],
            },
            actor=request.user,
        )
    except ServiceError as exc:
        details = [msg for msgs in exc.fields.values() for msg in msgs]
        messages.error(request, " ".join([exc.message, *details]))
        return HttpResponseRedirect(reverse("parts:query-list"))
    messages.success(request, f"已创建询价单 {query.query_no}，请搜索并加入配件。")
    return HttpResponseRedirect(reverse("parts:query-detail", args=[query.pk]))


def _line_inputs(query) -> list[dict]:
    return services.query_line_dicts(query)


@require_http_methods(["GET", "POST"])
@needs("parts.view_pricequery")
def query_detail(request, pk: int):
    query = _query_or_404(request.user, pk)
    errors: list[str] = []
    if request.method == "POST":
        if not request.user.has_perm("parts.add_pricequery"):
            raise DjangoPermissionDenied
        lines = _line_inputs(query)
        action = request.POST.get("action", "save")
        case = query.case
        if action == "case":
            case = request.POST.get("case", "").strip() or None
        if action == "add" and request.POST.get("part", "").isdigit():
            lines.append(
                {
                    "part": int(request.POST["part"]),
                    "price_type": request.POST.get("price_type") or PriceType.DEALER_4S,
                    "quantity": "1",
                }
            )
        elif action == "save":
            for i, line in enumerate(lines):
                line["price_type"] = request.POST.get(f"line-{i}-price_type", line["price_type"])
                line["quantity"] = request.POST.get(f"line-{i}-quantity", line["quantity"])
            removed = {int(v) for v in request.POST.getlist("remove") if v.isdigit()}
            lines = [line for i, line in enumerate(lines) if i not in removed]
        try:
            services.do_save_price_query(
                {
                    "vehicle_model": query.vehicle_model,
                    "vin": query.vin,
                    "case": case,
                    "loss_item": query.loss_item_id if case == query.case else None,
                    "note": query.note,
                    "lines": lines,
                },
                actor=request.user,
                query=query,
            )
        except ServiceError as exc:
            errors = [exc.message, *(f"{k}：{'；'.join(v)}" for k, v in exc.fields.items())]
        else:
            messages.success(request, "询价单已保存。")
            return HttpResponseRedirect(reverse("parts:query-detail", args=[query.pk]))
    return _render_query(request, query, errors=errors)


def _render_query(request, query, *, errors=(), apply_form=None):
    lines = list(query.current_lines.select_related("part", "manual_quote"))
    items = []
    if query.case_id:
        items = [i for i in query.case.loss_items.all() if i.is_vehicle]
    if apply_form is None and items:
        apply_form = f.ApplyQueryForm(
            initial={"version": query.case.version, "loss_item": query.loss_item_id},
            items=items,
        )
    return render(
        request,
        "parts/query_detail.html",
        {
            "query": query,
            "region": queries.PriceRegion.of_query(query),
            "lines": lines,
            "errors": errors,
            "apply_form": apply_form,
            "price_types": PriceType.choices,
            "can_edit": request.user.has_perm("parts.add_pricequery"),
            "case_url": f"/cases/{query.case.case_no}/" if query.case_id else "",
            "nav": "parts",
            "tab": "queries",
        },
    )


@require_POST
@needs("parts.add_pricequery")
def query_apply(request, pk: int):
    query = _query_or_404(request.user, pk)
    items = [i for i in query.case.loss_items.all() if i.is_vehicle] if query.case_id else []
    form = f.ApplyQueryForm(request.POST, items=items)
    if not form.is_valid():
        return _render_query(request, query, apply_form=form)
    item = _loss_item_for(request, form.cleaned_data["loss_item"])
    try:
        sheet = services.do_apply_price_query(
            query,
            loss_item=item,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
        )
    except ServiceError as exc:
        _errors_to_form(form, exc)
        return _render_query(request, query, apply_form=form)
    messages.success(request, f"已生成定损单 {sheet.sheet_no} 的换件项目，合计 {sheet.total} 元。")
    return HttpResponseRedirect(reverse("parts:query-detail", args=[query.pk]))


# -------------------------------------------------------------------- manual quotes


@needs("parts.view_manualquote")
def quote_list(request):
    form = f.QuoteFilterForm(request.GET or None)
    rows = ManualQuote.objects.for_user(request.user).select_related(
        "vehicle_model", "requested_by", "answered_by"
    )
    if form.is_valid() and form.cleaned_data.get("status"):
        rows = rows.filter(status=form.cleaned_data["status"])
    return render(
        request,
        "parts/quote_list.html",
        {
            "quotes": rows[:200],
            "filter_form": form,
            "now": timezone.now(),
            "can_request": request.user.has_perm("parts.add_manualquote"),
            "nav": "parts",
            "tab": "quotes",
        },
    )


@require_http_methods(["GET", "POST"])
@needs("parts.add_manualquote")
def quote_create(request):
    initial = {
        k: request.GET.get(k)
        for k in ("part_name", "oe_number", "vehicle_model", "part", "query_line", "vin")
        if request.GET.get(k)
    }
    form = f.ManualQuoteForm(request.POST or None, request.FILES or None, initial=initial)
    model = _model_or_none(request.POST.get("vehicle_model") or initial.get("vehicle_model"))
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "vehicle_model": model}
        photos = data.pop("photos")
        try:
            quote = services.do_request_manual_quote(data, photos=photos, actor=request.user)
        except ServiceError as exc:
            # A photo's message goes on the photo field, named by its file.
            for i, upload in enumerate(photos):
                for message in exc.fields.pop(f"photos.{i}", []):
                    exc.fields.setdefault("photos", []).append(f"{upload.name}：{message}")
            _errors_to_form(form, exc)
        else:
            deadline = timezone.localtime(quote.deadline)
            messages.success(
                request, f"已发起人工报价 {quote.quote_no}，报价时限 {deadline:%m-%d %H:%M}。"
            )
            return HttpResponseRedirect(reverse("parts:quote-detail", args=[quote.pk]))
    return render(
        request,
        "parts/quote_form.html",
        {"form": form, "model": model, "nav": "parts", "tab": "quotes"},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@needs("parts.view_manualquote")
def quote_detail(request, pk: int):
    quote = (
        ManualQuote.objects.for_user(request.user)
        .select_related("vehicle_model", "requested_by", "answered_by", "decided_by", "case")
        .prefetch_related("photos")
        .filter(pk=pk)
        .first()
    )
    if quote is None:
        raise Http404
    user = request.user
    answer_form = f.AnswerForm(
        request.POST if request.POST.get("action") == "answer" else None,
        initial={"oe_number": quote.oe_number},
    )
    decision_form = f.DecisionForm(
        request.POST if request.POST.get("action") in ("approve", "reject") else None
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "answer" and answer_form.is_valid():
                services.do_answer_manual_quote(quote, actor=user, **answer_form.cleaned_data)
                messages.success(request, "已回复报价，价格已带入询价单。")
                return HttpResponseRedirect(request.path)
            if action in ("approve", "reject") and decision_form.is_valid():
                services.do_decide_manual_quote(
                    quote,
                    approve=action == "approve",
                    note=decision_form.cleaned_data["note"],
                    actor=user,
                )
                messages.success(
                    request, "已审批入库。" if action == "approve" else "已驳回，不入库。"
                )
                return HttpResponseRedirect(request.path)
        except ServiceError as exc:
            _errors_to_form(answer_form if action == "answer" else decision_form, exc)
    now = timezone.now()
    return render(
        request,
        "parts/quote_detail.html",
        {
            "quote": quote,
            "answer_form": answer_form,
            "decision_form": decision_form,
            "overdue": (quote.answered_at or now) > quote.deadline,
            "can_answer": user.has_perm("parts.answer_manualquote")
            and quote.status in (ManualQuoteStatus.OPEN, ManualQuoteStatus.ANSWERED),
            "can_decide": user.has_perm("parts.approve_manualquote")
            and quote.status == ManualQuoteStatus.ANSWERED,
            "nav": "parts",
            "tab": "quotes",
        },
    )


@require_GET
@needs("parts.view_manualquote")
def quote_photo(request, pk: int, photo_pk: int):
    """One photo of a quote the user may see, served like a case attachment."""
    photo = ManualQuotePhoto.objects.filter(
        pk=photo_pk, quote__in=ManualQuote.objects.for_user(request.user).filter(pk=pk)
    ).first()
    if photo is None:
        raise Http404
    return file_response(photo.file, content_type=photo.content_type, filename=photo.original_name)


# --------------------------------------------------------------------- local prices


@require_http_methods(["GET", "POST"])
@needs("parts.view_localpriceoverride")
def local_prices(request):
    user = request.user
    part = None
    part_id = request.POST.get("part") or request.GET.get("part", "")
    if part_id.isdigit():
        part = Part.objects.select_related("make").filter(pk=part_id).first()
    form = f.LocalPriceForm(
        request.POST if request.POST.get("action") == "set" else None,
        initial={"part": part.pk if part else None},
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "set" and form.is_valid():
                if part is None:
                    raise Http404
                services.do_set_local_price(
                    part,
                    price_type=form.cleaned_data["price_type"],
                    price=form.cleaned_data["price"],
                    reason=form.cleaned_data["reason"],
                    actor=user,
                )
                messages.success(request, "本地价已保存，目录价保持不变。")
                return HttpResponseRedirect(reverse("parts:local-prices"))
            if action == "remove":
                override = (
                    LocalPriceOverride.objects.for_user(user)
                    .filter(pk=request.POST.get("override", "0"))
                    .first()
                )
                if override is None:
                    raise Http404
                remove = f.RemoveLocalPriceForm(request.POST)
                if not remove.is_valid():
                    messages.error(request, "删除本地价需填写原因。")
                    return HttpResponseRedirect(reverse("parts:local-prices"))
                services.do_remove_local_price(
                    override, reason=remove.cleaned_data["reason"], actor=user
                )
                messages.success(request, "本地价已删除。")
                return HttpResponseRedirect(reverse("parts:local-prices"))
        except ServiceError as exc:
            _errors_to_form(form, exc)
    catalogue = queries.prices_for([part], branch=user.branch)[part.pk] if part else []
    overrides = LocalPriceOverride.objects.for_user(user).select_related(
        "branch", "part", "updated_by"
    )[:300]
    changes = PriceChange.objects.for_user(user).select_related("branch", "part", "actor")[:100]
    return render(
        request,
        "parts/local_prices.html",
        {
            "form": form,
            "part": part,
            "catalogue": catalogue,
            "overrides": overrides,
            "changes": changes if user.has_perm("parts.view_pricechange") else [],
            "can_edit": user.has_perm("parts.change_localpriceoverride"),
            "nav": "parts",
            "tab": "local",
        },
    )


# ------------------------------------------------------------------ catalogue imports


@require_http_methods(["GET", "POST"])
@needs("parts.view_catalogueimport")
def import_list(request):
    form = f.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not request.user.has_perm("parts.add_catalogueimport"):
            raise DjangoPermissionDenied
        if form.is_valid():
            try:
                imp = services.do_start_catalogue_import(
                    form.cleaned_data["file"], actor=request.user
                )
            except ServiceError as exc:
                _errors_to_form(form, exc)
            else:
                return HttpResponseRedirect(reverse("parts:import-detail", args=[imp.pk]))
    imports = CatalogueImport.objects.for_user(request.user).select_related("created_by")[:100]
    return render(
        request,
        "parts/import_list.html",
        {
            "form": form,
            "imports": imports,
            "can_import": request.user.has_perm("parts.add_catalogueimport"),
            "nav": "parts",
            "tab": "imports",
        },
    )


def _import_or_404(request, pk) -> CatalogueImport:
    imp = CatalogueImport.objects.for_user(request.user).filter(pk=pk).first()
    if imp is None:
        raise Http404
    return imp


@require_GET
@needs("parts.view_catalogueimport")
def import_detail(request, pk: int):
    imp = _import_or_404(request, pk)
    context = {
        "imp": imp,
        "running": imp.status in (ImportStatus.VALIDATING, ImportStatus.IMPORTING),
        "can_import": request.user.has_perm("parts.add_catalogueimport"),
        "nav": "parts",
        "tab": "imports",
    }
    if request.htmx:
        return render(request, "parts/_import_status.html", context)
    return render(request, "parts/import_detail.html", context)


@require_POST
@needs("parts.add_catalogueimport")
def import_action(request, pk: int, action: str):
    imp = _import_or_404(request, pk)
    try:
        if action == "confirm":
            services.do_confirm_catalogue_import(imp, actor=request.user)
            messages.success(request, "已开始导入有效行。")
        else:
            services.do_cancel_catalogue_import(imp, actor=request.user)
            messages.info(request, "已取消导入。")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return HttpResponseRedirect(reverse("parts:import-detail", args=[imp.pk]))


@needs("parts.view_catalogueimport")
def import_template(request, fmt: str):
    if fmt == "xlsx":
        response = HttpResponse(
            importing.template_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(importing.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="parts-catalogue-template.{fmt}"'
    return response
