from decimal import Decimal

import pytest

from lossdesk.core.errors import Conflict, NotFound, ServiceError
from lossdesk.motor.services import do_save_assessment_sheet
from lossdesk.parts import services
from lossdesk.parts.choices import PriceQueryStatus
from lossdesk.parts.models import PriceQuery, VehicleIdentification

pytestmark = pytest.mark.django_db


def vehicle(case):
    return case.loss_items.get(seq=1)


def save_query(firm, catalogue, *lines, model=None, case=None, actor=None):
    return services.do_save_price_query(
        {
            "vehicle_model": model or catalogue.tcross_base,
            "vin": "LSVUB6C10K2053790",
            "case": case,
            "lines": list(lines),
        },
        actor=actor or firm.zhangsan,
    )


def test_a_saved_query_takes_each_price_with_its_source(firm, catalogue):
    query = save_query(
        firm,
        catalogue,
        {"part": catalogue.bumper.pk, "price_type": "4s", "quantity": "1"},
        {"part": catalogue.fog.pk, "price_type": "brand", "quantity": "2"},
    )
    bumper, fog = query.lines.all()
    assert query.query_no.startswith("XJ")
    assert bumper.unit_price == Decimal("1320.00")  # 杭州 → the 浙江 regional price
    assert bumper.catalogue_price_ref.region == "浙江"
    assert bumper.source == "目录价 4S店价（原厂） · 浙江 · 2026-01-01 起 · 厂家指导价"
    assert fog.unit_price == Decimal("120.00")
    assert fog.quantity == Decimal("2")
    assert fog.fitment_warning == ""


def test_a_query_line_without_a_catalogue_price_waits_for_a_manual_quote(firm, catalogue):
    query = save_query(
        firm, catalogue, {"part": catalogue.no_price.pk}, model=catalogue.corolla_base
    )
    line = query.lines.get()
    assert line.unit_price is None
    case = firm.assessing_case()
    with pytest.raises(ServiceError) as exc:
        services.do_apply_price_query(query, loss_item=vehicle(case), actor=firm.zhangsan)
    assert "lines.0.unit_price" in exc.value.fields


def test_bad_query_lines_are_reported_per_line(firm, catalogue):
    with pytest.raises(ServiceError) as exc:
        save_query(
            firm,
            catalogue,
            {"part": 999999},
            {"part": catalogue.fog.pk, "quantity": "-1", "price_type": "cheap"},
            {"name": ""},
        )
    assert set(exc.value.fields) == {
        "lines.0.part",
        "lines.1.quantity",
        "lines.1.price_type",
        "lines.2.name",
    }
    assert not PriceQuery.objects.exists()


def test_a_query_becomes_the_replace_lines_of_the_sheet_keeping_the_price_links(firm, catalogue):
    case = firm.assessing_case()
    item = vehicle(case)
    query = save_query(
        firm,
        catalogue,
        {"part": catalogue.bumper.pk, "price_type": "4s"},
        {"part": catalogue.wing.pk, "price_type": "market", "quantity": "1"},
        case=case.case_no,
    )
    sheet = services.do_apply_price_query(query, loss_item=item, actor=firm.zhangsan)
    lines = list(sheet.lines.all())
    assert [(ln.kind, ln.name, ln.part_no, ln.unit_price) for ln in lines] == [
        ("replace", "前保险杠", "2GM 807 221", Decimal("1320.00")),
        ("replace", "翼子板（左前）", "2GM 821 021", Decimal("430.00")),
    ]
    query_lines = list(query.lines.all())
    assert [ln.price_query_line for ln in lines] == query_lines
    assert [ln.part for ln in lines] == [catalogue.bumper, catalogue.wing]
    assert lines[1].price_type == "market"
    assert lines[1].price_source.startswith("目录价 市场价（原厂件）")
    assert sheet.total == Decimal("1750.00")
    query.refresh_from_db()
    assert query.status == PriceQueryStatus.APPLIED and query.applied_sheet == sheet
    ident = VehicleIdentification.objects.get(loss_item=item)
    assert ident.vehicle_model == catalogue.tcross_base and ident.method == "vin"


def test_applying_again_replaces_the_query_lines_and_keeps_the_others(firm, catalogue):
    case = firm.assessing_case()
    item = vehicle(case)
    do_save_assessment_sheet(
        item,
        lines=[{"kind": "labour", "name": "拆装工时", "quantity": "2", "unit_price": "80"}],
        actor=firm.zhangsan,
    )
    query = save_query(firm, catalogue, {"part": catalogue.bumper.pk})
    services.do_apply_price_query(query, loss_item=item, actor=firm.zhangsan)
    query = services.do_save_price_query(
        {
            "vehicle_model": catalogue.tcross_base,
            "lines": [{"part": catalogue.fog.pk, "quantity": "2"}],
        },
        actor=firm.zhangsan,
        query=query,
    )
    sheet = services.do_apply_price_query(query, loss_item=item, actor=firm.zhangsan)
    assert [(ln.kind, ln.name) for ln in sheet.lines.all()] == [
        ("labour", "拆装工时"),
        ("replace", "前雾灯"),
    ]
    assert sheet.total == Decimal("160.00") + Decimal("520.00")


def test_a_part_for_a_higher_trim_is_flagged_on_the_sheet_line(firm, catalogue):
    case = firm.assessing_case()
    item = vehicle(case)
    query = save_query(firm, catalogue, {"part": catalogue.led.pk}, {"part": catalogue.halogen.pk})
    led_line = query.lines.get(part=catalogue.led)
    assert led_line.fitment_warning.startswith("低配高选")
    sheet = services.do_apply_price_query(query, loss_item=item, actor=firm.zhangsan)
    led, halogen = sheet.lines.all()
    assert led.fitment_warning.startswith(
        "低配高选：该配件仅适用于 途铠 2019款 1.4T 尊贵版（LED大灯版）"
    )
    assert "已定型车型为 途铠 2019款 1.5L 舒适版（舒适版）" in led.fitment_warning
    assert halogen.fitment_warning == ""


def test_a_part_of_another_series_is_flagged_as_a_model_mismatch(firm, catalogue):
    query = save_query(firm, catalogue, {"part": catalogue.langyi_bumper.pk})
    warning = query.lines.get().fitment_warning
    assert warning.startswith("车型不符：该配件适用于 大众 朗逸")


def test_the_sheet_editor_keeps_links_and_the_flag_is_recomputed_on_every_save(firm, catalogue):
    case = firm.assessing_case()
    item = vehicle(case)
    query = save_query(firm, catalogue, {"part": catalogue.led.pk})
    sheet = services.do_apply_price_query(query, loss_item=item, actor=firm.zhangsan)
    line = sheet.lines.get()
    # an editor that knows nothing of the price links re-saves the same line
    resaved = do_save_assessment_sheet(
        item,
        lines=[
            {
                "kind": "replace",
                "name": line.name,
                "part_no": line.part_no,
                "quantity": "1",
                "unit_price": str(line.unit_price),
            }
        ],
        actor=firm.zhangsan,
    ).lines.get()
    assert resaved.part == catalogue.led
    assert resaved.price_query_line == line.price_query_line
    assert resaved.fitment_warning.startswith("低配高选")
    # the assessor re-identifies the vehicle as the top trim: the flag goes away
    services.do_identify_vehicle(
        item, vehicle_model=catalogue.tcross_top, method="manual", actor=firm.zhangsan
    )
    again = do_save_assessment_sheet(
        item,
        lines=[
            {"kind": "replace", "name": line.name, "part_no": line.part_no, "unit_price": "3600"}
        ],
        actor=firm.zhangsan,
    ).lines.get()
    assert again.fitment_warning == ""


def test_a_client_cannot_clear_the_fitment_flag_or_link_an_unknown_part(firm, catalogue):
    case = firm.assessing_case()
    item = vehicle(case)
    services.do_identify_vehicle(
        item, vehicle_model=catalogue.tcross_base, method="manual", actor=firm.zhangsan
    )
    line = {"kind": "replace", "name": "LED前大灯总成", "unit_price": "3600"}
    sheet = do_save_assessment_sheet(
        item, lines=[{**line, "part": catalogue.led.pk, "fitment_warning": ""}], actor=firm.zhangsan
    )
    assert sheet.lines.get().fitment_warning.startswith("低配高选")
    with pytest.raises(ServiceError) as exc:
        do_save_assessment_sheet(item, lines=[{**line, "part": 999999}], actor=firm.zhangsan)
    assert exc.value.fields == {"lines.0.part": ["目录中没有该配件。"]}


def test_applying_with_a_stale_case_version_is_a_conflict(firm, catalogue):
    case = firm.assessing_case()
    query = save_query(firm, catalogue, {"part": catalogue.bumper.pk})
    with pytest.raises(Conflict):
        services.do_apply_price_query(
            query, loss_item=vehicle(case), actor=firm.zhangsan, expected_version=case.version - 1
        )


def test_another_branch_cannot_see_or_apply_a_query(firm, catalogue, api):
    query = save_query(firm, catalogue, {"part": catalogue.bumper.pk})
    client = api(firm.wangwu)
    assert client.get(f"/api/v1/price-queries/{query.pk}").status_code == 404
    assert client.post(f"/api/v1/price-queries/{query.pk}/apply", {}).status_code == 404
    with pytest.raises(NotFound):
        services.do_apply_price_query(query, actor=firm.wangwu)


def test_a_query_cannot_point_at_a_case_outside_the_users_scope(firm, catalogue):
    case = firm.assessing_case()
    with pytest.raises(NotFound):
        save_query(
            firm, catalogue, {"part": catalogue.bumper.pk}, case=case.case_no, actor=firm.wangwu
        )


def test_the_price_query_api_saves_and_applies_in_one_call_each(firm, catalogue, api):
    case = firm.assessing_case()
    item = vehicle(case)
    client = api(firm.zhangsan)
    created = client.post(
        "/api/v1/price-queries",
        {
            "vehicle_model": catalogue.tcross_base.pk,
            "case": case.case_no,
            "loss_item": item.pk,
            "lines": [{"part": catalogue.led.pk, "price_type": "market"}],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["lines"][0]["unit_price"] == "3050.00"
    assert body["lines"][0]["fitment_warning"].startswith("低配高选")
    stale = client.post(
        f"/api/v1/price-queries/{body['id']}/apply", {"version": case.version - 1}, format="json"
    )
    assert stale.status_code == 409
    applied = client.post(
        f"/api/v1/price-queries/{body['id']}/apply", {"version": case.version}, format="json"
    )
    assert applied.status_code == 200, applied.json()
    line = applied.json()["lines"][0]
    assert line["price_query_line"] == body["lines"][0]["id"]
    assert line["fitment_warning"].startswith("低配高选")
    assert line["unit_price"] == "3050.00"


def test_bad_price_query_input_is_a_400_with_line_fields(firm, catalogue, api):
    response = api(firm.zhangsan).post(
        "/api/v1/price-queries",
        {"lines": [{"part": catalogue.bumper.pk, "quantity": "x"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "lines.0.quantity" in response.json()["error"]["fields"]


def test_the_identification_api_records_the_model_of_a_loss_item(firm, catalogue, api):
    case = firm.assessing_case()
    item = vehicle(case)
    response = api(firm.zhangsan).post(
        "/api/v1/vehicle-identifications",
        {
            "loss_item": item.pk,
            "vehicle_model": catalogue.tcross_lux.pk,
            "method": "vin",
            "vin": "LSVUB6C10K2053790",
            "version": case.version,
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert VehicleIdentification.objects.get(loss_item=item).vehicle_model == catalogue.tcross_lux
    other = api(firm.wangwu).post(
        "/api/v1/vehicle-identifications",
        {"loss_item": item.pk, "vehicle_model": catalogue.tcross_lux.pk},
        format="json",
    )
    assert other.status_code == 404


def test_the_query_list_takes_one_case_by_its_number(firm, catalogue, api):
    case, other = firm.assessing_case(), firm.assessing_case(plate="浙A67890")
    mine = save_query(firm, catalogue, {"part": catalogue.bumper.pk}, case=case.case_no)
    save_query(firm, catalogue, {"part": catalogue.fog.pk}, case=other.case_no)
    save_query(firm, catalogue, {"part": catalogue.wing.pk})
    client = api(firm.zhangsan)
    listed = client.get("/api/v1/price-queries", {"case": case.case_no}).json()["results"]
    assert [q["id"] for q in listed] == [mine.pk]
    assert len(client.get("/api/v1/price-queries").json()["results"]) == 3
    # Another branch's user does not see the case's query through the filter either.
    assert (
        api(firm.wangwu).get("/api/v1/price-queries", {"case": case.case_no}).json()["results"]
        == []
    )


def test_applying_with_the_sheets_version_ignores_other_changes_to_the_case(firm, catalogue, api):
    """A photo arriving meanwhile does not refuse an apply that carries the sheet's version
    (decision 0007, amended); a save of that sheet since still does."""
    from lossdesk.testing import add_damage_photo

    case = firm.assessing_case()
    item = vehicle(case)
    query = save_query(firm, catalogue, {"part": catalogue.bumper.pk}, case=case.case_no)
    client = api(firm.zhangsan)
    url = f"/api/v1/price-queries/{query.pk}/apply"
    add_damage_photo(case, actor=firm.zhangsan)
    applied = client.post(url, {"loss_item": item.pk, "sheet_version": 0}, format="json")
    assert applied.status_code == 200, applied.json()
    stale = client.post(url, {"loss_item": item.pk, "sheet_version": 0}, format="json")
    assert stale.status_code == 409
    assert stale.json()["error"]["current_sheet_version"] == 1
    again = client.post(url, {"loss_item": item.pk, "sheet_version": 1}, format="json")
    assert again.status_code == 200, again.json()
