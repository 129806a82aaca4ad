"""The sheet API's conflict check is about the sheet (decision 0007, amended): a save carries
`sheet_version`, the version of the sheet the caller started from, and is refused only when
the sheet itself was saved since; a photo or another change to the case does not refuse it.
A caller that sends only the case `version` is checked against the case, as before."""

import pytest

from lossdesk.core.errors import Conflict
from lossdesk.motor.services import do_save_assessment_sheet
from lossdesk.parts import services as parts_services
from lossdesk.parts.tests.conftest import catalogue  # noqa: F401 (the fixture)
from lossdesk.testing import API, LINES, client_for, error_of, photo

pytestmark = pytest.mark.django_db

ONE_LINE = [{"kind": "labour", "name": "拆装工时", "quantity": "2", "unit_price": "80"}]


def sheet_url(case, seq: int = 1) -> str:
    return f"{API}/cases/{case.case_no}/loss-items/{seq}/sheet"


def put(user, case, body):
    return client_for(user).put(sheet_url(case), body, format="json")


def upload_photo(user, case):
    response = client_for(user).post(
        f"{API}/cases/{case.case_no}/attachments",
        {"file": photo(), "kind": "photo", "doc_type": "damage_photo"},
        format="multipart",
    )
    assert response.status_code == 201, response.content


def test_the_sheet_answers_its_version_and_each_save_moves_it(firm):
    case = firm.assessed_case()
    body = client_for(firm.zhangsan).get(sheet_url(case)).json()
    assert body["sheet_version"] == 1
    saved = put(firm.zhangsan, case, {"lines": ONE_LINE, "sheet_version": 1})
    assert saved.status_code == 200
    assert saved.json()["sheet_version"] == 2


def test_a_photo_uploaded_between_load_and_save_does_not_refuse_the_save(firm):
    case = firm.assessed_case()
    loaded = client_for(firm.zhangsan).get(sheet_url(case)).json()
    upload_photo(firm.zhangsan, case)
    case.refresh_from_db()
    assert case.version > loaded["case_version"]
    body = {"lines": ONE_LINE, "sheet_version": loaded["sheet_version"]}
    response = put(firm.zhangsan, case, body)
    assert response.status_code == 200, response.content
    assert [line["name"] for line in response.json()["lines"]] == ["拆装工时"]


def test_the_first_save_of_a_new_sheet_starts_from_version_zero(firm):
    case = firm.assessing_case()
    upload_photo(firm.zhangsan, case)
    response = put(firm.zhangsan, case, {"lines": ONE_LINE, "sheet_version": 0})
    assert response.status_code == 200
    assert response.json()["sheet_version"] == 1
    # Someone else also started from "no sheet yet": their save is the conflict.
    late = put(firm.qianqi, case, {"lines": LINES, "sheet_version": 0})
    assert late.status_code == 409
    assert error_of(late)["current_sheet_version"] == 1


def test_another_users_save_in_between_is_a_conflict_with_the_current_sheet(firm):
    case = firm.assessed_case()
    loaded = client_for(firm.zhangsan).get(sheet_url(case)).json()
    assert put(firm.qianqi, case, {"lines": ONE_LINE, "sheet_version": 1}).status_code == 200
    late = put(firm.zhangsan, case, {"lines": LINES[:1], "sheet_version": loaded["sheet_version"]})
    assert late.status_code == 409
    error = error_of(late)
    assert error["code"] == "conflict"
    assert error["message"] == "定损单已被他人修改，请核对后重试。"
    assert error["current_sheet_version"] == 2
    current = error["current_sheet"]
    assert current["assessor"]["full_name"] == firm.qianqi.full_name
    assert current["sheet_version"] == 2
    assert [line["name"] for line in current["lines"]] == ["拆装工时"]
    # Nothing was saved; sent again against the sheet now seen, it goes through.
    assert case.loss_items.get(seq=1).sheet.version == 2
    again = put(firm.zhangsan, case, {"lines": LINES[:1], "sheet_version": 2})
    assert again.status_code == 200 and again.json()["sheet_version"] == 3


def test_an_applied_price_query_changes_the_sheet_and_refuses_a_save_from_before(
    firm,
    catalogue,  # noqa: F811
):
    case = firm.assessed_case()
    item = case.loss_items.get(seq=1)
    query = parts_services.do_save_price_query(
        {"vehicle_model": catalogue.tcross_base, "lines": [{"part": catalogue.bumper.pk}]},
        actor=firm.zhangsan,
    )
    parts_services.do_apply_price_query(query, loss_item=item, actor=firm.zhangsan)
    late = put(firm.zhangsan, case, {"lines": ONE_LINE, "sheet_version": 1})
    assert late.status_code == 409
    assert error_of(late)["current_sheet_version"] == 2


def test_the_sheet_version_wins_over_a_stale_case_version_sent_with_it(firm):
    case = firm.assessed_case()
    stale = case.version
    upload_photo(firm.zhangsan, case)
    body = {"lines": ONE_LINE, "version": stale, "sheet_version": 1}
    assert put(firm.zhangsan, case, body).status_code == 200


def test_a_caller_sending_only_the_case_version_is_checked_against_the_case(firm):
    case = firm.assessed_case()
    stale = case.version
    upload_photo(firm.zhangsan, case)
    late = put(firm.zhangsan, case, {"lines": ONE_LINE, "version": stale})
    assert late.status_code == 409
    error = error_of(late)
    assert error["message"] == "案件已被他人修改，请刷新后重试。"
    assert error["current_sheet"]["sheet_version"] == 1


def test_the_case_state_is_still_checked_with_a_current_sheet_version(firm):
    case = firm.in_review_case()
    refused = put(firm.zhangsan, case, {"lines": ONE_LINE, "sheet_version": 1})
    assert refused.status_code == 409
    assert error_of(refused)["code"] == "illegal_transition"
    assert case.loss_items.get(seq=1).sheet.version == 1


def test_the_service_refuses_a_stale_sheet_version_without_saving(firm):
    case = firm.assessed_case()
    item = case.loss_items.get(seq=1)
    do_save_assessment_sheet(item, lines=ONE_LINE, actor=firm.qianqi, expected_sheet_version=1)
    with pytest.raises(Conflict, match="定损单已被他人修改"):
        do_save_assessment_sheet(item, lines=LINES, actor=firm.zhangsan, expected_sheet_version=1)
    assert item.sheet.lines.count() == 1


def test_the_case_detail_names_each_vehicle_sheets_version(firm):
    case = firm.assessed_case()
    assert put(firm.zhangsan, case, {"lines": ONE_LINE, "sheet_version": 1}).status_code == 200
    body = client_for(firm.zhangsan).get(f"{API}/cases/{case.case_no}").json()
    assert body["loss_items"][0]["sheet"]["sheet_version"] == 2
