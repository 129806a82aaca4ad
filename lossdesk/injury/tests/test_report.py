"""The injury section of the review page and of the adjusting report: the course of
treatment (first visit, visits, appraisals, flags), the audit by category with the
deductions' reasons, the compensation with its standard."""

import pytest
from django.urls import reverse

from lossdesk.claims import services as claims_services
from lossdesk.claims.choices import LossItemKind
from lossdesk.claims.pdf import adjusting_report_html
from lossdesk.core.masking import MEDICAL_MASK
from lossdesk.injury.services import investigation
from lossdesk.injury.tests.test_investigation import (
    accident,
    bill_cut_for,
    decide,
    surveyed,
    visit,
)
from lossdesk.injury.tests.test_services import CALCULATOR, save

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(firm):
    case = firm.assessed_case(injured_persons=1)
    item = case.loss_items.get(kind=LossItemKind.INJURY)
    surveyed(firm, item, discharged_on=accident(item))
    seen = visit(firm, item, present=False, findings="床位空置")
    decide(firm, seen.flags.get(), note="夜间两次查床均不在")
    investigation.do_record_disability_appraisal(
        item,
        {
            "injury": "左腕关节功能丧失",
            "grade": 10,
            "clause": "5.10.6.1",
            "institution": "浙江天平司法鉴定所",
            "appraised_on": accident(item),
        },
        actor=firm.zhangsan,
    )
    # The CT cut for 挂床 (the flag is confirmed), the drug for 非医保用药.
    save(firm, item, calculator=CALCULATOR, bills=bill_cut_for("bed_blocking"))
    claims_services.do_submit_for_review(case, actor=firm.zhangsan)
    case.refresh_from_db()
    return case


def test_the_report_tells_the_course_of_treatment_and_the_audit_by_category(case):
    html = adjusting_report_html(case, report=None)

    course = html.split('data-testid="injury-course"', 1)[1].split("</div>", 1)[0]
    assert "首次查勘于杭州市第一人民医院骨科 12 床" in course
    assert "（住院 0 天）" in course and "治疗结果：伤残鉴定" in course
    assert "巡查（不在床）" in course
    assert "10 级（5.10.6.1）" in course and "浙江天平司法鉴定所" in course
    assert "挂床住院：已确认" in course
    # The report leaves the medical details out rather than printing a mask.
    assert "右胫腓骨骨折" not in html and MEDICAL_MASK not in html
    assert "左腕关节功能丧失" not in html and "夜间两次查床" not in html
    by_category = html.split("费用类别", 1)[1].split("</table>", 1)[0]
    assert '药品</td><td class="num">1,280.00</td>' in by_category
    assert "非医保用药 300.00" in by_category and "挂床期间费用 150.00" in by_category


def test_the_reviewer_sees_the_course_without_the_medical_details(client, firm, case):
    client.force_login(firm.lisi)  # no personal-data right

    html = client.get(
        reverse("claims:case-review", kwargs={"case_no": case.case_no})
    ).content.decode()

    assert "挂床住院：已确认" in html and "10 级" in html
    assert "右胫腓骨骨折" not in html and MEDICAL_MASK in html
