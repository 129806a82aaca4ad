"""The case list's 损失类型 filter (page and GET /api/v1/cases?loss_kind=): cases with at
least one loss item of the kind (live, or cancelled with its case), each case once however
many such items it has."""

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from lossdesk.claims import services as claims_services
from lossdesk.claims.choices import CancelReason
from lossdesk.testing import API, client_for, error_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(firm):
    """Every case has its insured vehicle; the cancelled one's items are cancelled with it
    (and still count: the case had those losses)."""
    built = {
        "plain": firm.registered_case(third_party_vehicles=0, third_party_plates=""),
        "property": firm.registered_case(property_loss=True),
        "injury": firm.registered_case(injured_persons=2, third_party_vehicles=2),
        "both": firm.registered_case(property_loss=True, injured_persons=1),
        "cancelled": firm.registered_case(property_loss=True, injured_persons=1),
    }
    claims_services.do_cancel_case(
        built["cancelled"], reason=CancelReason.DUPLICATE, actor=firm.zhaoliu
    )
    return built


EXPECTED = {
    "vehicle": {"plain", "property", "injury", "both", "cancelled"},
    "property": {"property", "both", "cancelled"},
    "injury": {"injury", "both", "cancelled"},
}


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_the_api_lists_each_case_with_an_item_of_the_kind_once(firm, cases, kind):
    body = client_for(firm.zhaoliu).get(f"{API}/cases", {"loss_kind": kind}).json()
    names = {case.case_no: name for name, case in cases.items()}
    found = [names[row["case_no"]] for row in body["results"]]
    assert sorted(found) == sorted(EXPECTED[kind])  # no case twice
    assert body["count"] == len(EXPECTED[kind])


def test_the_api_combines_the_kind_with_the_other_filters(firm, cases):
    client = client_for(firm.zhaoliu)
    rows = client.get(f"{API}/cases", {"loss_kind": "property", "status": "cancelled"}).json()
    assert [row["case_no"] for row in rows["results"]] == [cases["cancelled"].case_no]
    rows = client.get(f"{API}/cases", {"loss_kind": "injury", "status": "registered"}).json()
    assert rows["count"] == 2


def test_the_kind_stays_within_the_users_scope(firm, cases):
    body = client_for(firm.wushi).get(f"{API}/cases", {"loss_kind": "property"}).json()
    assert body["count"] == 0  # 宁波 sees none of the 杭州 cases


def test_an_unknown_kind_is_a_400_with_the_field(firm, cases):
    response = client_for(firm.zhaoliu).get(f"{API}/cases", {"loss_kind": "boat"})
    assert response.status_code == 400
    assert "loss_kind" in error_of(response)["fields"]


def test_the_schema_documents_the_filter_with_its_values():
    openapi = SchemaGenerator().get_schema(request=None, public=True)
    parameters = openapi["paths"]["/api/v1/cases"]["get"]["parameters"]
    (loss_kind,) = [p for p in parameters if p["name"] == "loss_kind"]
    assert loss_kind["in"] == "query"
    assert loss_kind["schema"]["enum"] == ["injury", "property", "vehicle"]
    assert "三者物损" in loss_kind["description"]


def test_the_page_offers_the_filter_and_lists_the_matching_cases_once(client, firm, cases):
    client.force_login(firm.zhaoliu)
    response = client.get(reverse("claims:case-list"), {"loss_kind": "injury"})
    assert response.status_code == 200
    assert sorted(case.pk for case in response.context["cases"]) == sorted(
        cases[name].pk for name in EXPECTED["injury"]
    )
    html = response.content.decode()
    assert html.count(f'href="/cases/{cases["injury"].case_no}/"') == 1  # two 伤者, one row
    assert cases["property"].case_no not in html
    assert "损失类型" in html
    for value, label in (("vehicle", "车辆"), ("property", "三者物损"), ("injury", "人伤")):
        assert f">{label}</option>" in html and f'value="{value}"' in html
    assert '<option value="injury" selected>人伤</option>' in html


def test_an_unknown_kind_on_the_page_is_reported_not_a_500(client, firm, cases):
    client.force_login(firm.zhaoliu)
    response = client.get(reverse("claims:case-list"), {"loss_kind": "boat"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "筛选条件无效" in html
    assert cases["plain"].case_no in html  # the bad filter is ignored
