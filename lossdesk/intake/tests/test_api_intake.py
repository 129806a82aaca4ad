"""POST /api/v1/reports is idempotent per (client, client_claim_no): a retried request gets
the first result and creates nothing new."""

import pytest

from lossdesk.claims.models import Case, CaseEvent
from lossdesk.claims.tests.test_api_lifecycle import report_body
from lossdesk.intake.api.views import ReportCreateView
from lossdesk.intake.choices import ReportChannel
from lossdesk.intake.models import Dispatch, Report
from lossdesk.testing import API, client_for, error_of

pytestmark = pytest.mark.django_db


def counts():
    return Report.objects.count(), Case.objects.count(), CaseEvent.objects.count()


def post(user, body):
    return client_for(user).post(f"{API}/reports", body, format="json")


def test_a_retried_report_returns_the_first_case_and_creates_nothing_new(firm):
    body = report_body(firm)
    first = post(firm.zhaoliu, body)
    assert first.status_code == 201
    before = counts()
    retry = post(firm.zhaoliu, body)
    assert retry.status_code == 200
    assert retry["Idempotent-Replay"] == "true"
    assert retry.json()["case_no"] == first.json()["case_no"]
    assert retry["Location"].endswith(f"/cases/{first.json()['case_no']}")
    assert counts() == before
    assert "Idempotent-Replay" not in first


def test_the_first_registration_is_marked_as_coming_from_the_api(firm):
    response = post(firm.zhaoliu, report_body(firm))
    assert Report.objects.get(report_no=response.json()["report_no"]).channel == ReportChannel.API


def test_a_retry_that_loses_the_race_to_the_unique_constraint_replays_the_winner(firm, monkeypatch):
    """The retry arrives while the first request is still inside its transaction: the
    pre-check sees nothing, the insert hits the unique constraint, the view answers with the
    report the first request stored."""
    body = report_body(firm)
    first = post(firm.zhaoliu, body)
    before = counts()
    calls = []
    original = ReportCreateView.existing

    def blind_first_time(data):
        calls.append(data["client_claim_no"])
        return None if len(calls) == 1 else original(data)

    monkeypatch.setattr(ReportCreateView, "existing", staticmethod(blind_first_time))
    retry = post(firm.zhaoliu, body)
    assert len(calls) == 2  # the pre-check, then the look-up after the refusal
    assert retry.status_code == 200
    assert retry.json()["case_no"] == first.json()["case_no"]
    assert counts() == before


def test_a_retry_that_hits_the_database_constraint_itself_also_replays(firm, monkeypatch):
    from lossdesk.intake.services import reports

    body = report_body(firm)
    first = post(firm.zhaoliu, body)
    before = counts()
    monkeypatch.setattr(reports, "check_earlier_reports", lambda report: None)  # skip the check
    monkeypatch.setattr(ReportCreateView, "existing", _blind_once(ReportCreateView.existing))
    retry = post(firm.zhaoliu, body)
    assert retry.status_code == 200, retry.content
    assert retry.json()["case_no"] == first.json()["case_no"]
    assert counts() == before


def _blind_once(original):
    seen = []

    def existing(data):
        seen.append(1)
        return None if len(seen) == 1 else original(data)

    return staticmethod(existing)


def test_the_same_claim_number_for_another_accident_is_a_conflict_naming_the_case(firm):
    first = post(firm.zhaoliu, report_body(firm))
    before = counts()
    response = post(firm.zhaoliu, report_body(firm, plate="浙A99999"))
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "duplicate_report"
    assert "client_claim_no" in error["fields"]
    assert error["case_no"] == first.json()["case_no"]
    assert counts() == before


def test_a_retry_by_a_user_who_cannot_see_the_first_case_learns_nothing_about_it(firm):
    post(firm.zhaoliu, report_body(firm))  # registered in 杭州
    before = counts()
    response = post(firm.wushi, report_body(firm))  # 宁波's dispatcher retries it
    assert response.status_code == 409
    error = error_of(response)
    assert "case_no" not in error
    assert counts() == before


def test_a_position_without_report_rights_cannot_replay_either(firm):
    post(firm.zhaoliu, report_body(firm))
    response = post(firm.qianqi, report_body(firm))
    assert response.status_code == 403


def test_a_report_posted_with_coordinates_keeps_them_for_the_recommendation(firm):
    body = report_body(firm, accident_lat="30.274100", accident_lng="120.155100")
    response = post(firm.zhaoliu, body)
    assert response.status_code == 201
    report = Report.objects.get()
    assert str(report.accident_lat) == "30.274100"
    assert response.json()["report"]["accident_lat"] == "30.274100"


def test_coordinates_out_of_range_are_a_400_on_the_field(firm):
    response = post(firm.zhaoliu, report_body(firm, accident_lat="95", accident_lng="120"))
    assert response.status_code == 400
    assert "accident_lat" in error_of(response)["fields"]
    assert Report.objects.count() == 0


def test_the_surveyor_declines_over_the_api_with_a_reason(firm):
    case = firm.registered_case()
    dispatcher = client_for(firm.zhaoliu)
    dispatcher.post(f"{API}/cases/{case.case_no}/dispatch", {"surveyor": firm.zhangsan.pk})
    surveyor = client_for(firm.zhangsan)
    missing = surveyor.post(f"{API}/cases/{case.case_no}/decline", {}, format="json")
    assert missing.status_code == 400
    assert "reason" in error_of(missing)["fields"]
    response = surveyor.post(
        f"{API}/cases/{case.case_no}/decline", {"reason": "车辆故障"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "registered"
    assert response.json()["dispatch"]["decline_reason"] == "车辆故障"
    assert Dispatch.objects.get().status == "declined"
    # The case is back in the queue, no longer the surveyor's: it is gone from their view.
    assert surveyor.get(f"{API}/cases/{case.case_no}").status_code == 404
    assert client_for(firm.zhaoliu).get(f"{API}/cases/{case.case_no}").json()["status"] == (
        "registered"
    )


def test_the_recommendations_endpoint_ranks_with_reasons_for_dispatchers_only(firm):
    case = firm.registered_case()
    response = client_for(firm.zhaoliu).get(f"{API}/cases/{case.case_no}/recommendations")
    assert response.status_code == 200
    [top] = response.json()
    assert top["surveyor"] == firm.zhangsan.pk
    assert {r["factor"] for r in top["reasons"]} == {"duty", "distance", "workload", "skills"}
    refused = client_for(firm.lisi).get(f"{API}/cases/{case.case_no}/recommendations")
    assert refused.status_code == 403
    hidden = client_for(firm.wushi).get(f"{API}/cases/{case.case_no}/recommendations")
    assert hidden.status_code == 404


def test_a_surveyor_reports_their_position_for_the_distance_part(firm):
    client = client_for(firm.zhangsan)
    response = client.post(f"{API}/me/position", {"lat": "30.2741", "lng": "120.1551"})
    assert response.status_code == 204
    firm.zhangsan.refresh_from_db()
    assert str(firm.zhangsan.last_lat) == "30.274100"
    assert firm.zhangsan.last_position_at is not None
    bad = client.post(f"{API}/me/position", {"lat": "abc", "lng": "120"})
    assert bad.status_code == 400
