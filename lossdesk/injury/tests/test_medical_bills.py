"""The bill lines' names and notes and the assessment's remarks are medical data (decision
0026): hidden from a position without the personal-data right on every page and in the API,
shown in full to one with it and recorded once per answer; the amounts stay visible."""

import pytest
from django.urls import reverse

from lossdesk.audit.models import PiiAccess
from lossdesk.claims import services as claims_services
from lossdesk.claims.choices import LossItemKind
from lossdesk.core.errors import ServiceError
from lossdesk.core.masking import MEDICAL_MASK
from lossdesk.injury.models import BillLine, InjuryAssessment
from lossdesk.injury.services.assessment import (
    BILLS_HIDDEN,
    HIDDEN_LINE,
    do_save_injury_assessment,
)
from lossdesk.injury.tests.test_investigation import surveyed
from lossdesk.injury.tests.test_services import BILLS, CALCULATOR, on_accident_day, person_aged
from lossdesk.testing import API, client_for

pytestmark = pytest.mark.django_db

DRUG, NOTE, REMARKS = "奥氮平片", "精神科用药，与本次事故无关", "伤者既往精神分裂症，长期服药。"


def bills_with_a_telling_drug(item) -> list[dict]:
    lines = [
        *BILLS[0]["lines"],
        {
            "category": "drugs",
            "item": DRUG,
            "claimed": "210",
            "reasonable": "0",
            "deduction_reason": "unrelated",
            "note": NOTE,
        },
    ]
    return on_accident_day(item, [{**BILLS[0], "lines": lines}])


def save(firm, item, *, bills=None, remarks=REMARKS, actor=None):
    return do_save_injury_assessment(
        item,
        person=person_aged(item, 40),
        calculator=CALCULATOR,
        bills=bills_with_a_telling_drug(item) if bills is None else bills,
        remarks=remarks,
        actor=actor or firm.zhangsan,
    )


@pytest.fixture
def item(firm):
    case = firm.assessing_case(injured_persons=1)
    item = case.loss_items.get(kind=LossItemKind.INJURY)
    save(firm, item)
    return item


def sheet_url(item) -> str:
    return f"{API}/cases/{item.case.case_no}/loss-items/{item.seq}/sheet"


def page_url(item) -> str:
    return reverse("injury:item", kwargs={"case_no": item.case.case_no, "seq": item.seq})


def records(user, item) -> list[list[str]]:
    return [r.fields for r in PiiAccess.objects.filter(user=user, case_no=item.case.case_no)]


def test_the_api_hides_the_lines_and_remarks_without_the_right_and_keeps_the_figures(firm, item):
    answer = client_for(firm.lisi).get(sheet_url(item)).json()  # a reviewer: no PII right

    line = answer["bills"][0]["lines"][2]
    assert (line["item"], line["note"], answer["remarks"]) == (MEDICAL_MASK,) * 3
    assert (line["category"], line["claimed"], line["deducted"], line["deduction_reason"]) == (
        "drugs",
        "210.00",
        "210.00",
        "unrelated",
    )
    assert answer["bills"][0]["lines"][1]["note"] == ""  # nothing to hide: no mask
    assert records(firm.lisi, item) == []


def test_a_save_over_hidden_lines_is_refused_in_the_api(firm, item):
    item.case.refresh_from_db()
    body = {
        "person": person_aged(item, 40),
        "bills": bills_with_a_telling_drug(item),
        **CALCULATOR,
        "version": item.case.version,
    }

    response = client_for(firm.qianqi).put(sheet_url(item), body, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert client_for(firm.zhangsan).put(sheet_url(item), body, format="json").status_code == 200


def test_the_api_shows_them_in_full_with_the_right_in_one_record(firm, item):
    answer = client_for(firm.zhoujiu).get(sheet_url(item)).json()  # branch manager: the right

    assert [line["item"] for line in answer["bills"][0]["lines"]] == ["头孢曲松钠", "胸部CT", DRUG]
    assert (answer["bills"][0]["lines"][2]["note"], answer["remarks"]) == (NOTE, REMARKS)
    assert records(firm.zhoujiu, item) == [["id_number", "medical"]]


def test_the_page_is_read_only_and_hides_the_lines_without_the_right(client, firm, item):
    client.force_login(firm.qianqi)  # an assessor: may assess, may not see personal data

    html = client.get(page_url(item)).content.decode()

    assert BILLS_HIDDEN in html and 'name="bills-0-lines-0-item"' not in html
    assert DRUG not in html and NOTE not in html and REMARKS not in html
    assert "头孢曲松钠" not in html and MEDICAL_MASK in html
    assert "210.00" in html and "与事故无关" in html  # the audit's figures and reasons
    assert records(firm.qianqi, item) == []

    # Saving is refused too: nobody audits lines they may not read.
    item.case.refresh_from_db()
    response = client.post(reverse("injury:save", args=[item.case.case_no, item.seq]), {})
    assert response.status_code == 403
    assert InjuryAssessment.objects.get(loss_item=item).remarks == REMARKS


def test_the_editor_shows_the_lines_in_full_with_the_right_in_one_record(client, firm, item):
    client.force_login(firm.zhangsan)  # a surveyor: assesses and holds the right

    html = client.get(page_url(item)).content.decode()

    assert f'value="{DRUG}"' in html and f'value="{NOTE}"' in html and REMARKS in html
    assert MEDICAL_MASK not in html
    assert records(firm.zhangsan, item) == [["id_number", "medical"]]


def test_the_review_page_hides_the_deducted_lines_names_without_the_right(client, firm):
    case = firm.assessed_case(injured_persons=1)  # the vehicles assessed already
    item = case.loss_items.get(kind=LossItemKind.INJURY)
    surveyed(firm, item)
    save(firm, item)
    claims_services.do_submit_for_review(item.case, actor=firm.zhangsan)
    url = reverse("claims:case-review", kwargs={"case_no": item.case.case_no})

    client.force_login(firm.lisi)
    hidden = client.get(url).content.decode()
    client.force_login(firm.zhoujiu)
    shown = client.get(url).content.decode()

    assert DRUG not in hidden and NOTE not in hidden and "210.00" in hidden
    assert DRUG in shown and NOTE in shown
    assert records(firm.lisi, item) == [] and "medical" in records(firm.zhoujiu, item)[0]


def test_the_mask_sent_back_as_a_line_or_the_remarks_is_never_stored(firm, item):
    bills = bills_with_a_telling_drug(item)
    bills[0]["lines"][2] = {**bills[0]["lines"][2], "item": MEDICAL_MASK, "note": MEDICAL_MASK}

    with pytest.raises(ServiceError) as exc:
        save(firm, item, bills=bills, remarks=MEDICAL_MASK)

    assert exc.value.fields["bills.0.lines.2.item"] == [HIDDEN_LINE]
    assert exc.value.fields["bills.0.lines.2.note"] == [HIDDEN_LINE]
    assert exc.value.fields["remarks"] == [HIDDEN_LINE]
    assert BillLine.objects.filter(item=DRUG).count() == 1
    assert InjuryAssessment.objects.get(loss_item=item).remarks == REMARKS
