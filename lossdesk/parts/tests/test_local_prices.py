from decimal import Decimal

import pytest

from lossdesk.core.errors import NotFound, PermissionDenied, ServiceError
from lossdesk.parts import services
from lossdesk.parts.models import LocalPriceOverride, PartPrice, PriceChange
from lossdesk.parts.queries import search_parts

pytestmark = pytest.mark.django_db


def test_setting_changing_and_removing_a_local_price_is_audited(firm, catalogue):
    bumper = catalogue.bumper
    services.do_set_local_price(
        bumper, price_type="4s", price="1250", reason="杭州4S店协议价", actor=firm.zhoujiu
    )
    override = services.do_set_local_price(
        bumper, price_type="4s", price="1230.50", reason="协议价下调", actor=firm.zhoujiu
    )
    services.do_remove_local_price(override, reason="协议到期", actor=firm.zhoujiu)
    changes = list(PriceChange.objects.order_by("id"))
    assert [(c.action, c.old_price, c.new_price) for c in changes] == [
        ("set", None, Decimal("1250.00")),
        ("update", Decimal("1250.00"), Decimal("1230.50")),
        ("remove", Decimal("1230.50"), None),
    ]
    assert {c.catalogue_price for c in changes} == {Decimal("1320.00")}
    assert {c.branch for c in changes} == {firm.hangzhou}
    assert [c.reason for c in changes] == ["杭州4S店协议价", "协议价下调", "协议到期"]
    assert not LocalPriceOverride.objects.exists()
    # the catalogue itself never changed
    assert PartPrice.objects.get(part=bumper, price_type="4s", region="浙江").price == Decimal(
        "1320.00"
    )


def test_the_price_audit_is_append_only(firm, catalogue):
    services.do_set_local_price(
        catalogue.fog, price_type="market", price="200", reason="本地价", actor=firm.zhoujiu
    )
    change = PriceChange.objects.get()
    with pytest.raises(TypeError):
        change.save()
    with pytest.raises(TypeError):
        change.delete()
    with pytest.raises(TypeError):
        PriceChange.objects.update(reason="改")
    with pytest.raises(TypeError):
        PriceChange.objects.all().delete()


def test_the_override_shows_beside_the_catalogue_price_for_the_branch_only(firm, catalogue):
    services.do_set_local_price(
        catalogue.fog, price_type="market", price="188", reason="本地价", actor=firm.zhoujiu
    )
    here = search_parts("2GM941699", branch=firm.hangzhou).hits[0].price("market")
    there = search_parts("2GM941699", branch=firm.ningbo).hits[0].price("market")
    assert (here.catalogue_price, here.local_price) == (Decimal("210.00"), Decimal("188.00"))
    assert (there.catalogue_price, there.local_price) == (Decimal("210.00"), None)


@pytest.mark.parametrize(
    ("price", "reason", "field"),
    [("0", "x", "price"), ("12.345", "x", "price"), ("abc", "x", "price"), ("10", " ", "reason")],
)
def test_bad_local_prices_are_refused_with_the_field(firm, catalogue, price, reason, field):
    with pytest.raises(ServiceError) as exc:
        services.do_set_local_price(
            catalogue.fog, price_type="4s", price=price, reason=reason, actor=firm.zhoujiu
        )
    assert field in exc.value.fields
    assert not PriceChange.objects.exists()


def test_only_positions_with_the_right_maintain_local_prices(firm, catalogue):
    with pytest.raises(PermissionDenied):
        services.do_set_local_price(
            catalogue.fog, price_type="4s", price="1", reason="x", actor=firm.qianqi
        )


def test_another_branch_cannot_remove_a_local_price(firm, catalogue, price_desk):
    override = services.do_set_local_price(
        catalogue.fog, price_type="4s", price="240", reason="本地价", actor=firm.zhoujiu
    )
    outsider = type(firm).staff("zhoujiu2", "南京负责人", "branch_manager", firm.nanjing)
    with pytest.raises(NotFound):
        services.do_remove_local_price(override, reason="x", actor=outsider)
    # the price desk of 浙江分公司 sees 杭州's prices (subtree)
    services.do_remove_local_price(override, reason="统一价格", actor=price_desk)


def test_the_local_price_api_sets_lists_and_removes_with_a_reason(firm, catalogue, api):
    client = api(firm.zhoujiu)
    created = client.post(
        "/api/v1/local-prices",
        {"part": catalogue.fog.pk, "price_type": "4s", "price": "240.00", "reason": "协议价"},
        format="json",
    )
    assert created.status_code == 200, created.json()
    listed = client.get("/api/v1/local-prices").json()
    assert [row["price"] for row in listed["results"]] == ["240.00"]
    pk = created.json()["id"]
    assert client.delete(f"/api/v1/local-prices/{pk}", {}, format="json").status_code == 400
    removed = client.delete(f"/api/v1/local-prices/{pk}", {"reason": "到期"}, format="json")
    assert removed.status_code == 204
    audit = client.get("/api/v1/price-changes").json()["results"]
    assert [row["action"] for row in audit] == ["remove", "set"]
    assert api(firm.auditor).get("/api/v1/price-changes").status_code == 200
    assert api(firm.qianqi).get("/api/v1/price-changes").status_code == 403
