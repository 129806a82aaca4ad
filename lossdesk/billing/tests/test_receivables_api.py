"""The receivables API: a finance user goes from a statement to its Excel, a payment and its
allocation, a reconciliation with the client's sheet and the ageing; refusals are 4xx with
their codes; other branches and positions see nothing."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from lossdesk.billing.tests.test_reconciliations import xlsx
from lossdesk.billing.tests.test_statements import billed, today  # noqa: F401
from lossdesk.testing import API, client_for, error_of

pytestmark = pytest.mark.django_db


def create_statement(firm, api=None):
    api = api or client_for(firm.finance)
    return api.post(
        f"{API}/statements",
        {
            "client": firm.client.pk,
            "period_start": str(today()),
            "period_end": str(today()),
        },
        format="json",
    )


def test_statement_flow_through_the_api(firm, billed):  # noqa: F811
    api = client_for(firm.finance)
    created = create_statement(firm, api)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["total_fee"], body["case_count"]) == ("draft", "1200.00", 2)
    assert [line["client_claim_no"] for line in body["lines"]] == ["PICC-1", "PICC-2"]
    assert body["lines"][0]["fee"] == "600.00" and body["actions"] == ["send", "void"]
    url = f"{API}/statements/{body['id']}"
    assert api.get(f"{API}/statements").json()["results"][0]["statement_no"] == body["statement_no"]

    export = api.get(f"{url}/export")
    assert export.status_code == 200
    sheet = load_workbook(BytesIO(export.content))["对账单"]
    assert sheet["B7"].value == "PICC-1"

    assert api.post(f"{url}/send", {}, format="json").json()["status"] == "sent"
    refused = api.post(f"{url}/dispute", {}, format="json")
    assert refused.status_code == 400 and "note" in error_of(refused)["fields"]
    assert api.post(f"{url}/confirm", {}, format="json").json()["status"] == "confirmed"
    locked = api.post(f"{url}/void", {"note": "重做"}, format="json")
    assert locked.status_code == 409 and error_of(locked)["code"] == "illegal_transition"
    assert api.post(f"{url}/nonsense", {}, format="json").status_code == 404

    again = create_statement(firm, api)
    assert again.status_code == 400 and error_of(again)["code"] == "no_cases_to_bill"


def test_payment_and_allocation_through_the_api(firm, billed):  # noqa: F811
    api = client_for(firm.finance)
    paid = api.post(
        f"{API}/payments",
        {"client": firm.client.pk, "paid_on": str(today()), "amount": "900.00", "reference": "HK1"},
        format="json",
    )
    assert paid.status_code == 201, paid.content
    url = f"{API}/payments/{paid.json()['id']}/allocations"
    over = api.post(
        url,
        {
            "allocations": [
                {"case_no": billed[0].case_no, "amount": "600.00"},
                {"case_no": billed[1].case_no, "amount": "300.01"},
            ]
        },
        format="json",
    )
    assert over.status_code == 400
    assert error_of(over)["code"] == "over_allocation"
    assert list(error_of(over)["fields"]) == ["allocations.1.amount"]
    done = api.post(
        url, {"allocations": [{"case_no": billed[0].case_no, "amount": "600.00"}]}, format="json"
    )
    assert done.status_code == 201
    assert done.json()["allocated"] == "600.00"
    assert done.json()["allocations"][0]["case_no"] == billed[0].case_no
    beyond = api.post(
        url, {"allocations": [{"case_no": billed[0].case_no, "amount": "0.01"}]}, format="json"
    )
    assert error_of(beyond)["code"] == "exceeds_outstanding"
    dup = api.post(
        f"{API}/payments",
        {"client": firm.client.pk, "paid_on": str(today()), "amount": "1", "reference": "HK1"},
        format="json",
    )
    assert dup.status_code == 409 and error_of(dup)["code"] == "duplicate_payment"

    ageing = api.get(f"{API}/receivables/ageing").json()
    assert ageing == [
        {
            "client": firm.client.pk,
            "client_name": firm.client.name,
            "d0_30": "600.00",
            "d31_60": "0.00",
            "d61_90": "0.00",
            "d90_plus": "0.00",
            "total": "600.00",
            "cases": 1,
        }
    ]
    assert api.get(f"{API}/receivables/ageing?on=tomorrow").status_code == 400


def test_reconciliation_through_the_api(firm, billed):  # noqa: F811
    api = client_for(firm.finance)
    statement = create_statement(firm, api).json()
    sheet = xlsx([["赔案号", "公估费"], ["PICC-1", 600], ["PICC-2", 650], ["PICC-X", 10]])
    upload = SimpleUploadedFile("清单.xlsx", sheet)
    done = api.post(
        f"{API}/reconciliations", {"statement": statement["id"], "file": upload}, format="multipart"
    )
    assert done.status_code == 201, done.content
    lines = {line["client_claim_no"]: line for line in done.json()["lines"]}
    assert lines["PICC-2"]["category"] == "amount_differs"
    assert (lines["PICC-2"]["ours"], lines["PICC-2"]["theirs"], lines["PICC-2"]["difference"]) == (
        "600.00",
        "650.00",
        "50.00",
    )
    assert lines["PICC-X"]["category"] == "only_theirs" and lines["PICC-X"]["case_no"] is None
    url = f"{API}/reconciliations/{done.json()['id']}"
    assert api.get(url).json()["theirs_total"] == "1260.00"
    export = api.get(f"{url}/export")
    assert load_workbook(BytesIO(export.content))["财务对账明细表"]["B9"].value == "PICC-X"

    bad = api.post(
        f"{API}/reconciliations",
        {"statement": statement["id"], "file": SimpleUploadedFile("a.xls", b"\xd0\xcf\x11\xe0xx")},
        format="multipart",
    )
    assert bad.status_code == 400 and error_of(bad)["code"] == "unsupported_format"
    missing = api.post(f"{API}/reconciliations", {"statement": statement["id"]}, format="multipart")
    assert missing.status_code == 400 and "file" in error_of(missing)["fields"]


def test_who_sees_and_makes_what(firm, billed):  # noqa: F811
    statement = create_statement(firm).json()
    surveyor = client_for(firm.zhangsan)
    assert surveyor.get(f"{API}/statements").status_code == 403
    assert create_statement(firm, surveyor).status_code == 403
    assert surveyor.get(f"{API}/receivables/ageing").status_code == 403
    manager = client_for(firm.zhoujiu)  # Hangzhou's manager: the HQ statement is not theirs
    assert manager.get(f"{API}/statements").json()["results"] == []
    assert manager.get(f"{API}/statements/{statement['id']}").status_code == 404
    assert manager.post(f"{API}/statements/{statement['id']}/send").status_code == 403
    assert client_for(None).get(f"{API}/payments").status_code == 401


def test_a_clients_sheet_mapping_is_data_set_through_the_api(firm, billed):  # noqa: F811
    api = client_for(firm.finance)
    url = f"{API}/clients/{firm.client.pk}/sheet-mapping"
    assert api.get(url).status_code == 404  # none yet: the usual headers
    saved = api.put(
        url, {"columns": {"client_claim_no": ["理赔案件号"], "amount": ["应付金额"]}}, format="json"
    )
    assert saved.status_code == 200, saved.content
    assert api.get(url).json()["columns"] == {
        "client_claim_no": ["理赔案件号"],
        "amount": ["应付金额"],
    }
    statement = create_statement(firm, api).json()
    sheet = SimpleUploadedFile("s.csv", "理赔案件号,应付金额\nPICC-1,600\n".encode("gb18030"))
    done = api.post(
        f"{API}/reconciliations", {"statement": statement["id"], "file": sheet}, format="multipart"
    )
    assert {line["client_claim_no"]: line["category"] for line in done.json()["lines"]} == {
        "PICC-1": "matched",
        "PICC-2": "only_ours",
    }
    assert client_for(firm.zhoujiu).put(url, {"columns": {}}, format="json").status_code == 403
    bad = api.put(url, {"columns": {"amount": "公估费"}}, format="json")
    assert bad.status_code == 400
    assert (
        api.put(f"{API}/clients/999999/sheet-mapping", {"columns": {}}, format="json").status_code
        == 404
    )
