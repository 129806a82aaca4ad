"""The property sheet's conflict check is about the sheet (decision 0007, amended), as the
vehicle sheet's: a save carries `sheet_version`, the version of the sheet the caller started
from, and is refused only when the sheet itself was saved since; a photo or another change
to the case does not refuse it. A caller that sends only the case `version` is checked
against the case, as before; when both are sent, `sheet_version` decides."""

from decimal import Decimal

import pytest
from django.utils import timezone

from lossdesk.claims import services as claims_services
from lossdesk.claims.choices import EventType, LossItemKind
from lossdesk.claims.models import CaseEvent
from lossdesk.core.errors import Conflict, IllegalTransition
from lossdesk.property import services
from lossdesk.property.models import PropertySheet
from lossdesk.property.tests.test_services import SURVEY, WORKED
from lossdesk.testing import API, add_damage_photo, client_for, error_of, photo

pytestmark = pytest.mark.django_db

ONE_LINE = [{"treatment": "clean_up", "name": "现场清理", "quantity": "1", "unit_price": "300"}]


@pytest.fixture
def item(firm):
    case = firm.assessing_case(property_loss=True)
    return case.loss_items.get(kind=LossItemKind.PROPERTY)


def save(item, lines, actor, **versions) -> PropertySheet:
    return services.do_save_property_sheet(item, lines=lines, actor=actor, **versions)


def case_version(item) -> int:
    item.case.refresh_from_db()
    return item.case.version


def sheet_saves(item) -> int:
    return CaseEvent.objects.filter(case=item.case, type=EventType.SHEET_SAVED).count()


# A change to the case that is not a save of the sheet, as a colleague makes it meanwhile.
CASE_CHANGES = {
    "photo": lambda firm, item: add_damage_photo(item.case, actor=firm.qianqi),
    "property survey": lambda firm, item: services.do_save_property_survey(
        item, SURVEY, actor=firm.zhangsan
    ),
    "offer": lambda firm, item: services.do_add_offer(
        item,
        offered_on=timezone.localdate(),
        party="owner",
        speaker="路政科 王科长",
        amount="8000",
        actor=firm.qianqi,
    ),
}


# --- the service ----------------------------------------------------------------------------


def test_every_save_moves_the_sheet_version(firm, item):
    first = save(item, WORKED, firm.zhangsan, expected_sheet_version=0)
    assert first.version == 1
    second = save(item, ONE_LINE, firm.zhangsan, expected_sheet_version=1)
    assert second.pk == first.pk and second.version == 2
    # A save without any version (the demo's builder) moves it too.
    assert save(item, WORKED, firm.zhangsan).version == 3


@pytest.mark.parametrize("change", CASE_CHANGES)
def test_a_change_elsewhere_in_the_case_between_load_and_save_does_not_refuse_it(
    firm, item, change
):
    save(item, WORKED, firm.zhangsan)
    seen = case_version(item)
    CASE_CHANGES[change](firm, item)
    assert case_version(item) > seen
    sheet = save(item, ONE_LINE, firm.zhangsan, expected_sheet_version=1)
    assert sheet.version == 2
    assert [line.name for line in sheet.lines.all()] == ["现场清理"]


def test_a_stale_sheet_version_is_refused_and_changes_nothing(firm, item):
    save(item, WORKED, firm.qianqi, expected_sheet_version=0)
    before = case_version(item), sheet_saves(item)
    with pytest.raises(Conflict) as refused:
        save(item, ONE_LINE, firm.zhangsan, expected_sheet_version=0)
    assert refused.value.message == "物损定损单已被他人修改，请核对后重试。"
    assert refused.value.extra["current_sheet_version"] == 1
    assert refused.value.extra["current_version"] == before[0]
    sheet = PropertySheet.objects.get(loss_item=item)
    assert (sheet.version, sheet.total, sheet.assessor) == (1, Decimal("6660.00"), firm.qianqi)
    assert sheet.lines.count() == 3
    assert (case_version(item), sheet_saves(item)) == before


def test_a_new_sheet_started_by_two_people_is_saved_once(firm, item):
    save(item, ONE_LINE, firm.zhangsan, expected_sheet_version=0)
    with pytest.raises(Conflict):
        save(item, WORKED, firm.qianqi, expected_sheet_version=0)
    assert PropertySheet.objects.get(loss_item=item).total == Decimal("300.00")


def test_a_caller_sending_only_the_case_version_is_checked_against_the_case(firm, item):
    save(item, WORKED, firm.zhangsan)
    stale = case_version(item)
    add_damage_photo(item.case, actor=firm.qianqi)
    with pytest.raises(Conflict) as refused:
        save(item, ONE_LINE, firm.zhangsan, expected_version=stale)
    assert refused.value.message == "案件已被他人修改，请刷新后重试。"
    assert PropertySheet.objects.get(loss_item=item).version == 1
    assert save(item, ONE_LINE, firm.zhangsan, expected_version=case_version(item)).version == 2


def test_with_both_versions_sent_the_sheet_version_decides(firm, item):
    save(item, WORKED, firm.zhangsan)
    stale_case = case_version(item)
    add_damage_photo(item.case, actor=firm.qianqi)
    # A stale case version with the current sheet version: saved.
    sheet = save(
        item, ONE_LINE, firm.zhangsan, expected_version=stale_case, expected_sheet_version=1
    )
    assert sheet.version == 2
    # The current case version with a stale sheet version: refused.
    with pytest.raises(Conflict) as refused:
        save(
            item, WORKED, firm.qianqi, expected_version=case_version(item), expected_sheet_version=1
        )
    assert refused.value.extra["current_sheet_version"] == 2
    assert PropertySheet.objects.get(loss_item=item).total == Decimal("300.00")


def test_the_case_state_is_still_checked_with_a_current_sheet_version(firm):
    case = firm.assessed_case(property_loss=True)
    item = case.loss_items.get(kind=LossItemKind.PROPERTY)
    services.do_save_property_survey(item, SURVEY, actor=firm.zhangsan)
    save(item, WORKED, firm.zhangsan)
    claims_services.do_submit_for_review(case, actor=firm.zhangsan)
    with pytest.raises(IllegalTransition):
        save(item, ONE_LINE, firm.zhangsan, expected_sheet_version=1)
    assert PropertySheet.objects.get(loss_item=item).version == 1


# --- the API ----------------------------------------------------------------------------------


def sheet_url(item) -> str:
    return f"{API}/cases/{item.case.case_no}/loss-items/{item.seq}/sheet"


def put(user, item, body):
    return client_for(user).put(sheet_url(item), body, format="json")


def test_the_sheet_answers_its_version_and_each_save_moves_it(firm, item):
    created = put(firm.zhangsan, item, {"lines": WORKED, "sheet_version": 0})
    assert created.status_code == 200, created.content
    assert created.json()["sheet_version"] == 1
    read = client_for(firm.zhangsan).get(sheet_url(item)).json()
    assert read["sheet_version"] == 1
    saved = put(firm.zhangsan, item, {"lines": ONE_LINE, "sheet_version": 1})
    assert saved.status_code == 200 and saved.json()["sheet_version"] == 2


def test_a_photo_uploaded_through_the_api_meanwhile_does_not_refuse_the_save(firm, item):
    save(item, WORKED, firm.zhangsan)
    loaded = client_for(firm.zhangsan).get(sheet_url(item)).json()
    uploaded = client_for(firm.qianqi).post(
        f"{API}/cases/{item.case.case_no}/attachments",
        {"file": photo(), "kind": "photo", "doc_type": "damage_photo"},
        format="multipart",
    )
    assert uploaded.status_code == 201, uploaded.content
    assert case_version(item) > loaded["case_version"]
    body = {"lines": ONE_LINE, "sheet_version": loaded["sheet_version"]}
    response = put(firm.zhangsan, item, body)
    assert response.status_code == 200, response.content
    assert [line["name"] for line in response.json()["lines"]] == ["现场清理"]


def test_a_save_of_the_sheet_meanwhile_is_409_with_the_current_sheet(firm, item):
    save(item, WORKED, firm.zhangsan)
    loaded = client_for(firm.zhangsan).get(sheet_url(item)).json()
    assert put(firm.qianqi, item, {"lines": ONE_LINE, "sheet_version": 1}).status_code == 200
    late = put(firm.zhangsan, item, {"lines": WORKED[:1], "sheet_version": loaded["sheet_version"]})
    assert late.status_code == 409
    error = error_of(late)
    assert error["code"] == "conflict"
    assert error["message"] == "物损定损单已被他人修改，请核对后重试。"
    assert error["current_sheet_version"] == 2
    assert error["current_version"] == case_version(item)
    current = error["current_sheet"]
    assert current["kind"] == "property" and current["sheet_version"] == 2
    assert current["assessor"]["full_name"] == firm.qianqi.full_name
    assert [line["name"] for line in current["lines"]] == ["现场清理"]
    assert current["total"] == "300.00"
    # Nothing was saved; sent again against the sheet now seen, it goes through.
    assert PropertySheet.objects.get(loss_item=item).version == 2
    again = put(firm.zhangsan, item, {"lines": WORKED[:1], "sheet_version": 2})
    assert again.status_code == 200 and again.json()["sheet_version"] == 3


def test_an_api_caller_sending_only_the_case_version_is_checked_against_the_case(firm, item):
    save(item, WORKED, firm.zhangsan)
    stale = case_version(item)
    add_damage_photo(item.case, actor=firm.qianqi)
    late = put(firm.zhangsan, item, {"lines": ONE_LINE, "version": stale})
    assert late.status_code == 409
    error = error_of(late)
    assert error["message"] == "案件已被他人修改，请刷新后重试。"
    assert error["current_sheet"]["sheet_version"] == 1
    both = {"lines": ONE_LINE, "version": stale, "sheet_version": 1}
    assert put(firm.zhangsan, item, both).status_code == 200


def test_a_negative_sheet_version_is_a_field_error(firm, item):
    response = put(firm.zhangsan, item, {"lines": WORKED, "sheet_version": -1})
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"sheet_version"}
    assert not PropertySheet.objects.filter(loss_item=item).exists()


def test_the_case_detail_names_the_sheet_version_of_its_property_item(firm, item):
    save(item, WORKED, firm.zhangsan)
    save(item, ONE_LINE, firm.zhangsan)
    body = client_for(firm.zhangsan).get(f"{API}/cases/{item.case.case_no}").json()
    detail = next(i for i in body["loss_items"] if i["seq"] == item.seq)
    assert detail["property_sheet"]["sheet_version"] == 2
