"""The statistics tables through the API give the page's figures, within the user's scope."""

import pytest

from lossdesk.claims.choices import LossItemKind
from lossdesk.property import services as property_services
from lossdesk.property.tests.test_services import SURVEY, WORKED
from lossdesk.reports.statistics import STATISTICS, Filters
from lossdesk.testing import API, client_for, error_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessed_property(firm):
    case = firm.assessing_case(property_loss=True)
    item = case.loss_items.get(kind=LossItemKind.PROPERTY)
    property_services.do_save_property_survey(item, SURVEY, actor=firm.zhangsan)
    property_services.do_save_property_sheet(item, lines=WORKED, actor=firm.zhangsan)
    return case


def test_the_list_names_every_available_table(firm):
    body = client_for(firm.zhoujiu).get(f"{API}/statistics").json()
    assert {t["slug"] for t in body} >= {"reports", "dispatch", "property"}
    prop = next(t for t in body if t["slug"] == "property")
    assert prop["default_grouping"] in prop["groupings"]


def test_a_table_answers_the_figures_the_page_computes(firm, assessed_property):
    response = client_for(firm.zhoujiu).get(f"{API}/statistics/property", {"group_by": "category"})
    assert response.status_code == 200, response.content
    body = response.json()
    table = STATISTICS["property"].compute(firm.zhoujiu, Filters(group_by="category"))
    assert body["group_by"] == "category" and len(body["rows"]) == len(table.rows)
    row = next(r for r in body["rows"] if r["key"] == "road_facility")
    assert row["label"] == "道路设施/护栏"
    assert row["values"]["assessed"] == "6660.00"
    assert body["total"]["key"] is None
    assert [c["key"] for c in body["columns"]] == [c.key for c in table.columns]


def test_another_branch_counts_nothing_and_bad_filters_are_field_errors(firm, assessed_property):
    mine = client_for(firm.zhoujiu).get(f"{API}/statistics/property").json()
    assert mine["total"]["values"]["items"] == 1
    other = client_for(firm.wushi).get(f"{API}/statistics/property")  # 宁波
    assert other.status_code == 200
    assert other.json()["total"]["values"]["items"] == 0 and other.json()["rows"] == []
    bad = client_for(firm.zhoujiu).get(
        f"{API}/statistics/property", {"date_from": "2026-02-01", "date_to": "2026-01-01"}
    )
    assert bad.status_code == 400
    assert "date_to" in error_of(bad)["fields"]
    assert client_for(firm.zhoujiu).get(f"{API}/statistics/nope").status_code == 404


def test_a_position_without_statistics_is_refused(firm):
    response = client_for(firm.zhangsan).get(f"{API}/statistics")
    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"
