"""The injury assessment's conflict check is about the assessment (decision 0007, amended),
as the vehicle and property sheets': a save carries `sheet_version`, the version of the
assessment the caller started from, and is refused only when the assessment itself was saved
since; a photo, a document or a document request on the case does not refuse it. A caller
that sends only the case `version` is checked against the case, as before; when both are
sent, `sheet_version` decides."""

import pytest

from lossdesk.claims import services as claims_services
from lossdesk.claims.choices import AttachmentKind, DocumentType, EventType, LossItemKind
from lossdesk.claims.models import CaseEvent
from lossdesk.core.errors import Conflict, IllegalTransition
from lossdesk.injury.models import InjuredPerson, InjuryAssessment
from lossdesk.injury.services import investigation
from lossdesk.injury.tests.test_investigation import accident, surveyed
from lossdesk.injury.tests.test_services import (
    BILLS,
    CALCULATOR,
    on_accident_day,
    person_aged,
    save,
)
from lossdesk.testing import API, add_damage_photo, client_for, error_of, photo

pytestmark = pytest.mark.django_db

NINE = {**CALCULATOR, "disability_grades": [9]}
ONE_LINE = [{**BILLS[0], "lines": BILLS[0]["lines"][1:]}]


@pytest.fixture
def item(firm):
    case = firm.assessing_case(injured_persons=1)
    return case.loss_items.get(kind=LossItemKind.INJURY)


def case_version(item) -> int:
    item.case.refresh_from_db()
    return item.case.version


def sheet_saves(item) -> int:
    return CaseEvent.objects.filter(case=item.case, type=EventType.SHEET_SAVED).count()


def documents_requested_and_received(firm, item):
    """The case waits for the documents (no save meanwhile: that is the state's refusal)
    and is back to assessing once they are in."""
    request = claims_services.do_request_documents(
        item.case, items="门诊病历、住院费用清单", actor=firm.lisi
    )
    claims_services.do_fulfil_document_request(request, actor=firm.lisi)


# A change to the case that is not a save of the assessment, as a colleague makes it meanwhile.
CASE_CHANGES = {
    "photo": lambda firm, item: add_damage_photo(item.case, actor=firm.qianqi),
    "document": lambda firm, item: claims_services.do_add_attachment(
        item.case,
        photo("id.jpg"),
        kind=AttachmentKind.DOCUMENT,
        doc_type=DocumentType.ID_CARD,
        actor=firm.qianqi,
    ),
    "document request": documents_requested_and_received,
    "hospital visit": lambda firm, item: investigation.do_record_hospital_visit(
        item,
        {"visited_on": accident(item), "kind": "follow_up", "present": True, "findings": "在床"},
        actor=firm.zhangsan,
    ),
}


# --- the service ----------------------------------------------------------------------------


def test_every_save_moves_the_assessments_version(firm, item):
    first = save(firm, item, expected_sheet_version=0)
    assert first.version == 1
    second = save(firm, item, calculator=NINE, expected_sheet_version=1)
    assert second.pk == first.pk and second.version == 2
    # A save without any version (the demo's builder) moves it too.
    assert save(firm, item).version == 3


@pytest.mark.parametrize("change", CASE_CHANGES)
def test_a_change_elsewhere_in_the_case_between_load_and_save_does_not_refuse_it(
    firm, item, change
):
    save(firm, item)
    seen = case_version(item)
    CASE_CHANGES[change](firm, item)
    assert case_version(item) > seen
    # Sent with both versions it loaded, as an API client does: the stale case one is moot.
    assessment = save(
        firm, item, calculator=NINE, bills=ONE_LINE, expected_version=seen, expected_sheet_version=1
    )
    assert (assessment.version, assessment.highest_grade) == (2, 9)
    assert [line.item for line in assessment.bills.get().lines.all()] == ["胸部CT"]


def test_a_stale_sheet_version_is_refused_and_changes_nothing(firm, item):
    save(firm, item, expected_sheet_version=0)
    before = case_version(item), sheet_saves(item)
    person = InjuredPerson.objects.get(loss_item=item)
    with pytest.raises(Conflict) as refused:
        save(
            firm,
            item,
            person={**person_aged(item, 50), "name": "王某"},
            calculator=NINE,
            bills=ONE_LINE,
            expected_sheet_version=0,
        )
    assert refused.value.message == "人伤定损已被他人修改，请核对后重试。"
    assert refused.value.extra["current_sheet_version"] == 1
    assert refused.value.extra["current_version"] == before[0]
    assessment = InjuryAssessment.objects.get(loss_item=item)
    assert (assessment.version, assessment.highest_grade, assessment.age) == (1, 10, 40)
    assert assessment.bills.get().lines.count() == 2
    assert InjuredPerson.objects.get(loss_item=item).name == person.name == "李某"
    assert (case_version(item), sheet_saves(item)) == before


def test_a_new_assessment_started_twice_is_saved_once(firm, item):
    first = save(firm, item, expected_sheet_version=0)
    with pytest.raises(Conflict):
        save(firm, item, calculator=NINE, expected_sheet_version=0)
    assessment = InjuryAssessment.objects.get(loss_item=item)
    assert (assessment.highest_grade, assessment.total) == (10, first.total)


def test_a_caller_sending_only_the_case_version_is_checked_against_the_case(firm, item):
    save(firm, item)
    stale = case_version(item)
    add_damage_photo(item.case, actor=firm.qianqi)
    with pytest.raises(Conflict) as refused:
        save(firm, item, calculator=NINE, expected_version=stale)
    assert refused.value.message == "案件已被他人修改，请刷新后重试。"
    assert InjuryAssessment.objects.get(loss_item=item).version == 1
    assessment = save(firm, item, calculator=NINE, expected_version=case_version(item))
    assert (assessment.version, assessment.highest_grade) == (2, 9)


def test_with_both_versions_sent_the_sheet_version_decides(firm, item):
    save(firm, item)
    stale_case = case_version(item)
    add_damage_photo(item.case, actor=firm.qianqi)
    # A stale case version with the current sheet version: saved.
    assessment = save(
        firm, item, calculator=NINE, expected_version=stale_case, expected_sheet_version=1
    )
    assert assessment.version == 2
    # The current case version with a stale sheet version: refused.
    with pytest.raises(Conflict) as refused:
        save(firm, item, expected_version=case_version(item), expected_sheet_version=1)
    assert refused.value.extra["current_sheet_version"] == 2
    assert InjuryAssessment.objects.get(loss_item=item).highest_grade == 9


def test_the_item_state_is_still_checked_with_a_current_sheet_version(firm):
    case = firm.assessed_case(injured_persons=1)  # the vehicles assessed already
    item = case.loss_items.get(kind=LossItemKind.INJURY)
    surveyed(firm, item)
    save(firm, item)
    claims_services.do_submit_for_review(case, actor=firm.zhangsan)
    with pytest.raises(IllegalTransition):
        save(firm, item, calculator=NINE, expected_sheet_version=1)
    assert InjuryAssessment.objects.get(loss_item=item).version == 1


# --- the API ----------------------------------------------------------------------------------


def sheet_url(item) -> str:
    return f"{API}/cases/{item.case.case_no}/loss-items/{item.seq}/sheet"


def body(item, **overrides) -> dict:
    data = {"person": person_aged(item, 40), "bills": BILLS, **CALCULATOR, **overrides}
    return {**data, "bills": on_accident_day(item, data["bills"])}


def put(user, item, data):
    return client_for(user).put(sheet_url(item), data, format="json")


def test_the_assessment_answers_its_version_and_each_save_moves_it(firm, item):
    created = put(firm.zhangsan, item, {**body(item), "sheet_version": 0})
    assert created.status_code == 200, created.content
    assert created.json()["sheet_version"] == 1
    assert client_for(firm.zhangsan).get(sheet_url(item)).json()["sheet_version"] == 1
    again = put(firm.zhangsan, item, {**body(item, disability_grades=[9]), "sheet_version": 1})
    assert again.status_code == 200 and again.json()["sheet_version"] == 2


def test_a_document_uploaded_through_the_api_meanwhile_does_not_refuse_the_save(firm, item):
    save(firm, item)
    loaded = client_for(firm.zhangsan).get(sheet_url(item)).json()
    uploaded = client_for(firm.qianqi).post(
        f"{API}/cases/{item.case.case_no}/attachments",
        {"file": photo("id.jpg"), "kind": "document", "doc_type": "id_card"},
        format="multipart",
    )
    assert uploaded.status_code == 201, uploaded.content
    assert case_version(item) > loaded["case_version"]
    versions = {"version": loaded["case_version"], "sheet_version": loaded["sheet_version"]}
    data = {**body(item, disability_grades=[9]), **versions}
    response = put(firm.zhangsan, item, data)
    assert response.status_code == 200, response.content
    assert response.json()["compensation"]["inputs"]["disability_grades"] == [9]


def test_a_save_of_the_assessment_meanwhile_is_409_with_the_current_one(firm, item):
    # 张三 opens an item not yet assessed (sheet_version 0); 钱七 saves it first.
    assert client_for(firm.zhangsan).get(sheet_url(item)).status_code == 404
    first = put(firm.qianqi, item, {**body(item, disability_grades=[9]), "sheet_version": 0})
    assert first.status_code == 200, first.content
    late = put(firm.zhangsan, item, {**body(item), "sheet_version": 0})
    assert late.status_code == 409
    error = error_of(late)
    assert error["code"] == "conflict"
    assert error["message"] == "人伤定损已被他人修改，请核对后重试。"
    assert error["current_sheet_version"] == 1
    assert error["current_version"] == case_version(item)
    current = error["current_sheet"]
    assert current["kind"] == "injury" and current["sheet_version"] == 1
    assert current["assessor"]["full_name"] == firm.qianqi.full_name
    assert current["compensation"]["inputs"]["disability_grades"] == [9]
    # Nothing was saved; sent again against the assessment now seen, it goes through.
    assessment = InjuryAssessment.objects.get(loss_item=item)
    assert (assessment.version, assessment.highest_grade) == (1, 9)
    again = put(firm.zhangsan, item, {**body(item), "sheet_version": 1})
    assert again.status_code == 200 and again.json()["sheet_version"] == 2
    assert again.json()["compensation"]["inputs"]["disability_grades"] == [10]


def test_an_api_caller_sending_only_the_case_version_is_checked_against_the_case(firm, item):
    save(firm, item)
    stale = case_version(item)
    add_damage_photo(item.case, actor=firm.qianqi)
    late = put(firm.zhangsan, item, {**body(item, disability_grades=[9]), "version": stale})
    assert late.status_code == 409
    error = error_of(late)
    assert error["message"] == "案件已被他人修改，请刷新后重试。"
    assert error["current_sheet"]["sheet_version"] == 1
    both = {**body(item, disability_grades=[9]), "version": stale, "sheet_version": 1}
    assert put(firm.zhangsan, item, both).status_code == 200


def test_a_negative_sheet_version_is_a_field_error(firm, item):
    response = put(firm.zhangsan, item, {**body(item), "sheet_version": -1})
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"sheet_version"}
    assert not InjuryAssessment.objects.filter(loss_item=item).exists()


def test_the_case_detail_names_the_version_of_its_injury_assessment(firm, item):
    save(firm, item)
    save(firm, item, calculator=NINE)
    detail = client_for(firm.zhangsan).get(f"{API}/cases/{item.case.case_no}").json()
    injured = next(i for i in detail["loss_items"] if i["seq"] == item.seq)
    assert injured["injury_assessment"]["sheet_version"] == 2
