"""Risk alerts: each rule of the registry on cases built through the services, with the
inputs it saw and its sentence; evaluation is idempotent; the rules' parameters are data
checked on save; the API lists within the case scope and works an alert to a decision."""

from datetime import timedelta
from io import BytesIO, StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from lossdesk.claims import services as claims_services
from lossdesk.quality.alert_rules import RULES
from lossdesk.quality.models import Alert, AlertRuleSetting
from lossdesk.quality.services import evaluate_case, evaluate_cases
from lossdesk.testing import API, SURVEY, VALID_VINS, client_for, error_of

pytestmark = pytest.mark.django_db


def rules_of(case) -> set[str]:
    return set(Alert.objects.filter(case=case).values_list("rule", flat=True))


def test_a_report_made_days_after_the_accident_is_flagged_once(firm):
    now = timezone.now()
    case = firm.registered_case(
        accident_time=now - timedelta(hours=73), reported_at=now - timedelta(hours=1)
    )

    (alert,) = evaluate_case(case)

    assert (alert.rule, alert.rule_version) == ("late_report", 1)
    assert alert.inputs["delay_hours"] == 72.0 and alert.inputs["params"] == {"hours": 48}
    assert alert.explanation == "出险 72.0 小时后才报案，超过 48 小时。"
    assert evaluate_case(case) == []  # evaluating again raises nothing new
    assert Alert.objects.filter(case=case).count() == 1


def test_the_same_vehicle_within_the_window_is_flagged_on_both_cases(firm):
    now = timezone.now()
    ten_days_ago = now - timedelta(days=10, hours=2)
    first = firm.registered_case(accident_time=ten_days_ago, reported_at=ten_days_ago)
    second = firm.registered_case(plate="浙A99999", reporter_phone="13900001111")  # same VIN
    elsewhere = firm.registered_case(
        plate="浙C11111",
        vin=VALID_VINS[1],
        reporter_phone="13900002222",
        accident_time=now - timedelta(days=40),
        reported_at=now - timedelta(days=40),
    )

    assert evaluate_cases() == 2

    alert = Alert.objects.get(case=second, rule="repeat_vehicle")
    assert alert.inputs["cases"] == [first.case_no]
    assert first.case_no in alert.explanation and "30 天内另有 1 起案件" in alert.explanation
    assert "repeat_vehicle" in rules_of(first) and not rules_of(elsewhere)


def test_a_phone_reporting_often_is_flagged_without_naming_the_number(firm):
    cases = [
        firm.registered_case(plate=f"浙C1000{i}", vin=VALID_VINS[i % 2 + 1] if i else "")
        for i in range(3)
    ]
    alerts = evaluate_case(cases[0])
    phone = [a for a in alerts if a.rule == "repeat_phone"]
    assert phone and "13812345678" not in str(phone[0].inputs) + phone[0].explanation


def test_a_single_vehicle_accident_at_night_is_flagged(firm):
    local = timezone.localtime(timezone.now()).replace(hour=23, minute=30)
    night = local - timedelta(days=1)
    case = firm.surveying_case(
        accident_time=night, reported_at=night + timedelta(hours=1), plate="浙C20000", vin=""
    )
    claims_services.do_save_survey(
        case, {**SURVEY, "accident_type": "single_vehicle"}, actor=firm.zhangsan
    )

    (alert,) = evaluate_case(case)

    assert alert.rule == "night_single_vehicle"
    assert alert.explanation == "单方事故发生在夜间 23:30（22:00–5:00）。"


def test_parameters_are_data_checked_by_their_rule(firm):
    bad = AlertRuleSetting(rule="late_report", params={"hours": 0})
    with pytest.raises(ValidationError) as refused:
        bad.full_clean()
    assert refused.value.message_dict["params"] == ["hours：报案时延（小时）须在 1 到 720 之间"]
    with pytest.raises(ValidationError):
        AlertRuleSetting(rule="late_report", params={"minutes": 5}).full_clean()

    now = timezone.now()
    case = firm.registered_case(
        accident_time=now - timedelta(hours=30), reported_at=now - timedelta(hours=1)
    )
    assert evaluate_case(case) == []  # 29 hours: within the default 48
    AlertRuleSetting.objects.create(rule="late_report", params={"hours": 24})
    assert [a.rule for a in evaluate_case(case)] == ["late_report"]
    AlertRuleSetting.objects.filter(rule="late_report").update(enabled=False)
    Alert.objects.all().delete()
    assert evaluate_case(case) == []


def test_every_rule_has_an_id_a_version_and_valid_defaults():
    for code, rule in RULES.items():
        assert rule.code == code and rule.version >= 1 and rule.title
        assert rule.parameters({}) == {p.name: p.default for p in rule.params}


def test_the_job_reports_what_it_raised(firm):
    now = timezone.now()
    firm.registered_case(accident_time=now - timedelta(days=3), reported_at=now)
    out = StringIO()
    call_command("evaluate_alerts", stdout=out)
    assert "新增预警 1 条" in out.getvalue()


# --- the API ------------------------------------------------------------------------------


@pytest.fixture
def alert(firm):
    now = timezone.now()
    case = firm.registered_case(
        accident_time=now - timedelta(days=3), reported_at=now - timedelta(hours=1)
    )
    (alert,) = evaluate_case(case)
    return alert


def test_alerts_are_listed_within_the_case_scope(firm, alert):
    answer = client_for(firm.zhoujiu).get(f"{API}/alerts", {"status": "open"}).json()
    (shown,) = answer["results"]
    assert (shown["case_no"], shown["rule"], shown["rule_version"]) == (
        alert.case.case_no,
        "late_report",
        1,
    )
    assert shown["inputs"]["params"] == {"hours": 48} and shown["status"] == "open"

    ningbo = client_for(firm.wushi)  # another branch's dispatcher
    assert ningbo.get(f"{API}/alerts").json()["results"] == []
    assert ningbo.get(f"{API}/alerts/{alert.pk}").status_code == 404
    assert (
        client_for(firm.wushi)
        .post(f"{API}/alerts/{alert.pk}/resolve", {"decision": "confirmed"}, format="json")
        .status_code
        == 404
    )


def test_an_alert_is_worked_to_a_decision_and_a_dismissal_needs_its_reason(firm, alert):
    url = f"{API}/alerts/{alert.pk}/resolve"
    manager = client_for(firm.zhoujiu)
    response = manager.post(url, {"decision": "dismissed"}, format="json")
    assert response.status_code == 400
    assert error_of(response)["fields"] == {"reason": ["排除预警须写明理由。"]}
    assert (
        client_for(firm.qianqi)
        .post(  # an assessor sees alerts, does not decide them
            url, {"decision": "confirmed"}, format="json"
        )
        .status_code
        == 403
    )

    response = manager.post(
        url, {"decision": "dismissed", "reason": "客户出差，回来后报案"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "dismissed"
    assert response.json()["resolved_by"]["id"] == firm.zhoujiu.pk
    again = manager.post(url, {"decision": "confirmed"}, format="json")
    assert again.status_code == 409 and error_of(again)["code"] == "alert_already_resolved"


# --- rules reading the loss lines' data ----------------------------------------------------


def test_the_same_injured_person_in_another_case_is_flagged_without_naming_them(firm):
    from lossdesk.injury.models import InjuredPerson

    def injured(case, id_number):
        item = case.loss_items.get(kind="injury")
        InjuredPerson.objects.create(
            loss_item=item,
            name="王某",
            id_number=id_number,
            sex="male",
            birth_date="1980-01-01",
            relation="pedestrian",
            updated_by=firm.zhangsan,
        )

    first = firm.registered_case(plate="浙C40001", vin="", injured_persons=1)
    second = firm.registered_case(
        plate="浙C40002", vin="", reporter_phone="13900004444", injured_persons=1
    )
    third = firm.registered_case(
        plate="浙C40003", vin="", reporter_phone="13900005555", injured_persons=1
    )
    injured(first, "330106198001011234")
    injured(second, "330106198001011234")
    injured(third, "330106198502021111")

    (alert,) = [a for a in evaluate_case(second) if a.rule == "repeat_person"]

    assert alert.inputs["cases"] == [first.case_no]
    assert "330106198001011234" not in str(alert.inputs) + alert.explanation
    assert "repeat_person" not in rules_of(third) | {a.rule for a in evaluate_case(third)}


def test_a_part_that_does_not_fit_the_vehicle_is_flagged_with_its_line(firm):
    from lossdesk.motor.models import AssessmentLine

    case = firm.assessed_case(plate="浙C40010", vin="")
    line = AssessmentLine.objects.filter(sheet__loss_item__case=case).first()
    assert not [a for a in evaluate_case(case) if a.rule == "parts_outside_model"]
    Alert.objects.filter(case=case).delete()
    line.fitment_warning = "低配高选：该车型不配装LED大灯"
    line.save()

    (alert,) = [a for a in evaluate_case(case) if a.rule == "parts_outside_model"]

    (shown,) = alert.inputs["lines"]
    assert shown["seq"] == line.seq and shown["warning"].startswith("低配高选")
    assert alert.explanation.startswith("定损单有 1 项配件不适配识别车型")


def sheet_of(case):
    from lossdesk.motor.models import AssessmentSheet

    return AssessmentSheet.objects.filter(loss_item__case=case)


def test_an_assessment_above_the_models_usual_range_is_flagged(firm):
    AlertRuleSetting.objects.create(
        rule="assessment_above_usual", params={"min_sheets": 5, "percentile": 80}
    )
    for i, total in enumerate(["1000", "2000", "3000", "4000", "5000"]):
        past = firm.approved_case(plate=f"浙C4100{i}", vin="")
        sheet_of(past).update(vehicle_model="大众朗逸", total=total)
    usual = firm.assessed_case(plate="浙C41010", vin="")
    sheet_of(usual).update(vehicle_model="大众朗逸", total="4000.00")
    high = firm.assessed_case(plate="浙C41011", vin="")
    sheet_of(high).update(vehicle_model="大众朗逸", total="4000.01")
    other_model = firm.assessed_case(plate="浙C41012", vin="")
    sheet_of(other_model).update(vehicle_model="丰田卡罗拉", total="90000")

    assert "assessment_above_usual" not in {a.rule for a in evaluate_case(usual)}
    assert "assessment_above_usual" not in {a.rule for a in evaluate_case(other_model)}
    (alert,) = [a for a in evaluate_case(high) if a.rule == "assessment_above_usual"]

    # Each case has two vehicles, so 10 sheets; nearest rank: P80 is the 8th smallest.
    assert alert.inputs["percentile_total"] == "4000.00" and alert.inputs["sheets"] == 10
    assert "P80（4000.00 元）" in alert.explanation


def test_a_surveyor_sending_most_cases_to_one_shop_is_flagged(firm):
    from lossdesk.org.models import RepairShop

    AlertRuleSetting.objects.create(
        rule="surveyor_shop_share", params={"min_sheets": 4, "share": 75}
    )
    other_shop = RepairShop.objects.create(name="杭州丰田4S店", kind="4s", branch=firm.hangzhou)
    cases = [firm.assessed_case(plate=f"浙C4200{i}", vin="") for i in range(4)]
    sheet_of(cases[0]).update(repair_shop=other_shop)
    # Each case has two vehicles: six of eight sheets (75 %) to 杭州大众4S店.
    (alert,) = [a for a in evaluate_case(cases[1]) if a.rule == "surveyor_shop_share"]
    assert alert.inputs == {
        "assessor": "张三",
        "repair_shop": "杭州大众4S店",
        "shop_sheets": 6,
        "sheets": 8,
        "share_percent": 75.0,
        "params": {"min_sheets": 4, "share": 75, "days": 90},
    }
    assert "surveyor_shop_share" not in {a.rule for a in evaluate_case(cases[0])}


def test_the_same_damage_photo_in_two_cases_is_flagged_but_missing_exif_alone_is_not(firm):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    def damage_photo():
        image = Image.new("RGB", (320, 240), (90, 90, 90))
        draw = ImageDraw.Draw(image)
        draw.ellipse((40, 30, 200, 190), fill=(220, 220, 220))
        draw.rectangle((180, 120, 300, 220), fill=(30, 30, 160))
        buffer = BytesIO()
        image.save(buffer, format="JPEG")
        return SimpleUploadedFile("damage.jpg", buffer.getvalue(), content_type="image/jpeg")

    first = firm.surveying_case(plate="浙C60001", vin="")
    second = firm.surveying_case(plate="浙C60002", vin="", reporter_phone="13900006666")
    for case in (first, second):
        claims_services.do_add_attachment(
            case, damage_photo(), kind="photo", doc_type="damage_photo", actor=firm.zhangsan
        )

    assert "photo_findings" not in {a.rule for a in evaluate_case(first)}  # only no EXIF
    (alert,) = [a for a in evaluate_case(second) if a.rule == "photo_findings"]
    (finding,) = alert.inputs["findings"]
    assert finding["code"] == "near_duplicate" and finding["case_no"] == first.case_no
    assert first.case_no in alert.explanation
