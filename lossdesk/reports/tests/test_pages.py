"""The statistics pages, their charts and the Excel exports."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from lossdesk.core.tests.test_excel import assert_no_formulas
from lossdesk.reports.statistics import available_statistics
from lossdesk.testing import PASSWORD

pytestmark = pytest.mark.django_db

MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-31"}


def login(client, username):
    assert client.login(username=username, password=PASSWORD)
    return client


def test_every_statistics_page_renders_with_its_chart_and_table(client, month):
    login(client, "zjmanager")
    for statistic in available_statistics():
        url = reverse("reports:statistic", args=[statistic.slug])
        response = client.get(url, MARCH)
        assert response.status_code == 200, statistic.slug
        html = response.content.decode()
        assert f'data-testid="stats-table-{statistic.slug}"' in html
        assert "stats-chart" in html
        assert 'style="' not in html and "<style" not in html and "<script>" not in html


def test_the_dispatch_page_shows_the_hand_counted_figures_and_a_bar_per_branch(client, month):
    response = login(client, "zjmanager").get(
        reverse("reports:statistic", args=["dispatch"]), {**MARCH, "group_by": "branch"}
    )
    table = response.context["table"]
    assert [row.label for row in table.rows] == ["杭州分公司", "宁波分公司"]
    html = response.content.decode()
    assert "83.3%" in html  # 杭州 acceptance rate
    assert "16.5" in html  # 杭州 median dispatch-to-arrival minutes
    assert html.count('class="stats-bar-rect"') == 2
    chart = response.context["chart"]
    assert chart["title"] == "中位调度到达(分钟)（按机构）"
    assert [bar["display"] for bar in chart["bars"]] == ["16.5", "7.0"]
    assert chart["bars"][0]["width"] == 380  # the largest bar fills the bar area


def test_the_index_shows_the_key_figures_of_every_table(client, month):
    response = login(client, "zjmanager").get(reverse("reports:index"), MARCH)
    assert response.status_code == 200
    html = response.content.decode()
    for statistic in available_statistics():
        assert f'data-testid="stats-card-{statistic.slug}"' in html
    cards = {card["statistic"].slug: card["total"].values for card in response.context["cards"]}
    assert cards["reports"]["reports"] == 7
    assert cards["dispatch"]["dispatches"] == 7


def test_a_page_without_filters_shows_the_last_30_days(client, month, april_first):
    response = login(client, "zjmanager").get(reverse("reports:statistic", args=["reports"]))
    assert response.status_code == 200
    form = response.context["form"]
    assert str(form.cleaned_data["date_from"]) == "2026-03-03"
    assert str(form.cleaned_data["date_to"]) == "2026-04-01"
    # A (03-02) and B (03-02) fall outside; C D E G H remain
    assert response.context["table"].total.values["reports"] == 5


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2026-03-31", "date_to": "2026-03-01"}, "date_to"),
        ({"date_from": "2024-01-01", "date_to": "2026-03-01", "group_by": "day"}, "group_by"),
        ({"date_from": "not-a-date"}, "date_from"),
        ({"group_by": "planet"}, "group_by"),
    ],
)
def test_bad_filters_are_a_form_error_not_a_500(client, month, params, field):
    login(client, "zjmanager")
    response = client.get(reverse("reports:statistic", args=["dispatch"]), params)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    export = client.get(reverse("reports:export", args=["dispatch"]), params)
    assert export.status_code == 400


def test_a_foreign_branch_in_the_filter_is_refused(client, month):
    login(client, "wushi")
    response = client.get(
        reverse("reports:statistic", args=["reports"]),
        {**MARCH, "branch": month.firm.hangzhou.pk},
    )
    assert response.status_code == 400
    assert "branch" in response.context["form"].errors


def test_positions_without_the_statistics_right_get_a_403(client, month):
    assert login(client, "zhangsan").get(reverse("reports:index")).status_code == 403
    client.logout()
    assert login(client, "sysadmin").get(reverse("reports:index")).status_code == 403


def test_an_unknown_table_is_a_404(client, month):
    login(client, "zjmanager")
    assert client.get(reverse("reports:statistic", args=["nothing"])).status_code == 404


def _workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith('attachment; filename="')
    return load_workbook(BytesIO(response.content))


def test_the_dispatch_export_holds_the_same_figures_with_number_formats(client, month):
    login(client, "zjmanager")
    response = client.get(
        reverse("reports:export", args=["dispatch"]), {**MARCH, "group_by": "branch"}
    )
    book = _workbook(response)
    assert book.sheetnames == ["调度统计", "说明"]
    sheet = book["调度统计"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:4] == ("机构", "调度次数", "接单", "接单率")
    hangzhou = dict(zip(header, rows[1], strict=True))
    assert hangzhou["机构"] == "杭州分公司"
    assert hangzhou["调度次数"] == 6
    assert Decimal(str(hangzhou["接单率"])) == Decimal("0.8333")
    assert Decimal(str(hangzhou["中位调度到达(分钟)"])) == Decimal("16.5")
    total = dict(zip(header, rows[-1], strict=True))
    assert total["机构"] == "合计" and total["调度次数"] == 7
    rate_column = header.index("接单率") + 1
    assert sheet.cell(2, rate_column).number_format == "0.0%"
    assert sheet.cell(2, 2).number_format == "#,##0"
    assert sheet.freeze_panes == "B2"
    notes = dict(book["说明"].iter_rows(values_only=True))
    assert notes["日期"] == "2026-03-01 至 2026-03-31"
    assert notes["导出人"] == "浙江经理"


def test_the_cancellation_export_has_a_sheet_per_table(client, month):
    login(client, "zjmanager")
    book = _workbook(client.get(reverse("reports:export", args=["cancellation"]), MARCH))
    assert book.sheetnames == ["注销统计", "按注销原因", "说明"]
    reasons = {row[0]: row[1] for row in book["按注销原因"].iter_rows(min_row=2, values_only=True)}
    assert (reasons["重复报案"], reasons["客户撤案"], reasons["合计"]) == (1, 1, 2)


def test_a_period_export_writes_real_dates(client, month):
    login(client, "zhoujiu")
    book = _workbook(
        client.get(reverse("reports:export", args=["reports"]), {**MARCH, "group_by": "day"})
    )
    sheet = book["报案统计"]
    assert sheet.cell(2, 1).value.date().isoformat() == "2026-03-02"
    assert sheet.cell(2, 1).number_format == "yyyy-mm-dd"
    assert sheet.cell(2, 2).value == 2


def test_export_all_has_a_sheet_per_table_and_respects_the_scope(client, month):
    login(client, "wushi")
    book = _workbook(client.get(reverse("reports:export-all"), {**MARCH, "group_by": "branch"}))
    titles = [s.title for s in available_statistics()]
    assert all(title in book.sheetnames for title in titles)
    reports = list(book["报案统计"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in reports] == ["宁波分公司", "合计"]
    assert reports[-1][1] == 1


EVIL_CLIENT = '=HYPERLINK("http://e.cn","点")'  # fits Client.short_name (30)


@pytest.mark.parametrize("url", ["reports:export", "reports:export-all"])
def test_names_and_filters_that_look_like_formulas_are_exported_as_text(client, month, url):
    """A client, a branch and the exporter named like formulas: text cells, no <f>."""
    firm = month.firm
    firm.client.short_name = EVIL_CLIENT
    firm.client.save()
    firm.hangzhou.name = "-1+2"
    firm.hangzhou.save()
    month.zhejiang_manager.full_name = "@SUM(1+1)"
    month.zhejiang_manager.save()
    login(client, "zjmanager")
    args = ["reports"] if url == "reports:export" else []
    response = client.get(
        reverse(url, args=args), {**MARCH, "group_by": "client", "client": firm.client.pk}
    )
    book = _workbook(response)
    assert_no_formulas(response.content)
    sheet = book["报案统计"]
    label = sheet.cell(2, 1)
    assert (label.value, label.data_type, label.quotePrefix) == (EVIL_CLIENT, "s", True)
    notes = {row[0].value: row[1] for row in book["说明"].iter_rows(min_row=2)}
    assert (notes["委托方"].value, notes["委托方"].data_type) == (EVIL_CLIENT, "s")
    assert (notes["导出人"].value, notes["导出人"].data_type) == ("@SUM(1+1)", "s")
    by_branch = client.get(reverse(url, args=args), {**MARCH, "group_by": "branch"})
    assert_no_formulas(by_branch.content)
    branch = _workbook(by_branch)["报案统计"].cell(2, 1)
    assert (branch.value, branch.data_type) == ("-1+2", "s")
