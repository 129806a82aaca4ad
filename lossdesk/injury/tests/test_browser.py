"""An injured person from the first visit to approved compensation, driven in headless
Chromium: the surveyor records the first visit, a night patrol that finds the bed empty
(which raises a 挂床住院 flag, then confirmed) and the 十级 appraisal; types the person (a
wrong check digit first), the TV-9 figures and an audited bill on the injury page, submits
the case; the reviewer sees the course of treatment and the compensation and approves. And
the page's conflicts: refused by a save of the assessment only, the input kept."""

import pytest
from django.utils import timezone

from lossdesk.calc.models import CtplLimitTable
from lossdesk.claims.choices import CaseStatus, LossItemKind
from lossdesk.claims.tests.test_browser_path import ARGS, ARTIFACTS, CHROMIUM, Person
from lossdesk.injury.models import InjuryAssessment
from lossdesk.injury.tests.test_services import person_aged, save
from lossdesk.injury.tests.test_views import TV9
from lossdesk.rules.ctpl import CTPL_LIMIT_TABLES
from lossdesk.testing import add_damage_photo

BAD_REQUEST = "the server responded with a status of 400 (Bad Request)"
CONFLICT = "the server responded with a status of 409 (Conflict)"
BILL = {
    "bills-0-invoice_no": "ZJ-0001",
    "bills-0-hospital": "杭州市第一人民医院",
    "bills-0-inpatient": "1",
    "bills-0-lines-0-category": "drugs",
    "bills-0-lines-0-item": "头孢曲松钠",
    "bills-0-lines-0-claimed": "1280",
    "bills-0-lines-0-reasonable": "980",
    "bills-0-lines-0-deduction_reason": "non_insured_drug",
    "bills-0-lines-1-category": "examination",
    "bills-0-lines-1-item": "胸部CT",
    "bills-0-lines-1-claimed": "650",
    "bills-0-lines-1-reasonable": "650",
}


def seeded_ctpl_limits() -> None:
    """The CTPL limit tables the split reads, as migration calc.0002 seeds them: a
    transactional test that ran before this one on the worker has flushed them."""
    for limits in CTPL_LIMIT_TABLES:
        CtplLimitTable.objects.get_or_create(
            effective_from=limits.effective_from,
            defaults={
                "name": limits.name,
                **{
                    f"{fault}_{kind}": getattr(getattr(limits, fault), kind)
                    for fault in ("at_fault", "not_at_fault")
                    for kind in ("death_disability", "medical", "property")
                },
            },
        )


def put(page, name: str, value: str) -> None:
    """Type `value` into the input named `name` as a person would: choose it in a select,
    tick a box or a radio button, or fill a field."""
    field = page.locator(f'[name="{name}"]')
    tag = field.first.evaluate("e => e.tagName + ':' + (e.type || '')")
    if tag.startswith("SELECT"):
        field.select_option(value)
    elif tag.endswith(":radio"):
        page.locator(f'[name="{name}"][value="{value}"]').check()
    elif tag.endswith(":checkbox"):
        field.set_checked(value not in ("", "0", "false"))
    else:
        field.fill(value)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/bootstrap.sh)")
def test_an_injured_person_goes_from_first_visit_to_approval_in_the_browser(live_server, firm):
    from playwright.sync_api import sync_playwright

    seeded_ctpl_limits()
    case = firm.assessed_case(injured_persons=1)  # the vehicles are assessed already
    item = case.loss_items.get(kind=LossItemKind.INJURY)
    day = timezone.localdate(case.report.accident_time).isoformat()
    person = person_aged(item, 40)
    good_id = person["id_number"]
    bad_id = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)

        assessor = Person(browser, live_server.url, "zhangsan", problems)
        page = assessor.page
        assessor.open_case(case.case_no)
        page.click(f"tr:has-text('{item.label}') [data-testid=sheet-link]")
        page.wait_for_url(f"**/items/{item.seq}/injury/")

        def step(action: str, fields: dict) -> None:
            page.click(f"[data-action={action}]")
            for name, value in fields.items():
                put(page, name, value)
            page.locator("form [type=submit]").last.click()
            page.wait_for_url(f"**/items/{item.seq}/injury/")

        step(
            "survey",
            {
                "visited_on": day,
                "hospital": "杭州市第一人民医院",
                "department": "骨科",
                "bed": "12",
                "admitted_on": day,
                "diagnosis": "左桡骨远端骨折",
            },
        )
        step("visit", {"visited_on": day, "kind": "patrol", "present": "false", "findings": "床空"})
        flags = page.locator("[data-section=flags]").inner_text()
        assert "挂床住院" in flags and "待核实" in flags
        step("decide", {"status": "confirmed", "note": "夜间两次查床均不在"})
        assert "已确认" in page.locator("[data-section=flags]").inner_text()
        step(
            "appraisal",
            {
                "injury": "左腕关节功能丧失25%以上",
                "grade": "10",
                "institution": "浙江天平司法鉴定所",
                "appraised_on": day,
            },
        )
        assert "10 级" in page.locator("[data-section=appraisals]").inner_text()

        for name, value in {
            "person-name": person["name"],
            "person-id_number": bad_id,
            "person-relation": person["relation"],
            **TV9,
            **BILL,
            "bills-0-date": day,
        }.items():
            put(page, name, value)
        with page.expect_navigation():  # the answer to the post, not the page before it
            page.locator("[data-sheet-form] button[name=save]:not(.visually-hidden)").click()
        assert "身份证号码校验位不正确" in page.locator("[data-section=person]").inner_text()
        assert page.input_value('[name="bills-0-lines-0-item"]') == "头孢曲松钠"  # kept
        assert problems == [f"zhangsan: Failed to load resource: {BAD_REQUEST}"]
        problems.clear()

        put(page, "person-id_number", good_id)
        with page.expect_navigation():  # the answer to the post, not the page before it
            page.locator("[data-sheet-form] button[name=save]:not(.visually-hidden)").click()
        result = page.locator("[data-section=compensation]").inner_text()
        assert "61,942.00" in result  # TV-9: 30,971 × 20 × 10%
        assert "1,630.00" in result  # 医疗费 = the audited reasonable total
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "e2e-injury-item.png"), full_page=True)

        assessor.open_case(case.case_no)
        assessor.act("case-submit")
        assessor.expect_status("待审核")

        reviewer = Person(browser, live_server.url, "lisi", problems)
        page = reviewer.page
        page.goto(f"{live_server.url}/cases/{case.case_no}/review/")
        review = page.locator("body").inner_text()
        assert "61,942.00" in review and good_id not in review  # 李四 sees the ID masked
        assert "挂床住院" in review and "10 级" in review  # the course of treatment
        assert "左桡骨远端骨折" not in review  # … without the medical details
        page.screenshot(path=str(ARTIFACTS / "e2e-injury-review.png"), full_page=True)
        reviewer.open_case(case.case_no)
        panel = reviewer.panel("case-review")
        panel.locator("input[name=decision][value=approved]").check()
        with page.expect_navigation():
            panel.locator("button[type=submit]").click()
        browser.close()

    assert problems == []
    case.refresh_from_db()
    assessment = InjuryAssessment.objects.get(loss_item=item)
    assert case.status in (CaseStatus.APPROVED, CaseStatus.IN_SECOND_REVIEW)
    assert assessment.items["disability_compensation"]["amount"] == "61942.00"
    assert case.assessed_amount >= assessment.total


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/bootstrap.sh)")
def test_the_injury_page_is_refused_only_by_a_save_of_the_assessment_and_keeps_the_input(
    live_server, firm, monkeypatch
):
    """Decision 0007, amended: a photo arriving while the audit is typed does not refuse the
    save; another save of the assessment does, the input stays, and a second click saves."""
    from playwright.sync_api import expect, sync_playwright

    seeded_ctpl_limits()
    case = firm.assessing_case(injured_persons=1)
    item = case.loss_items.get(kind=LossItemKind.INJURY)
    save(firm, item)  # 住院 12 天
    problems: list[str] = []
    # The colleagues' changes are made between clicks, inside playwright's event loop.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = Person(browser, live_server.url, "zhangsan", problems).page
        page.goto(f"{live_server.url}/cases/{case.case_no}/items/{item.seq}/injury/")
        button = page.locator("[data-sheet-form] button[name=save]:not(.visually-hidden)")

        # A photo arrives while the audit is typed: saved at the first click.
        page.fill("[name=hospital_days]", "15")
        add_damage_photo(case, actor=firm.qianqi)
        with page.expect_navigation():
            button.click()
        page.wait_for_url(f"**/items/{item.seq}/injury/")
        assessment = InjuryAssessment.objects.get(loss_item=item)
        assert (assessment.hospital_days, assessment.version) == (15, 2)

        # The assessment is saved from another window (张三's own, the only one here who may
        # audit these bills) while he types: refused, the input kept, nothing written.
        page.fill("[name=hospital_days]", "20")
        theirs = save(firm, item)
        with page.expect_navigation():
            button.click()
        errors = page.locator("[data-sheet-errors]")
        expect(errors).to_contain_text("人伤定损已被他人修改")
        expect(errors).to_contain_text(f"由 张三 编制，赔偿合计 {theirs.total:,.2f} 元")
        expect(page.locator("[name=hospital_days]")).to_have_value("20")
        assert InjuryAssessment.objects.get(loss_item=item).hospital_days == 12
        # The conflict is a 409 page, which the browser logs; nothing else went wrong.
        assert problems == [f"zhangsan: Failed to load resource: {CONFLICT}"]
        problems.clear()

        # The second, deliberate click saves over it.
        with page.expect_navigation():
            button.click()
        page.wait_for_url(f"**/items/{item.seq}/injury/")
        browser.close()

    assert problems == []
    assessment = InjuryAssessment.objects.get(loss_item=item)
    assert (assessment.hospital_days, assessment.assessor, assessment.version) == (
        20,
        firm.zhangsan,
        4,
    )
