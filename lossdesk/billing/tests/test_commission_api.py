"""The commissions API: /api/v1/commission-rules and /api/v1/commission-runs (run a month,
its sheets and lines, approve, Excel), scoped by branch."""

from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from lossdesk.billing.tests.test_commissions import MARCH, march_case  # noqa: F401 (fixture)
from lossdesk.testing import Firm, client_for, error_of

pytestmark = pytest.mark.django_db

RULES_URL = "/api/v1/commission-rules"
RUNS_URL = "/api/v1/commission-runs"


def test_rules_are_read_by_managers_and_written_by_hq_finance(firm):
    finance = client_for(firm.finance)
    made = finance.post(
        RULES_URL,
        {"role": "assessor", "effective_from": "2026-01-01", "terms": {"rate": "0.080"}},
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert (made.json()["version"], made.json()["terms"], made.json()["latest"]) == (
        1,
        {"rate": "0.08"},
        True,
    )
    listed = client_for(firm.zhoujiu).get(RULES_URL, {"role": "assessor"})
    assert [r["version"] for r in listed.json()["results"]] == [1]

    refused = client_for(firm.zhoujiu).post(
        RULES_URL,
        {"role": "assessor", "effective_from": "2026-01-01", "terms": {"rate": "0.1"}},
        format="json",
    )
    assert (refused.status_code, error_of(refused)["code"]) == (403, "permission_denied")
    bad = finance.post(
        RULES_URL,
        {"role": "assessor", "effective_from": "2026-01-01", "terms": {"rate": "2", "x": "1"}},
        format="json",
    )
    assert bad.status_code == 400
    assert set(error_of(bad)["fields"]) == {"terms.rate", "terms.x"}
    assert client_for(firm.zhangsan).get(RULES_URL).status_code == 403
    assert finance.delete(f"{RULES_URL}/{made.json()['id']}").status_code == 405


def test_finance_runs_a_month_and_the_branch_manager_approves_it(firm, march_case):  # noqa: F811
    finance = client_for(firm.finance)
    body = {"branch": firm.hangzhou.pk, "month": "2026-03"}
    made = finance.post(RUNS_URL, body, format="json")
    assert made.status_code == 201, made.json()
    run = made.json()
    assert (run["month"], run["status"], run["total"], run["case_count"]) == (
        "2026-03",
        "draft",
        "102.00",
        1,
    )
    sheets = {s["staff_name"]: s for s in run["sheets"]}
    assert sheets["张三"]["total"] == "84.00"
    assert [(x["role"], x["amount"], x["rule_version"]) for x in sheets["张三"]["lines"]] == [
        ("assessor", "34.00", 1),
        ("surveyor", "50.00", 1),
    ]
    assert sheets["张三"]["lines"][0]["case_no"] == march_case.case_no

    url = f"{RUNS_URL}/{run['id']}"
    ningbo_manager = Firm.staff("nbmgr", "宁波负责人", "branch_manager", firm.ningbo)
    assert client_for(ningbo_manager).get(url).status_code == 404
    assert client_for(ningbo_manager).post(f"{url}/approve").status_code == 404
    own = finance.post(f"{url}/approve")
    assert (own.status_code, error_of(own)["code"]) == (403, "permission_denied")

    manager = client_for(firm.zhoujiu)
    assert [r["id"] for r in manager.get(RUNS_URL, {"month": "2026-03"}).json()["results"]] == [
        run["id"]
    ]
    approved = manager.post(f"{url}/approve")
    assert approved.status_code == 200
    assert (approved.json()["status"], approved.json()["approved_by"]) == ("approved", "周九")

    again = manager.post(f"{url}/approve")
    assert (again.status_code, error_of(again)["code"]) == (409, "illegal_transition")
    rerun = finance.post(RUNS_URL, body, format="json")
    assert (rerun.status_code, error_of(rerun)["code"]) == (409, "month_locked")

    export = finance.get(f"{url}/export")
    assert export.status_code == 200
    book = load_workbook(BytesIO(export.content))
    assert book.sheetnames[0] == "2026-03 汇总"
    assert {"张三", "李四", "赵六"} <= set(book.sheetnames)
    rows = list(book["张三"].iter_rows(values_only=True))
    assert rows[0][:2] == ("案件号", "角色")
    assert rows[-1][7] == 84  # the sheet's total, a number


def test_bad_run_input_is_a_400_naming_the_field(firm):
    finance = client_for(firm.finance)
    bad_month = finance.post(
        RUNS_URL, {"branch": firm.hangzhou.pk, "month": "3/2026"}, format="json"
    )
    assert list(error_of(bad_month)["fields"]) == ["month"]
    this_month = timezone.localdate().strftime("%Y-%m")
    not_over = finance.post(
        RUNS_URL, {"branch": firm.hangzhou.pk, "month": this_month}, format="json"
    )
    assert (not_over.status_code, list(error_of(not_over)["fields"])) == (400, ["month"])
    unknown = finance.post(RUNS_URL, {"branch": 99999, "month": "2026-03"}, format="json")
    assert list(error_of(unknown)["fields"]) == ["branch"]
    surveyor = client_for(firm.zhangsan).post(
        RUNS_URL, {"branch": firm.hangzhou.pk, "month": "2026-03"}, format="json"
    )
    assert surveyor.status_code == 403
    assert list(error_of(finance.get(RUNS_URL, {"month": "x"}))["fields"]) == ["month"]
