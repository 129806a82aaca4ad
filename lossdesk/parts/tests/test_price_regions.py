"""Whose prices a look-up shows (decision 0032): for a case, the case's price branch — the
receiving branch of an accepted delegation (委托异地), else the case's own branch — with its
province's catalogue price and its own local price; outside a case, the user's branch. A
case the user cannot see gives no prices and does not say it exists.

The cast: 钱七 is an assessor of 杭州 (浙江). Their case is delegated to 南京 (江苏) and
accepted there. The front bumper's 4S price: 全国 1280, 浙江 1320, 江苏 1350; 杭州's own
price 1300, 南京's 1390."""

from decimal import Decimal

import pytest
from django.test import Client as PageClient
from django.urls import reverse

from lossdesk.core.errors import NotFound
from lossdesk.intake.services.delegation import (
    do_accept_delegation,
    do_request_delegation,
    do_return_delegation,
)
from lossdesk.intake.services.reports import do_register_report
from lossdesk.parts.choices import PriceType
from lossdesk.parts.models import PriceQuery
from lossdesk.parts.queries import case_price_branch_id, price_region
from lossdesk.parts.services import do_apply_price_query, do_save_price_query
from lossdesk.parts.testing import Catalogue, regional_bumper_prices
from lossdesk.testing import Firm, error_of

pytestmark = pytest.mark.django_db

DELEGATED_LABEL = "价格地区：江苏（案件受托机构 南京分公司）"
OWN_LABEL = "价格地区：浙江（本人所属 杭州分公司）"


@pytest.fixture
def catalogue(firm):
    catalogue = Catalogue()
    regional_bumper_prices(catalogue, hangzhou=firm.hangzhou, nanjing=firm.nanjing, by=firm.zhoujiu)
    return catalogue


@pytest.fixture
def nanjing_dispatcher(firm):
    return Firm.staff("nj_dispatcher", "南京调度", "dispatcher", firm.nanjing)


@pytest.fixture
def delegated(firm, nanjing_dispatcher):
    """A 杭州 case in 定损中, delegated to 南京 and accepted there."""
    case = firm.assessing_case()
    delegation = do_request_delegation(case, to_branch=firm.nanjing, actor=firm.zhaoliu)
    do_accept_delegation(delegation, actor=nanjing_dispatcher)
    case.refresh_from_db()
    return case


def bumper_4s(prices: list[dict]) -> dict:
    return next(p for p in prices if p["price_type"] == PriceType.DEALER_4S)


def api_search(api, user, **params):
    return api(user).get(reverse("parts-search"), {"q": "前保险杠", **params})


def bumper_hit(body, catalogue) -> dict:
    return next(h for h in body["results"] if h["id"] == catalogue.bumper.pk)


# --------------------------------------------------------------------------- the rule


def test_a_case_is_priced_at_its_own_branch_until_a_delegation_is_accepted(
    firm, nanjing_dispatcher
):
    case = firm.assessing_case()
    assert case_price_branch_id(case) == firm.hangzhou.pk
    delegation = do_request_delegation(case, to_branch=firm.nanjing, actor=firm.zhaoliu)
    assert case_price_branch_id(case) == firm.hangzhou.pk  # requested only
    do_accept_delegation(delegation, actor=nanjing_dispatcher)
    assert case_price_branch_id(case) == firm.nanjing.pk
    region = price_region(firm.qianqi, case)
    assert (region.branch, region.province, region.label) == (firm.nanjing, "江苏", DELEGATED_LABEL)
    do_return_delegation(delegation, reason="车辆已拖回杭州", actor=nanjing_dispatcher)
    assert case_price_branch_id(case) == firm.hangzhou.pk
    assert price_region(firm.qianqi, case).label == "价格地区：浙江（案件所属 杭州分公司）"


def test_outside_a_case_the_users_own_branch_prices(firm):
    assert price_region(firm.qianqi).label == OWN_LABEL
    assert price_region(firm.qianqi).branch == firm.hangzhou


# ------------------------------------------------------------------------------ the API


def test_the_api_search_for_a_case_gives_the_case_regions_price_and_local_price(
    firm, catalogue, delegated, api
):
    response = api_search(api, firm.qianqi, case=delegated.case_no)
    assert response.status_code == 200
    body = response.json()
    assert body["price_region"] == {
        "province": "江苏",
        "branch": "南京分公司",
        "case": delegated.case_no,
        "label": DELEGATED_LABEL,
    }
    price = bumper_4s(bumper_hit(body, catalogue)["prices"])
    assert (price["catalogue_price"], price["region"]) == ("1350.00", "江苏")
    assert (price["local_price"], price["local_branch"]) == ("1390.00", "南京分公司")
    assert price["price"] == "1390.00"


def test_the_api_search_outside_a_case_keeps_the_users_branch(firm, catalogue, delegated, api):
    body = api_search(api, firm.qianqi).json()
    assert body["price_region"]["label"] == OWN_LABEL
    assert body["price_region"]["case"] is None
    price = bumper_4s(bumper_hit(body, catalogue)["prices"])
    assert (price["catalogue_price"], price["region"]) == ("1320.00", "浙江")
    assert (price["local_price"], price["local_branch"]) == ("1300.00", "杭州分公司")


def test_an_hq_user_on_another_provinces_case_gets_that_province(firm, catalogue, api):
    """No delegation: the case's own branch. 总部 has no province (全国 prices)."""
    nanjing = Firm.staff("nj_dispatcher2", "南京调度", "dispatcher", firm.nanjing)
    case = do_register_report(firm.report_data(plate="苏A12345"), actor=nanjing)
    assert case.branch == firm.nanjing
    reviewer = Firm.staff("hq_reviewer", "总部审核", "reviewer", firm.hq)
    price = bumper_4s(bumper_hit(api_search(api, reviewer).json(), catalogue)["prices"])
    assert (price["catalogue_price"], price["region"], price["local_price"]) == (
        "1280.00",
        "全国",
        None,
    )
    body = api_search(api, reviewer, case=case.case_no).json()
    assert body["price_region"]["label"] == "价格地区：江苏（案件所属 南京分公司）"
    price = bumper_4s(bumper_hit(body, catalogue)["prices"])
    assert (price["catalogue_price"], price["region"], price["local_price"]) == (
        "1350.00",
        "江苏",
        "1390.00",
    )


def test_the_api_part_detail_takes_the_case_too(firm, catalogue, delegated, api):
    url = reverse("parts-detail", args=[catalogue.bumper.pk])
    body = api(firm.qianqi).get(url, {"case": delegated.case_no}).json()
    assert body["price_region"]["label"] == DELEGATED_LABEL
    assert bumper_4s(body["prices"])["local_price"] == "1390.00"
    body = api(firm.qianqi).get(url).json()
    assert bumper_4s(body["prices"])["local_price"] == "1300.00"


def test_a_case_outside_the_scope_is_a_404_like_a_case_that_does_not_exist(
    firm, catalogue, delegated, api
):
    """王五 (宁波 surveyor, own scope) cannot see the case: no prices, no hint it exists."""
    refused = api_search(api, firm.wangwu, case=delegated.case_no)
    missing = api_search(api, firm.wangwu, case="NOSUCHCASE")
    assert refused.status_code == missing.status_code == 404
    assert error_of(refused) == error_of(missing)
    detail = reverse("parts-detail", args=[catalogue.bumper.pk])
    assert api(firm.wangwu).get(detail, {"case": delegated.case_no}).status_code == 404


# ---------------------------------------------------------------------- price queries


def test_a_price_query_for_a_case_takes_the_case_regions_prices(firm, catalogue, delegated):
    item = delegated.loss_items.get(seq=1)
    query = do_save_price_query(
        {
            "case": delegated.case_no,
            "loss_item": item.pk,
            "lines": [{"part": catalogue.bumper.pk, "price_type": PriceType.DEALER_4S}],
        },
        actor=firm.qianqi,
    )
    line = query.current_lines.get()
    assert line.unit_price == Decimal("1390.00")
    assert line.catalogue_price == Decimal("1350.00")
    assert line.source.startswith("本地价（南京分公司）")
    # the query's prices are 南京's; the query stays its author's (who sees it)
    assert (query.price_branch, query.branch) == (firm.nanjing, firm.hangzhou)
    assert PriceQuery.objects.for_user(firm.qianqi).filter(pk=query.pk).exists()


def test_a_price_query_without_a_case_keeps_the_authors_prices(firm, catalogue):
    query = do_save_price_query(
        {"lines": [{"part": catalogue.bumper.pk, "price_type": PriceType.DEALER_4S}]},
        actor=firm.qianqi,
    )
    assert query.current_lines.get().unit_price == Decimal("1300.00")
    assert query.price_branch == firm.hangzhou


def test_applying_a_query_priced_elsewhere_to_a_case_takes_the_cases_prices(
    firm, catalogue, delegated
):
    query = do_save_price_query(
        {"lines": [{"part": catalogue.bumper.pk, "price_type": PriceType.DEALER_4S}]},
        actor=firm.qianqi,
    )
    assert query.current_lines.get().unit_price == Decimal("1300.00")
    item = delegated.loss_items.get(seq=1)
    sheet = do_apply_price_query(query, loss_item=item, actor=firm.qianqi)
    line = sheet.lines.get(part=catalogue.bumper)
    assert line.unit_price == Decimal("1390.00")
    assert "南京分公司" in line.price_source
    query.refresh_from_db()
    assert query.price_branch == firm.nanjing
    assert query.current_lines.get().unit_price == Decimal("1390.00")


def test_a_query_for_a_case_out_of_scope_is_refused(firm, catalogue, delegated):
    with pytest.raises(NotFound):
        do_save_price_query(
            {
                "case": delegated.case_no,
                "lines": [{"part": catalogue.bumper.pk, "price_type": PriceType.DEALER_4S}],
            },
            actor=firm.wangwu,
        )


# -------------------------------------------------------------------- back-office pages


def page(user, url, **params) -> str:
    client = PageClient()
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_search_opened_from_a_cases_query_shows_the_case_regions_prices(
    firm, catalogue, delegated
):
    query = do_save_price_query({"case": delegated.case_no, "lines": []}, actor=firm.qianqi)
    html = page(firm.qianqi, reverse("parts:search"), q="前保险杠", query=query.pk)
    assert DELEGATED_LABEL in html
    assert "1,350.00" in html and "1,390.00" in html
    assert "1,320.00" not in html and "1,300.00" not in html
    assert f"?query={query.pk}" in html  # the part page keeps the case's prices
    detail = page(
        firm.qianqi, reverse("parts:part-detail", args=[catalogue.bumper.pk]), query=query.pk
    )
    assert DELEGATED_LABEL in detail and "1,390.00" in detail
    query_page = page(firm.qianqi, reverse("parts:query-detail", args=[query.pk]))
    assert "江苏（案件受托机构 南京分公司）" in query_page


def test_the_search_outside_a_case_shows_the_users_prices(firm, catalogue, delegated):
    html = page(firm.qianqi, reverse("parts:search"), q="前保险杠")
    assert OWN_LABEL in html
    assert "1,320.00" in html and "1,300.00" in html
    assert "1,390.00" not in html


def test_a_query_the_user_cannot_see_gives_their_own_prices_only(firm, catalogue, delegated):
    query = do_save_price_query({"case": delegated.case_no, "lines": []}, actor=firm.qianqi)
    html = page(firm.wangwu, reverse("parts:search"), q="前保险杠", query=query.pk)
    assert "价格地区：浙江（本人所属 宁波分公司）" in html
    assert query.query_no not in html and "南京" not in html
