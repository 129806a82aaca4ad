"""The injured person's survey, visit, appraisal, flag and flag-decision forms keep what the
user typed when the post is refused: the case changed meanwhile (409, the input and what
happened shown, the current version carried so a deliberate second send records once), the
flag was decided meanwhile (409, the input shown), or the input is wrong (400, on its field).
Nothing is recorded by a refused post."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lossdesk.injury.choices import FlagStatus
from lossdesk.injury.models import (
    DisabilityAppraisal,
    HospitalVisit,
    InjurySurvey,
    InvestigationFlag,
)
from lossdesk.injury.services import investigation as services
from lossdesk.injury.tests.test_investigation import accident, decide, flag, item, visit
from lossdesk.testing import changed_meanwhile, hidden_inputs, tag

pytestmark = pytest.mark.django_db
__all__ = ["item"]  # the fixture, shared with test_investigation

CHANGED = "您填写期间案件已被他人修改"
KEPT = "您填写的内容已保留在下方，尚未保存。"
FINDINGS = "22:00 查床，床位空置，同病房患者称伤者每晚回家过夜，护士站登记本无请假记录。"


def url(item, name: str, **kwargs) -> str:
    kwargs = kwargs or {"seq": item.seq}
    return reverse(name, kwargs={"case_no": item.case.case_no, **kwargs})


def refused_then_resent(client, item, name: str, typed: dict, seen: int, *, kwargs=None):
    """Post with the stale version: 409, the input and the message shown, the current
    version carried; then send what the page carries again. Returns both responses."""
    target = url(item, name, **(kwargs or {}))
    refused = client.post(target, {**typed, "version": seen})
    assert refused.status_code == 409
    html = refused.content.decode()
    assert CHANGED in html and KEPT in html
    item.case.refresh_from_db()
    assert hidden_inputs(html)["version"] == str(item.case.version)
    return refused, client.post(target, {**typed, **hidden_inputs(html)})


def survey_data(item) -> dict:
    day = accident(item).isoformat()
    return {
        "visited_on": day,
        "hospital": "杭州市第一人民医院",
        "department": "骨科",
        "bed": "12",
        "admitted_on": day,
        "diagnosis": "右胫腓骨骨折",
        "description": "右小腿畸形肿胀，已行切开复位内固定术，术后卧床，生命体征平稳。",
        "outcome": "treating",
    }


def visit_data(item, **overrides) -> dict:
    return {
        "visited_on": accident(item).isoformat(),
        "kind": "patrol",
        "present": "false",
        "findings": FINDINGS,
        **overrides,
    }


def test_the_survey_sent_after_the_case_changed_keeps_the_input_and_saves_once(client, firm, item):
    client.force_login(firm.zhangsan)
    typed = survey_data(item)
    seen = changed_meanwhile(firm, item.case)

    refused, resent = refused_then_resent(client, item, "injury:survey", typed, seen)

    html = refused.content.decode()
    assert typed["description"] in tag(html, "description") or typed["description"] in html
    assert 'value="右胫腓骨骨折"' in tag(html, "diagnosis")
    assert resent.status_code == 302
    assert InjurySurvey.objects.get(loss_item=item).description == typed["description"]


def test_a_survey_refused_by_the_conflict_records_nothing(client, firm, item):
    client.force_login(firm.zhangsan)
    seen = changed_meanwhile(firm, item.case)
    response = client.post(url(item, "injury:survey"), {**survey_data(item), "version": seen})
    assert response.status_code == 409
    assert not InjurySurvey.objects.filter(loss_item=item).exists()


def test_a_visit_sent_after_the_case_changed_keeps_the_findings_and_is_recorded_once(
    client, firm, item
):
    client.force_login(firm.zhangsan)
    seen = changed_meanwhile(firm, item.case)
    # A colleague's visit meanwhile is listed (without its findings: medical details).
    visit(firm, item, kind="follow_up", findings="伤者在床，输液中")

    refused, resent = refused_then_resent(client, item, "injury:visit", visit_data(item), seen)

    html = refused.content.decode()
    assert FINDINGS in html
    recorded = html[html.index("data-recorded") : html.index("</ul>", html.index("data-recorded"))]
    assert "跟踪回访" in recorded and "输液中" not in recorded
    assert HospitalVisit.objects.filter(loss_item=item).count() == 1 + 1  # theirs and this one
    assert resent.status_code == 302
    assert HospitalVisit.objects.filter(loss_item=item, findings=FINDINGS).count() == 1


def test_a_visit_refused_by_the_conflict_records_nothing(client, firm, item):
    client.force_login(firm.zhangsan)
    seen = changed_meanwhile(firm, item.case)
    response = client.post(url(item, "injury:visit"), {**visit_data(item), "version": seen})
    assert response.status_code == 409
    assert FINDINGS in response.content.decode()
    assert not HospitalVisit.objects.filter(loss_item=item).exists()
    assert not InvestigationFlag.objects.filter(loss_item=item).exists()


def test_an_appraisal_sent_after_the_case_changed_keeps_the_input_and_is_recorded_once(
    client, firm, item
):
    client.force_login(firm.zhangsan)
    seen = changed_meanwhile(firm, item.case)
    services.do_record_disability_appraisal(  # a colleague's appraisal meanwhile: listed
        item,
        {
            "injury": "面部瘢痕",
            "grade": 9,
            "institution": "浙江天平司法鉴定所",
            "appraised_on": accident(item),
        },
        actor=firm.zhangsan,
    )
    typed = {
        "injury": "右膝关节活动度丧失百分之二十五以上",
        "grade": "10",
        "clause": "5.10.6.1",
        "institution": "浙江千麦司法鉴定中心",
        "appraised_on": timezone.localdate().isoformat(),
    }

    target = url(item, "injury:appraisal")
    refused = client.post(target, {**typed, "version": seen})

    assert refused.status_code == 409
    html = refused.content.decode()
    assert CHANGED in html and KEPT in html
    assert typed["injury"] in tag(html, "injury") and "浙江千麦司法鉴定中心" in html
    recorded = html[html.index("data-recorded") : html.index("</ul>", html.index("data-recorded"))]
    assert "9 级 · 浙江天平司法鉴定所" in recorded and "面部瘢痕" not in recorded
    assert DisabilityAppraisal.objects.filter(loss_item=item).count() == 1  # only theirs
    assert client.post(target, {**typed, **hidden_inputs(html)}).status_code == 302
    assert list(
        DisabilityAppraisal.objects.filter(loss_item=item)
        .order_by("pk")
        .values_list("grade", flat=True)
    ) == [9, 10]


def test_a_flag_sent_after_the_case_changed_keeps_the_evidence_and_is_recorded_once(
    client, firm, item
):
    client.force_login(firm.zhangsan)
    seen = changed_meanwhile(firm, item.case)
    flag(firm, item)  # a colleague's flag meanwhile: listed, not its evidence
    typed = {
        "kind": "impersonation",
        "evidence": "门诊病历照片与身份证照片明显不符，签名笔迹不一致。",
    }

    refused, resent = refused_then_resent(client, item, "injury:flag", typed, seen)

    html = refused.content.decode()
    assert typed["evidence"] in html
    recorded = html[html.index("data-recorded") : html.index("</ul>", html.index("data-recorded"))]
    assert "过度医疗" in recorded and "重复CT" not in recorded
    assert resent.status_code == 302
    assert InvestigationFlag.objects.filter(loss_item=item, kind="impersonation").count() == 1


def test_a_decision_on_a_flag_decided_meanwhile_keeps_the_reason_and_changes_nothing(
    client, firm, item
):
    raised = flag(firm, item)
    client.force_login(firm.zhangsan)
    item.case.refresh_from_db()
    target = url(item, "injury:flag-decision", pk=raised.pk)
    typed = {"status": "dismissed", "note": "复核病历后认为三次CT均有医嘱依据，属合理检查。"}
    decide(firm, raised, note="病历抽查属实")  # a colleague decided it meanwhile

    refused = client.post(target, {**typed, "version": item.case.version})

    assert refused.status_code == 409
    html = refused.content.decode()
    assert CHANGED in html and KEPT in html and typed["note"] in html
    # Sent again with the current version: the flag's own state refuses it, input kept.
    again = client.post(target, {**typed, **hidden_inputs(html)})
    assert again.status_code == 409
    html = again.content.decode()
    assert "该疑点已确认，不能再次认定。" in html and KEPT in html and typed["note"] in html
    raised.refresh_from_db()
    assert (raised.status, raised.decision_note) == (FlagStatus.CONFIRMED, "病历抽查属实")


def test_a_flag_decision_after_the_case_changed_is_saved_on_the_second_send(client, firm, item):
    raised = flag(firm, item)
    client.force_login(firm.zhangsan)
    seen = changed_meanwhile(firm, item.case)
    typed = {"status": "confirmed", "note": "三次CT间隔不足二十四小时，无病情变化记录。"}

    refused, resent = refused_then_resent(
        client, item, "injury:flag-decision", typed, seen, kwargs={"pk": raised.pk}
    )

    assert typed["note"] in refused.content.decode()
    assert resent.status_code == 302
    raised.refresh_from_db()
    assert (raised.status, raised.decision_note) == (FlagStatus.CONFIRMED, typed["note"])


# --- invalid input ---------------------------------------------------------------------------


def test_a_visit_the_service_refuses_comes_back_with_the_findings_and_the_field_error(
    client, firm, item
):
    client.force_login(firm.zhangsan)
    item.case.refresh_from_db()
    before = (accident(item) - timedelta(days=1)).isoformat()

    response = client.post(
        url(item, "injury:visit"),
        {**visit_data(item, visited_on=before), "version": item.case.version},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert FINDINGS in html and "is-invalid" in tag(html, "visited_on")
    assert not HospitalVisit.objects.filter(loss_item=item).exists()


def test_a_flag_without_evidence_comes_back_with_the_input(client, firm, item):
    client.force_login(firm.zhangsan)
    item.case.refresh_from_db()

    response = client.post(
        url(item, "injury:flag"),
        {"kind": "impersonation", "evidence": "", "version": item.case.version},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "该字段是必填项。" in html and 'value="impersonation" selected' in html
    assert not InvestigationFlag.objects.filter(loss_item=item).exists()
