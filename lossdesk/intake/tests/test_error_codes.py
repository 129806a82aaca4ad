"""Intake's refusals reach API clients with a machine-readable code (intake.error_codes):
one request per common refusal."""

import pytest

from lossdesk.testing import API, client_for, error_of

pytestmark = pytest.mark.django_db


def refused(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    error = error_of(response)
    assert error["code"] == code, error
    return error


def test_a_dispatch_to_someone_who_is_not_a_surveyor_here(firm):
    case = firm.registered_case()
    response = client_for(firm.zhaoliu).post(
        f"{API}/cases/{case.case_no}/dispatch", {"surveyor": firm.zhaoliu.pk}, format="json"
    )
    assert "surveyor" in refused(response, 400, "surveyor_not_dispatchable")["fields"]


def test_a_second_arrival_is_an_illegal_transition(firm):
    case = firm.surveying_case()  # arrival already recorded
    response = client_for(firm.zhangsan).post(
        f"{API}/cases/{case.case_no}/arrival", {"version": case.version}, format="json"
    )
    error = refused(response, 409, "illegal_transition")
    assert error["message"] == "调度当前状态为「已到达」，不能执行「到达现场」。"  # DISPATCH_STATES


def test_a_delegation_to_the_own_branch_is_an_invalid_delegation(firm):
    case = firm.registered_case()
    response = client_for(firm.zhaoliu).post(
        f"{API}/cases/{case.case_no}/delegations", {"to_branch": firm.hangzhou.pk}
    )
    assert "to_branch" in refused(response, 400, "invalid_delegation")["fields"]


def test_a_second_delegation_while_one_is_active_is_an_illegal_transition(firm):
    case = firm.registered_case()
    dispatcher = client_for(firm.zhaoliu)
    url = f"{API}/cases/{case.case_no}/delegations"
    assert dispatcher.post(url, {"to_branch": firm.nanjing.pk}).status_code == 201
    refused(dispatcher.post(url, {"to_branch": firm.nanjing.pk}), 409, "illegal_transition")


def test_returning_a_delegation_not_yet_accepted_is_an_illegal_transition(firm):
    case = firm.registered_case()
    created = client_for(firm.zhaoliu).post(
        f"{API}/cases/{case.case_no}/delegations", {"to_branch": firm.nanjing.pk}
    )
    receiving = client_for(firm.staff("zhengsan", "郑三", "dispatcher", firm.nanjing))
    url = f"{API}/cases/{case.case_no}/delegations/{created.json()['id']}/return"
    error = refused(receiving.post(url, {"reason": "人手不足"}), 409, "illegal_transition")
    assert error["current_state"] == "requested"
    assert error["message"] == "委托当前状态为「待接收」，不能执行「退回」。"  # DELEGATION_STATES
