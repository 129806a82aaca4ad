import hashlib
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from lossdesk.parts.identification import identify_vin
from lossdesk.parts.models import Make, Part, PartFitment, PartName, PartPrice, VinRule
from lossdesk.parts.queries import search_parts

pytestmark = pytest.mark.django_db


def seed(n: int, *extra: str) -> str:
    out = StringIO()
    call_command("seed_parts", "--parts", str(n), *extra, stdout=out)
    return out.getvalue()


def digest() -> str:
    rows = Part.objects.order_by("oe_normalized", "make__name").values_list(
        "make__name", "oe_number", "name", "category"
    )
    prices = PartPrice.objects.order_by(
        "part__oe_normalized", "price_type", "region", "effective_from"
    )
    text = repr(list(rows)) + repr(
        list(prices.values_list("part__oe_number", "price_type", "region", "price"))
    )
    return hashlib.sha256(text.encode()).hexdigest()


def test_the_demo_catalogue_is_deterministic_and_refuses_to_overwrite():
    seed(400)
    first = digest()
    with pytest.raises(CommandError):
        seed(400)
    seed(400, "--reset")
    assert digest() == first
    seed(400, "--reset", "--seed", "7")
    assert digest() != first


def test_the_demo_catalogue_is_believable():
    seed(600)
    assert Part.objects.count() == 600
    assert set(Make.objects.values_list("name", flat=True)) >= {"大众", "丰田", "比亚迪", "特斯拉"}
    assert Make.objects.get(name="大众").wmi_list == ["LSV", "LFV"]
    names = PartName.objects.get(name="前保险杠")
    assert {"前杠", "前保险杠皮"} <= set(names.alias_list)
    assert names.name_initials == "qbxg"
    assert sum(PartName.objects.values_list("part_count", flat=True)) == 600
    # price types keep their order on every part
    by_part: dict[int, dict[str, object]] = {}
    for part_id, price_type, price in PartPrice.objects.filter(
        region="全国", effective_from="2026-01-01"
    ).values_list("part_id", "price_type", "price"):
        by_part.setdefault(part_id, {})[price_type] = price
    order = ["4s", "market", "brand", "reman"]
    for prices in by_part.values():
        values = [prices[t] for t in order if t in prices]
        assert values == sorted(values, reverse=True) and len(set(values)) == len(values)
        assert "4s" in prices and "market" in prices
    # every part fits at least one model, and the LED lamps only the higher trims
    assert not Part.objects.exclude(pk__in=PartFitment.objects.values("part_id")).exists()
    led = PartFitment.objects.filter(part__name__startswith="LED前大灯总成")
    assert led.exists() and not led.filter(model__trim_level=1).exists()
    # the real VINs of the rules section identify through the seeded rules
    assert VinRule.objects.filter(wmi="LSV").exists()
    tcross = identify_vin("LSVUB6C10K2053790").candidates
    assert {c.model.series.name for c in tcross} == {"途铠"}
    assert {c.model.year for c in tcross} == {2019}
    model3 = identify_vin("LRW3E7FAXRC093951").candidates
    assert {c.model.series.name for c in model3} == {"Model 3"}
    assert search_parts("qbxg").hits[0].part.name == "前保险杠"


def test_the_seeded_database_keeps_its_indexes():
    seed(50)
    with connection.cursor() as cursor:
        names = {
            c
            for c in connection.introspection.get_constraints(cursor, "parts_part")
            if c != "__primary__"
        }
    assert "uniq_part_make_oe" in names and "part_name_order" in names


def test_the_benchmark_prints_one_json_line_with_every_kind():
    seed(300)
    out = StringIO()
    call_command("bench_parts", "--queries", "3", "--warmup", "0", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert result["parts"] == 300 and result["vendor"] == connection.vendor
    assert set(result["kinds"]) == {
        "cn_1_char",
        "cn_2_chars",
        "cn_3plus_chars",
        "oe_number",
        "pinyin_initials",
        "model_restricted",
    }
    for figures in result["kinds"].values():
        assert figures["p95_ms"] >= figures["p50_ms"] > 0
        assert figures["bare_sql_p95_ms"] > 0
    assert result["kinds"]["cn_1_char"]["avg_rows"] > 10


def test_the_benchmark_needs_a_catalogue():
    with pytest.raises(CommandError):
        call_command("bench_parts", "--queries", "1")
