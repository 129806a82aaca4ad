"""Fitment check (适配校验): does a picked part fit the identified vehicle model? A part
that fits only a higher trim of the same series is the classic 低配高选 (a base car priced
with the top trim's part); a part of another series or make is a plain mismatch. A part
without any fitment data is not flagged: the catalogue cannot tell."""

from collections import defaultdict

from lossdesk.parts.models import Part, PartFitment, PriceQueryLine, VehicleModel


def _models_text(models: list[VehicleModel], notes: dict[int, str]) -> str:
    shown = [f"{m.name}{'（' + notes[m.pk] + '）' if notes.get(m.pk) else ''}" for m in models]
    text = "、".join(shown[:3])
    return text + (f" 等 {len(shown)} 个车型" if len(shown) > 3 else "")


def warnings_for(part_ids: list[int], model: VehicleModel | None) -> dict[int, str]:
    """{part_id: warning} for the parts that do not fit `model` (missing = fits or unknown)."""
    ids = sorted({pid for pid in part_ids if pid})
    if model is None or not ids:
        return {}
    fits: dict[int, list[PartFitment]] = defaultdict(list)
    for fit in PartFitment.objects.filter(part_id__in=ids).select_related("model__series__make"):
        fits[fit.part_id].append(fit)
    out = {}
    for pid in ids:
        rows = fits.get(pid)
        if not rows or any(f.model_id == model.pk for f in rows):
            continue
        notes = {f.model_id: f.note for f in rows}
        same_series = [f.model for f in rows if f.model.series_id == model.series_id]
        if same_series:
            same_year = [m for m in same_series if m.year == model.year] or same_series
            higher = [m for m in same_year if m.trim_level > model.trim_level]
            if higher and len(higher) == len(same_year):
                out[pid] = (
                    f"低配高选：该配件仅适用于 {_models_text(higher, notes)}，"
                    f"已定型车型为 {model.name}（{model.trim or '基础配置'}）。"
                )
            else:
                out[pid] = (
                    f"配置不符：该配件适用于 {_models_text(same_year, notes)}，"
                    f"不适用于已定型车型 {model.name}。"
                )
        else:
            series = sorted({str(f.model.series) for f in rows})
            out[pid] = (
                f"车型不符：该配件适用于 {'、'.join(series[:3])}"
                f"{' 等' if len(series) > 3 else ''}，不适用于已定型车型 {model.name}。"
            )
    return out


def identified_model(loss_item) -> VehicleModel | None:
    return identified_models([loss_item]).get(loss_item.pk)


def identified_models(loss_items) -> dict[int, VehicleModel]:
    """{loss item id: its identified model (车辆定型), with series and make} for the items
    that have one, in one query: what the sheet's fitment check compares against and what
    a search for the item's parts is narrowed to."""
    from lossdesk.parts.models import VehicleIdentification

    rows = VehicleIdentification.objects.filter(
        loss_item__in=[item.pk for item in loss_items]
    ).select_related("vehicle_model__series__make")
    return {row.loss_item_id: row.vehicle_model for row in rows}


def flag_sheet_lines(loss_item, lines) -> dict[str, list[str]]:
    """motor.services.SHEET_LINE_CHECKS hook: check the part and price-query links of the
    lines and set each line's `fitment_warning` against the loss item's identified model
    (or, failing that, the model of the price query a line came from)."""
    errors: dict[str, list[str]] = {}
    part_ids = {line.part_id for line in lines if line.part_id}
    query_line_ids = {line.price_query_line_id for line in lines if line.price_query_line_id}
    known_parts = set(Part.objects.filter(pk__in=part_ids).values_list("pk", flat=True))
    query_models = dict(
        PriceQueryLine.objects.filter(pk__in=query_line_ids).values_list(
            "pk", "query__vehicle_model_id"
        )
    )
    for i, line in enumerate(lines):
        if line.part_id and line.part_id not in known_parts:
            errors[f"lines.{i}.part"] = ["目录中没有该配件。"]
        if line.price_query_line_id and line.price_query_line_id not in query_models:
            errors[f"lines.{i}.price_query_line"] = ["询价明细不存在。"]
        line.fitment_warning = ""
    if errors or not part_ids:
        return errors
    model = identified_model(loss_item)
    if model is not None:
        warnings = warnings_for(list(part_ids), model)
        for line in lines:
            line.fitment_warning = warnings.get(line.part_id, "") if line.part_id else ""
        return errors
    # No identification: each line is checked against the model of its price query.
    model_ids = {m for m in query_models.values() if m}
    models = VehicleModel.objects.select_related("series").in_bulk(model_ids)
    by_model: dict[int, list] = defaultdict(list)
    for line in lines:
        model_id = query_models.get(line.price_query_line_id)
        if line.part_id and model_id:
            by_model[model_id].append(line)
    for model_id, group in by_model.items():
        warnings = warnings_for([line.part_id for line in group], models.get(model_id))
        for line in group:
            line.fitment_warning = warnings.get(line.part_id, "")
    return errors
