"""The phone's on-site assessment page: who gets the sheet editor (the sheet API's own rule,
claims.sheet_editing.readonly_reason) and what it starts from (the sheet API's answer), and
the answers of the sheet API that static/field/sheet.js relies on: field refusals keyed
`lines.<i>.<field>`, and a save over a sheet saved since: 409 with the current sheet and its
version."""

import json
import re

import pytest
from django.test import Client as PageClient
from django.urls import reverse

from lossdesk.testing import LINES, LINES_TOTAL, add_damage_photo, client_for

pytestmark = pytest.mark.django_db


def page(user, case) -> str:
    client = PageClient()
    client.force_login(user)
    response = client.get(reverse("field:assessment", args=[case.case_no]))
    assert response.status_code == 200
    return response.content.decode()


def sheet_data(html: str, seq: int):
    pattern = rf'<script id="sheet-data-{seq}" type="application/json">(.*?)</script>'
    match = re.search(pattern, html)
    return json.loads(match.group(1)) if match else None


def test_the_assessor_gets_an_editor_that_starts_from_the_saved_sheet(firm):
    case = firm.assessed_case()
    html = page(firm.qianqi, case)  # 钱七, 定损员
    assert html.count("data-sheet ") == 2  # the insured vehicle and the third party's
    data = sheet_data(html, 1)
    assert [line["name"] for line in data["lines"]] == [line["name"] for line in LINES]
    assert data["total"] == str(LINES_TOTAL) and data["case_version"] == case.version
    assert data["sheet_version"] == 1  # what a save carries
    assert f'data-version="{case.version}"' in html
    assert 'src="/static/field/sheet.js"' in html
    assert "data-sheet-search" in html and "data-sheet-queries" in html
    assert '<template id="sheet-line-template">' in html
    assert '<option value="labour">工时</option>' in html


def test_a_position_without_the_assessment_right_sees_the_lines_read_only(firm):
    case = firm.assessed_case()
    html = page(firm.lisi, case)  # 李四, reviewer: no 定损 right
    assert "data-sheet " not in html and sheet_data(html, 1) is None
    assert "sheet.js" not in html and "data-sheet-queries" not in html
    assert "您的岗位没有「定损」权限，定损单仅供查看。" in html
    assert html.count('data-testid="saved-line"') == 2 * len(LINES)
    # The price look-up stays (field.js's, nothing to add to).
    assert "data-parts-search" in html


def test_a_sheet_the_case_state_no_longer_allows_is_read_only(firm):
    case = firm.in_review_case()
    html = page(firm.qianqi, case)
    assert "data-sheet " not in html
    assert "不能修改" in html


def test_the_sheet_api_answers_sheet_js_relies_on(firm):
    """A refusal names the line and field; a photo sent by the queue meanwhile does not
    refuse the save (it carries the sheet's version); a sheet saved since is 409 with the
    sheet as saved now and its version, and saving again with that version goes through."""
    case = firm.assessed_case()
    url = f"/api/v1/cases/{case.case_no}/loss-items/1/sheet"
    client = client_for(firm.qianqi)
    started = sheet_data(page(firm.qianqi, case), 1)["sheet_version"]
    bad = [{"kind": "replace", "name": "前保险杠", "quantity": "0", "unit_price": "1280"}]
    refused = client.put(url, {"sheet_version": started, "lines": bad}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()["error"]["fields"]) == ["lines.0.quantity"]
    add_damage_photo(case, actor=firm.zhangsan)
    mine = [{"kind": "replace", "name": "前保险杠", "quantity": "2", "unit_price": "1280"}]
    saved = client.put(url, {"sheet_version": started, "lines": mine}, format="json")
    assert saved.status_code == 200
    assert saved.json()["sheet_version"] == started + 1
    stale = client.put(url, {"sheet_version": started, "lines": LINES}, format="json")
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["message"] == "定损单已被他人修改，请核对后重试。"
    assert error["current_version"] == saved.json()["case_version"]
    assert error["current_sheet"]["total"] == "2560.00"
    assert error["current_sheet"]["sheet_version"] == started + 1
    again = {"sheet_version": error["current_sheet"]["sheet_version"], "lines": LINES}
    assert client.put(url, again, format="json").json()["total"] == str(LINES_TOTAL)


def test_the_service_worker_keeps_the_sheet_script_for_offline_use(client):
    assert '"/static/field/sheet.js"' in client.get("/sw.js").content.decode()
