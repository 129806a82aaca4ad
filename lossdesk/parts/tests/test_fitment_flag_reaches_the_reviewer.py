"""A part that does not fit the identified model is flagged where the reviewer looks."""

import pytest
from rest_framework.test import APIClient

from lossdesk.claims import services as claims_services
from lossdesk.motor.services import do_save_assessment_sheet
from lossdesk.parts import services

pytestmark = pytest.mark.django_db


def submitted_case_with_a_mismatched_part(firm, catalogue):
    case = firm.assessing_case(third_party_vehicles=0, third_party_plates="")
    item = case.loss_items.get(seq=1)
    services.do_identify_vehicle(
        item, vehicle_model=catalogue.tcross_base, method="manual", actor=firm.zhangsan
    )
    line = {"kind": "replace", "name": "LED前大灯总成", "unit_price": "3600"}
    do_save_assessment_sheet(item, lines=[{**line, "part": catalogue.led.pk}], actor=firm.zhangsan)
    claims_services.do_submit_for_review(case, actor=firm.zhangsan)
    return case


def test_the_reviewer_sees_the_fitment_flag_on_the_sheet_page(client, firm, catalogue):
    case = submitted_case_with_a_mismatched_part(firm, catalogue)
    client.force_login(firm.lisi)
    page = client.get(f"/cases/{case.case_no}/items/1/sheet/").content.decode()
    assert "data-fitment-warning" in page
    assert "低配高选" in page


def test_the_sheet_api_carries_the_fitment_flag(firm, catalogue):
    case = submitted_case_with_a_mismatched_part(firm, catalogue)
    api = APIClient()
    api.force_authenticate(firm.lisi)
    body = api.get(f"/api/v1/cases/{case.case_no}/loss-items/1/sheet").json()
    assert body["lines"][0]["fitment_warning"].startswith("低配高选")
