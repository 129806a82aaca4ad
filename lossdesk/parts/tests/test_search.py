"""The part search on the database the tests run on (SQLite by default, PostgreSQL with
DATABASE_URL): both paths — FTS5 / pg_trgm for 3+ characters, LIKE for 1–2 — must agree."""

from decimal import Decimal

import pytest
from django.db import connection

from lossdesk.parts.models import LocalPriceOverride, PartName
from lossdesk.parts.queries import search_parts
from lossdesk.parts.text import QueryKind, classify_query

pytestmark = pytest.mark.django_db


def names(result) -> list[str]:
    return [hit.part.name for hit in result.hits]


def oes(result) -> list[str]:
    return [hit.part.oe_number for hit in result.hits]


@pytest.mark.parametrize(
    ("typed", "kind", "term"),
    [
        ("前杠", QueryKind.NAME, "前杠"),
        (" 前 保险杠 ", QueryKind.NAME, "前保险杠"),
        ("QBXG", QueryKind.PINYIN, "qbxg"),
        ("5g0-807 221", QueryKind.OE, "5G0807221"),
        ("", QueryKind.EMPTY, ""),
    ],
)
def test_queries_are_classified_and_normalised(typed, kind, term):
    assert classify_query(typed) == (kind, term)


def test_a_single_chinese_character_finds_every_name_containing_it(catalogue):
    result = search_parts("灯", limit=50)
    assert set(names(result)) == {"前大灯总成（卤素）", "LED前大灯总成", "前雾灯"}
    assert result.kind == QueryKind.NAME


def test_two_characters_match_names_and_aliases(catalogue):
    by_name = search_parts("雾灯")
    assert names(by_name) == ["前雾灯"]
    by_alias = search_parts("前杠", limit=50)
    assert set(oes(by_alias)) == {"2GM 807 221", "18G-807-221-A", "1084167-00-E"}
    assert {hit.match for hit in by_alias.hits} == {"别名"}


def test_three_or_more_characters_use_the_trigram_index_and_rank_exact_names_first(catalogue):
    result = search_parts("保险杠", limit=50)
    assert set(names(result)) == {"前保险杠", "后保险杠"}
    exact = search_parts("前保险杠", limit=50)
    assert names(exact)[0] == "前保险杠"
    assert exact.hits[0].match == "名称"
    assert "后保险杠" not in names(exact)


def test_an_alias_of_three_characters_is_found_through_the_index(catalogue):
    assert set(names(search_parts("前照灯"))) == {"前大灯总成（卤素）"}


def test_pinyin_initials_and_full_pinyin_find_the_chinese_name(catalogue):
    assert set(names(search_parts("qbxg", limit=50))) == {"前保险杠"}
    assert set(names(search_parts("qianbao", limit=50))) == {"前保险杠"}
    assert names(search_parts("yzb")) == ["翼子板（左前）"]
    assert search_parts("yzb").hits[0].match == "拼音开头"
    # initials of an alias: 左前翼子板 → zqyzb
    assert names(search_parts("zqyzb")) == ["翼子板（左前）"]
    assert search_parts("zqyzb").hits[0].match == "别名拼音"


def test_two_letter_pinyin_initials_work_without_the_trigram_index(catalogue):
    assert set(names(search_parts("wd"))) == {"前雾灯"}


def test_oe_numbers_match_with_or_without_separators(catalogue):
    for typed in ("2GM807221", "2gm 807 221", "2GM-807-221"):
        result = search_parts(typed)
        assert oes(result) == ["2GM 807 221"], typed
        assert result.hits[0].match == "OE号"
    prefix = search_parts("2GM941")
    assert oes(prefix) == ["2GM 941 005", "2GM 941 035 B", "2GM 941 699"]
    assert prefix.hits[0].match == "OE号开头"
    assert oes(search_parts("18G807221A")) == ["18G-807-221-A"]


def test_letters_that_are_no_pinyin_fall_back_to_an_oe_prefix(catalogue):
    assert set(oes(search_parts("GM", limit=50))) == set()  # too short for the fallback
    assert oes(search_parts("GMX")) == []


def test_an_identified_model_restricts_the_search_to_the_parts_that_fit(catalogue):
    result = search_parts("保险杠", model=catalogue.langyi_base)
    assert oes(result) == ["18G-807-221-A"]
    lamps = search_parts("灯", model=catalogue.tcross_base, limit=50)
    assert set(names(lamps)) == {"前大灯总成（卤素）", "前雾灯"}  # the LED lamp fits the top trim
    top = search_parts("dd", model=catalogue.tcross_top, limit=50)
    assert set(names(top)) == {"LED前大灯总成"}
    assert oes(search_parts("2GM941", model=catalogue.tcross_top)) == [
        "2GM 941 035 B",
        "2GM 941 699",
    ]


def test_results_are_paged_with_a_has_more_flag(catalogue):
    first = search_parts("前", limit=2)
    second = search_parts("前", limit=2, offset=2)
    assert len(first.hits) == 2 and first.has_more
    assert not set(oes(first)) & set(oes(second))
    everything = search_parts("前", limit=100)
    assert not everything.has_more
    assert oes(everything)[:4] == oes(first) + oes(second)


def test_prices_come_with_the_branch_province_before_the_nationwide_price(firm, catalogue):
    hangzhou = search_parts("2GM807221", branch=firm.hangzhou).hits[0]
    nanjing = search_parts("2GM807221", branch=firm.nanjing).hits[0]
    assert hangzhou.price("4s").catalogue_price == Decimal("1320.00")
    assert hangzhou.price("4s").region == "浙江"
    assert nanjing.price("4s").catalogue_price == Decimal("1280.00")  # latest 全国 price
    assert [p.price_type for p in nanjing.prices] == ["4s", "market", "brand"]


def test_a_local_price_is_shown_beside_the_catalogue_price(firm, catalogue):
    LocalPriceOverride.objects.create(
        branch=firm.zhejiang,
        part=catalogue.bumper,
        price_type="market",
        price=Decimal("999.00"),
        reason="本省协议价",
        updated_by=firm.zhoujiu,
    )
    info = search_parts("2GM807221", branch=firm.hangzhou).hits[0].price("market")
    assert info.catalogue_price == Decimal("1050.00")
    assert info.local_price == Decimal("999.00")
    assert info.price == Decimal("999.00")
    assert info.local_branch == "浙江分公司"
    other = search_parts("2GM807221", branch=firm.nanjing).hits[0].price("market")
    assert other.local_price is None


def test_renaming_a_standard_name_keeps_the_search_index_in_step(catalogue):
    name = PartName.objects.get(name="前雾灯")
    name.aliases = "雾灯 防雾灯总成"
    name.save()
    assert names(search_parts("防雾灯总成")) == ["前雾灯"]
    assert names(search_parts("fwdzc")) == ["前雾灯"]


def test_the_database_has_its_vendor_search_index(catalogue):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM parts_partname_fts")
            assert cursor.fetchone()[0] == PartName.objects.count()
        else:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'parts_partname_search_trgm'"
            )
            assert "gin_trgm_ops" in cursor.fetchone()[0]


def test_the_search_api_returns_ranked_parts_with_prices(firm, catalogue, api):
    response = api(firm.qianqi).get(
        "/api/v1/parts", {"q": "qbxg", "model": catalogue.tcross_base.pk}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "pinyin"
    assert body["model"] == catalogue.tcross_base.pk
    (hit,) = body["results"]
    assert hit["oe_number"] == "2GM 807 221"
    assert hit["aliases"] == ["前杠", "前保险杠皮"]
    assert hit["prices"][0] == {
        "price_type": "4s",
        "label": "4S店价（原厂）",
        "price": "1320.00",
        "catalogue_price": "1320.00",
        "region": "浙江",
        "effective_from": "2026-01-01",
        "source": "厂家指导价",
        "local_price": None,
        "local_branch": "",
        "local_reason": "",
    }


@pytest.mark.parametrize(
    "params", [{"q": ""}, {"q": "灯", "model": "abc"}, {"q": "灯", "model": 999999}]
)
def test_bad_search_parameters_are_a_400(firm, catalogue, api, params):
    response = api(firm.qianqi).get("/api/v1/parts", params)
    assert response.status_code == 400


def test_the_search_api_needs_the_catalogue_permission(firm, catalogue, api):
    assert api(firm.zhaoliu).get("/api/v1/parts", {"q": "灯"}).status_code == 403


def test_a_part_added_or_removed_one_by_one_keeps_the_name_counts(catalogue):
    from lossdesk.parts.models import Part

    fog = PartName.objects.get(name="前雾灯")
    assert fog.part_count == 1
    extra = Part.objects.create(
        make=catalogue.toyota,
        standard_name=fog,
        name="前雾灯",
        oe_number="81210-02A10",
        category="lamps",
    )
    fog.refresh_from_db()
    assert fog.part_count == 2
    assert set(oes(search_parts("雾灯"))) == {"2GM 941 699", "81210-02A10"}
    extra.delete()
    fog.refresh_from_db()
    assert fog.part_count == 1


def test_pages_of_an_unrestricted_search_skip_whole_names_by_their_counts(catalogue):
    everything = oes(search_parts("q", limit=100))  # initials starting with q: 前… names
    pages = [oes(search_parts("q", limit=3, offset=o)) for o in range(0, len(everything), 3)]
    assert [oe for page in pages for oe in page] == everything
    assert len(everything) == len(set(everything)) >= 6
