"""The phone's parts search prices a case at the case's price branch (decision 0032): 钱七,
an assessor of 杭州 (浙江), on a 杭州 case delegated to 南京 (江苏) and accepted there, gets
江苏's catalogue price and 南京's own price, and the page says so; outside a case (the back
office's search) still 浙江 and 杭州's. The tests search as field.js / sheet.js do
(`FieldParts.url`: the card's search URL with its `case`); the browser test drives them."""

import pytest
from django.urls import reverse

from lossdesk.claims.tests.test_browser_path import ARGS, ARTIFACTS, CHROMIUM
from lossdesk.field.tests.test_browser import phone_login
from lossdesk.field.tests.test_parts_search import page, search, search_card, session
from lossdesk.intake.services.delegation import do_accept_delegation, do_request_delegation
from lossdesk.parts.testing import Catalogue, regional_bumper_prices
from lossdesk.testing import Firm

DELEGATED_LABEL = "价格地区：江苏（案件受托机构 南京分公司）"


def delegated_case(firm):
    """A 杭州 case in 定损中, delegated to 南京 and accepted there; the bumper priced in
    浙江 and 江苏 with 杭州's and 南京's own prices."""
    catalogue = Catalogue()
    regional_bumper_prices(catalogue, hangzhou=firm.hangzhou, nanjing=firm.nanjing, by=firm.zhoujiu)
    case = firm.assessing_case()
    delegation = do_request_delegation(case, to_branch=firm.nanjing, actor=firm.zhaoliu)
    receiving = Firm.staff("nj_dispatcher", "南京调度", "dispatcher", firm.nanjing)
    do_accept_delegation(delegation, actor=receiving)
    return catalogue, case


def dealer(hit) -> dict:
    return next(p for p in hit["prices"] if p["price_type"] == "4s")


@pytest.mark.django_db
def test_the_phone_search_of_a_delegated_case_has_the_receiving_branchs_prices(firm):
    catalogue, case = delegated_case(firm)
    client = session(firm.qianqi)
    html = page(client, case)
    assert f'data-testid="price-region">{DELEGATED_LABEL}</p>' in html
    card = search_card(html)
    assert card["case"] == case.case_no
    body = search(client, card, 1, "前保险杠")
    assert body["price_region"]["label"] == DELEGATED_LABEL
    hit = next(h for h in body["results"] if h["id"] == catalogue.bumper.pk)
    price = dealer(hit)
    assert (price["catalogue_price"], price["region"]) == ("1350.00", "江苏")
    assert (price["price"], price["local_branch"]) == ("1390.00", "南京分公司")


@pytest.mark.django_db
def test_outside_the_case_the_same_user_still_gets_their_own_branchs_prices(firm):
    catalogue, _ = delegated_case(firm)
    client = session(firm.qianqi)
    body = client.get(reverse("parts-search"), {"q": "前保险杠"}).json()
    assert body["price_region"]["label"] == "价格地区：浙江（本人所属 杭州分公司）"
    price = dealer(next(h for h in body["results"] if h["id"] == catalogue.bumper.pk))
    assert (price["catalogue_price"], price["price"]) == ("1320.00", "1300.00")


@pytest.mark.django_db
def test_a_case_out_of_scope_shows_neither_page_nor_prices(firm):
    _, case = delegated_case(firm)
    client = session(firm.wangwu)  # 宁波, own scope: not their case
    assert client.get(reverse("field:assessment", args=[case.case_no])).status_code == 404
    answer = client.get(reverse("parts-search"), {"q": "前保险杠", "case": case.case_no})
    assert answer.status_code == 404
    assert "results" not in answer.json()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/bootstrap.sh)")
def test_the_phone_adds_the_case_regions_price_to_the_sheet(live_server, firm):
    from playwright.sync_api import expect, sync_playwright

    _, case = delegated_case(firm)
    url = live_server.url + reverse("field:assessment", args=[case.case_no])
    problems: list[str] = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context, phone = phone_login(browser, live_server.url, "qianqi", problems)
        phone.goto(url)
        expect(phone.locator("[data-testid=price-region]")).to_have_text(DELEGATED_LABEL)
        phone.fill("[data-testid=parts-q]", "2GM807221")
        phone.click("[data-parts-form] button")
        hit = phone.locator("[data-testid=part-hit]", has_text="2GM 807 221")
        expect(hit).to_have_count(1)
        hit.locator("[data-testid=add-part]", has_text="4S").click()
        line = phone.locator("#sheet-1 [data-line]").last
        expect(line.locator("[name=unit_price]")).to_have_value("1390")
        expect(line.locator("[data-source]")).to_contain_text("南京分公司")
        context.close()
        browser.close()
    assert problems == []
