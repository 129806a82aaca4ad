"""Each refusal of the parts API reaches the client as its code (parts.error_codes, or core's
shared codes for a state that forbids the action and an approval that lacks data)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lossdesk.parts import services
from lossdesk.testing import API, client_for, error_of, photo

pytestmark = pytest.mark.django_db

NOT_A_PK = 999_999


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"vin": "NOT-A-VIN"}, "vin_invalid"),
        ({}, "vin_or_make_required"),
        ({"make": "大众", "year": "二〇一九"}, "invalid"),
    ],
)
def test_a_vehicle_model_query_is_refused_with_its_code(firm, catalogue, params, code):
    response = client_for(firm.qianqi).get(f"{API}/vehicle-models", params)
    assert response.status_code == 400
    assert error_of(response)["code"] == code


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"q": ""}, "search_text_required"),
        ({"q": "保险杠", "model": NOT_A_PK}, "vehicle_model_not_found"),
    ],
)
def test_a_part_search_is_refused_with_its_code(firm, catalogue, params, code):
    response = client_for(firm.qianqi).get(f"{API}/parts", params)
    assert response.status_code == 400
    assert error_of(response)["code"] == code


def test_identifying_a_loss_item_that_is_not_a_vehicle_is_loss_item_not_vehicle(firm, catalogue):
    case = firm.assessing_case(property_loss=True)
    property_item = case.loss_items.get(kind="property")
    response = client_for(firm.zhangsan).post(
        f"{API}/vehicle-identifications",
        {"loss_item": property_item.pk, "vehicle_model": catalogue.tcross_lux.pk},
        format="json",
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "loss_item_not_vehicle"


def test_identifying_with_an_unknown_model_is_vehicle_model_not_found(firm, catalogue):
    item = firm.assessing_case().loss_items.get(seq=1)
    response = client_for(firm.zhangsan).post(
        f"{API}/vehicle-identifications",
        {"loss_item": item.pk, "vehicle_model": NOT_A_PK},
        format="json",
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "vehicle_model_not_found"


def _query(firm, catalogue, *lines, case=None):
    return services.do_save_price_query(
        {"vehicle_model": catalogue.tcross_base, "case": case, "lines": list(lines)},
        actor=firm.zhangsan,
    )


def test_applying_a_query_without_a_loss_item_is_loss_item_required(firm, catalogue):
    query = _query(firm, catalogue, {"part": catalogue.led.pk, "price_type": "market"})
    response = client_for(firm.zhangsan).post(
        f"{API}/price-queries/{query.pk}/apply", {}, format="json"
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "loss_item_required"


@pytest.mark.parametrize(
    ("lines", "code"),
    [([], "price_query_empty"), ([{"part": "no_price", "price_type": "4s"}], "prices_missing")],
)
def test_applying_a_query_that_cannot_price_the_sheet_is_refused(firm, catalogue, lines, code):
    case = firm.assessing_case()
    lines = [{**line, "part": getattr(catalogue, line["part"]).pk} for line in lines]
    query = _query(firm, catalogue, *lines, case=case)
    response = client_for(firm.zhangsan).post(
        f"{API}/price-queries/{query.pk}/apply",
        {"loss_item": case.loss_items.get(seq=1).pk},
        format="json",
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == code


def test_a_local_price_for_an_unknown_part_is_part_not_found(firm, catalogue):
    response = client_for(firm.zhoujiu).post(
        f"{API}/local-prices",
        {"part": NOT_A_PK, "price_type": "4s", "price": "240.00", "reason": "协议价"},
        format="json",
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "part_not_found"


def test_removing_a_local_price_without_a_reason_is_reason_required(firm, catalogue):
    override = services.do_set_local_price(
        catalogue.fog, price_type="4s", price="240", reason="协议价", actor=firm.zhoujiu
    )
    response = client_for(firm.zhoujiu).delete(
        f"{API}/local-prices/{override.pk}", {}, format="json"
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "reason_required"


def _answered_quote(firm, price_desk, **data):
    quote = services.do_request_manual_quote(
        {"part_name": "前保险杠饰条（左）", "deadline_hours": 4, **data},
        photos=[photo()],
        actor=firm.zhangsan,
    )
    return services.do_answer_manual_quote(quote, price="95", source="4S店", actor=price_desk)


def test_answering_an_approved_quote_is_an_illegal_transition(firm, catalogue, price_desk):
    quote = _answered_quote(firm, price_desk, vehicle_model=catalogue.tcross_base.pk)
    quote.oe_number = "2GM 853 765"
    quote.save(update_fields=["oe_number"])
    services.do_decide_manual_quote(quote, approve=True, actor=firm.zhoujiu)
    response = client_for(price_desk).post(
        f"{API}/manual-quotes/{quote.pk}/answer", {"price": "96", "source": "4S店"}, format="json"
    )
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "illegal_transition"
    assert error["current_state"] == "approved"


def test_approving_a_quote_not_yet_answered_is_refused_by_the_quote_table(firm, catalogue):
    quote = services.do_request_manual_quote(
        {
            "part_name": "前保险杠饰条（左）",
            "deadline_hours": 4,
            "vehicle_model": catalogue.tcross_base.pk,
        },
        photos=[photo()],
        actor=firm.zhangsan,
    )
    response = client_for(firm.zhoujiu).post(
        f"{API}/manual-quotes/{quote.pk}/approve", {}, format="json"
    )
    assert response.status_code == 409
    error = error_of(response)
    assert (error["code"], error["current_state"]) == ("illegal_transition", "open")
    assert error["message"] == "报价单当前状态为「待报价」，不能执行「审批入库」。"
    quote.refresh_from_db()
    assert quote.status == "open"


def test_rejecting_a_quote_without_a_note_is_note_required(firm, catalogue, price_desk):
    quote = _answered_quote(firm, price_desk, vehicle_model=catalogue.tcross_base.pk)
    response = client_for(firm.zhoujiu).post(
        f"{API}/manual-quotes/{quote.pk}/reject", {}, format="json"
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "note_required"


def test_approving_a_quote_without_oe_number_or_model_is_incomplete(firm, catalogue, price_desk):
    quote = _answered_quote(firm, price_desk, vehicle_description="一辆白色轿车")
    response = client_for(firm.zhoujiu).post(
        f"{API}/manual-quotes/{quote.pk}/approve", {}, format="json"
    )
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "incomplete"
    assert "oe_number" in error["fields"]


def test_starting_an_import_without_a_file_is_file_required(catalogue, price_desk):
    response = client_for(price_desk).post(f"{API}/catalogue-imports", {}, format="multipart")
    assert response.status_code == 400
    assert error_of(response)["code"] == "file_required"


def _previewed_import(price_desk, rows, capture):
    header = "oe_number,name,make,category,price_4s,price_market"
    upload = SimpleUploadedFile("c.csv", "\n".join([header, *rows, ""]).encode("utf-8"))
    with capture(execute=True):
        created = client_for(price_desk).post(
            f"{API}/catalogue-imports", {"file": upload}, format="multipart"
        )
    assert created.status_code == 201, created.content
    return created.json()["id"]


def test_confirming_an_import_without_valid_rows_is_no_valid_rows(
    catalogue, price_desk, django_capture_on_commit_callbacks
):
    pk = _previewed_import(
        price_desk, ["PR-1,前保险杠,宝腾,body,100,90"], django_capture_on_commit_callbacks
    )
    response = client_for(price_desk).post(f"{API}/catalogue-imports/{pk}/confirm")
    assert response.status_code == 400
    assert error_of(response)["code"] == "no_valid_rows"


def test_cancelling_a_finished_import_is_an_illegal_transition(
    catalogue, price_desk, django_capture_on_commit_callbacks
):
    pk = _previewed_import(
        price_desk, ["2GM 807 999,前保险杠,大众,body,1000,800"], django_capture_on_commit_callbacks
    )
    client = client_for(price_desk)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{API}/catalogue-imports/{pk}/confirm").status_code == 200
    again = client.post(f"{API}/catalogue-imports/{pk}/cancel")
    assert again.status_code == 409
    error = error_of(again)
    assert error["code"] == "illegal_transition"
    assert error["current_state"] == "done"
