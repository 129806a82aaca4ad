"""The phone's parts search on the on-site assessment page, narrowed as the back office's is:
to the vehicle's identified model (车辆定型) with the prices the back office shows, widened to
every model only when the surveyor ticks 全部车型; an unidentified vehicle is said to be so,
with the back office's identification from the report's VIN; and only for positions that
may read the catalogue. The page hands field.js / sheet.js the search URL and the model
(data-url, data-model): the tests search exactly as those scripts do, through parts' API
with the page's session (the browser test drives the scripts themselves)."""

import re
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client as PageClient
from django.urls import reverse

from lossdesk.parts.queries import prices_for
from lossdesk.parts.services import do_identify_vehicle
from lossdesk.parts.testing import Catalogue
from lossdesk.testing import VALID_VINS

pytestmark = pytest.mark.django_db


def session(user) -> PageClient:
    client = PageClient()
    client.force_login(user)
    return client


def page(client, case) -> str:
    response = client.get(reverse("field:assessment", args=[case.case_no]))
    assert response.status_code == 200
    return response.content.decode()


def search_card(html: str) -> dict:
    """The parts search card's URL, its case and each vehicle's scope (seq → attributes),
    as the scripts read them."""
    card = re.search(
        r'class="m-card" data-(?:sheet|parts)-search data-url="([^"]+)" data-case="([^"]*)"',
        html,
    )
    assert card, "no parts search on the page"
    scopes = {}
    for tag in re.findall(r"<div class=\"m-scope\"[^>]*>", html):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
        scopes[int(attrs["data-seq"])] = attrs
    return {"url": card.group(1), "case": card.group(2), "scopes": scopes}


def search(client, card, seq, q, *, all_models=False) -> dict:
    """FieldParts.url: the vehicle's model unless 全部车型 is ticked, and the case (whose
    prices apply: decision 0032)."""
    params = {"q": q, "limit": 20, "case": card["case"]}
    model = card["scopes"][seq].get("data-model")
    if model and not all_models:
        params["model"] = model
    response = client.get(card["url"], params)
    assert response.status_code == 200
    return response.json()


def identified_case(firm, catalogue, model=None):
    case = firm.assessing_case()
    do_identify_vehicle(
        case.loss_items.get(seq=1),
        vehicle_model=model or catalogue.tcross_base,
        vin=VALID_VINS[0],
        method="vin",
        actor=firm.qianqi,
    )
    return case


def test_an_identified_vehicle_is_searched_for_its_own_models_parts(firm):
    catalogue = Catalogue()
    case = identified_case(firm, catalogue)
    client = session(firm.zhangsan)  # 张三, the case's surveyor
    html = page(client, case)
    card = search_card(html)
    assert card["scopes"][1]["data-model"] == str(catalogue.tcross_base.pk)
    assert "已定型：<strong>大众 途铠 2019款 1.5L 舒适版</strong>，只查适用该车型的配件。" in html
    assert 'data-testid="parts-all-models"' in html  # the deliberate widening is offered

    body = search(client, card, 1, "前保险杠")
    assert body["model"] == catalogue.tcross_base.pk
    # 途铠's bumper only: not 朗逸's nor the Tesla's, whatever their names.
    assert [hit["id"] for hit in body["results"]] == [catalogue.bumper.pk]
    # With the prices of the case's branch (杭州: 浙江's 4S price), as the back office shows them.
    dealer = next(p for p in body["results"][0]["prices"] if p["price_type"] == "4s")
    assert (dealer["price"], dealer["region"]) == ("1320.00", "浙江")
    office = prices_for([catalogue.bumper], branch=firm.zhangsan.branch)[catalogue.bumper.pk]
    assert [(p["price_type"], Decimal(p["price"])) for p in body["results"][0]["prices"]] == [
        (p.price_type, p.price) for p in office
    ]


def test_all_models_widens_the_search_to_every_models_parts(firm):
    catalogue = Catalogue()
    case = identified_case(firm, catalogue)
    client = session(firm.zhangsan)
    card = search_card(page(client, case))
    narrowed = search(client, card, 1, "前保险杠")
    widened = search(client, card, 1, "前保险杠", all_models=True)
    assert widened["model"] is None
    assert {hit["id"] for hit in widened["results"]} >= {
        catalogue.bumper.pk,
        catalogue.langyi_bumper.pk,
        catalogue.tesla_bumper.pk,
    }
    assert len(widened["results"]) > len(narrowed["results"])
    # A part the identified model has none of: nothing narrowed, found once widened.
    assert search(client, card, 1, "1084167")["results"] == []
    assert [h["id"] for h in search(client, card, 1, "1084167", all_models=True)["results"]] == [
        catalogue.tesla_bumper.pk
    ]


def test_an_unidentified_vehicle_is_said_so_with_identification_from_the_vin(firm):
    catalogue = Catalogue()
    case = firm.assessing_case()
    client = session(firm.zhangsan)
    html = page(client, case)
    card = search_card(html)
    assert "data-model" not in card["scopes"][1] and "data-model" not in card["scopes"][2]
    assert "1. 本车 浙A12345 尚未定型：查询全部车型的配件，请核对是否适用本车。" in html
    # Every model's bumpers, as before identification.
    found = {hit["id"] for hit in search(client, card, 1, "前保险杠")["results"]}
    assert {catalogue.bumper.pk, catalogue.langyi_bumper.pk, catalogue.tesla_bumper.pk} <= found

    # The insured vehicle: the back office's identification from the report's VIN, back
    # to the phone once chosen.
    links = re.findall(r'<a href="([^"]+)" data-testid="parts-identify">([^<]+)</a>', html)
    assert [text for _, text in links] == [f"按 VIN {VALID_VINS[0]} 定型", "车辆定型"]
    link = urlsplit(unescape(links[0][0]))
    params = parse_qs(link.query)
    item = case.loss_items.get(seq=1)
    phone = reverse("field:assessment", args=[case.case_no])
    assert link.path == reverse("parts:identify")
    assert params == {"loss_item": [str(item.pk)], "vin": [VALID_VINS[0]], "next": [phone]}
    identify = client.get(unescape(links[0][0])).content.decode()
    assert f'name="next" value="{phone}"' in identify
    assert f'data-candidate="{catalogue.tcross_base.code}"' in identify
    chosen = client.post(
        reverse("parts:identify-save"),
        {
            "loss_item": item.pk,
            "vehicle_model": catalogue.tcross_base.pk,
            "vin": VALID_VINS[0],
            "method": "vin",
            "next": phone,
        },
    )
    assert chosen.status_code == 302 and chosen.url == phone
    assert search_card(page(client, case))["scopes"][1]["data-model"] == str(
        catalogue.tcross_base.pk
    )


def test_identification_goes_back_only_to_a_page_of_this_site(firm):
    catalogue = Catalogue()
    case = firm.assessing_case()
    item = case.loss_items.get(seq=1)
    answer = session(firm.zhangsan).post(
        reverse("parts:identify-save"),
        {
            "loss_item": item.pk,
            "vehicle_model": catalogue.tcross_base.pk,
            "method": "manual",
            "next": "https://example.com/m/",
        },
    )
    assert answer.status_code == 302 and answer.url == f"/cases/{case.case_no}/"


def test_only_positions_that_may_read_the_catalogue_get_the_search(firm):
    catalogue = Catalogue()
    case = identified_case(firm, catalogue)
    # 赵六, dispatcher: sees the case, may not read parts or prices.
    dispatcher = session(firm.zhaoliu)
    html = page(dispatcher, case)
    assert "配件查价" not in html and "data-parts-scope" not in html
    assert "parts-identify" not in html
    answer = dispatcher.get(reverse("parts-search"), {"q": "前保险杠"})
    assert answer.status_code == 403
    answer = dispatcher.get(
        reverse("parts-search"), {"q": "前保险杠", "model": catalogue.tcross_base.pk}
    )
    assert answer.status_code == 403
    # 李四, reviewer: the look-up narrowed the same way, but no identification to offer.
    reviewer = session(firm.lisi)
    other = firm.assessing_case()
    html = page(reviewer, other)
    assert "data-parts-search" in html and "尚未定型" in html
    assert "parts-identify" not in html
    card = search_card(page(reviewer, case))
    assert [h["id"] for h in search(reviewer, card, 1, "前保险杠")["results"]] == [
        catalogue.bumper.pk
    ]
    # A case in review: the sheet cannot be saved, so no identification is offered.
    html = page(session(firm.qianqi), firm.in_review_case())
    assert "尚未定型" in html and "parts-identify" not in html
    # A user of another branch: the case is not there at all.
    assert (
        session(firm.wangwu).get(reverse("field:assessment", args=[case.case_no])).status_code
        == 404
    )
