"""Staff quality (品质管理): the register with its point ranges, the person's reply and
appeal, the committee's decision, final points per half-year, thresholds raised once with
their consequences for the person and the supervisor, evaluations, complaints, whistle-blower
reports and the credit record."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from lossdesk.core.errors import IllegalTransition, PermissionDenied, ServiceError
from lossdesk.quality.staff import periods, points
from lossdesk.quality.staff import services as staff
from lossdesk.quality.staff.choices import MisconductStatus
from lossdesk.quality.staff.models import (
    Award,
    Consequence,
    MisconductItem,
    MisconductRecord,
    PointThreshold,
    QualityEvent,
)
from lossdesk.quality.staff.queries import credit_record
from lossdesk.testing import photo

pytestmark = pytest.mark.django_db


def item(code: str) -> MisconductItem:
    return MisconductItem.objects.get(code=code)


def register(firm, code="S05", points=8, person=None, actor=None, **extra):
    data = {
        "person": (person or firm.zhangsan).pk,
        "item": item(code).pk,
        "points": points,
        "occurred_on": timezone.localdate().isoformat(),
        "description": "与修理厂串通，虚增更换前保险杠。",
        **extra,
    }
    return staff.do_register_misconduct(data, actor=actor or firm.lisi)


def final(firm, code="S05", points=8, **kwargs):
    record = register(firm, code, points, **kwargs)
    return staff.do_finalize_misconduct(record, actor=firm.zhoujiu)


def fields_of(exc_info) -> set[str]:
    return set(exc_info.value.fields)


# ----------------------------------------------------------------------- the scale


def test_the_seed_scales_are_dated_data_by_severity():
    ranges = {
        (i.severity, i.min_points, i.max_points)
        for i in MisconductItem.objects.in_effect(date(2026, 12, 1))
    }
    assert ranges == {("minor", 1, 3), ("serious", 3, 8), ("grave", 5, 10)}
    assert not MisconductItem.objects.in_effect(date(2025, 12, 31)).exists()
    thresholds = {
        (t.points, t.subject, t.consequence)
        for t in PointThreshold.objects.in_effect(date(2026, 12, 1))
    }
    assert thresholds == {
        (15, "person", "建议解除代理合同"),
        (15, "supervisor", "通报批评"),
        (15, "supervisor", "延长考核期"),
        (15, "supervisor", "扣发管理津贴15%"),
    }


def test_an_item_range_outside_the_limits_is_refused_naming_the_field():
    bad = MisconductItem(
        post="surveyor",
        code="X",
        title="x",
        severity="minor",
        min_points=5,
        max_points=3,
        effective_from=date(2026, 1, 1),
    )
    with pytest.raises(ValidationError) as exc:
        bad.full_clean()
    assert "max_points" in exc.value.message_dict


# ------------------------------------------------------------------- registering


def test_points_outside_the_item_range_are_refused_naming_the_field(firm):
    with pytest.raises(ServiceError) as exc:
        register(firm, "S05", 11)
    assert exc.value.fields == {"points": ["扣分须在 5 到 10 分之间（该项目的扣分标准）。"]}
    with pytest.raises(ServiceError) as exc:
        register(firm, "S01", 0)
    assert fields_of(exc) == {"points"}
    assert not MisconductRecord.objects.exists()


def test_an_item_of_another_post_a_future_day_and_oneself_are_refused(firm):
    with pytest.raises(ServiceError) as exc:
        register(firm, "A02", 5)
    assert "适用于定损员" in exc.value.fields["item"][0]
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    with pytest.raises(ServiceError) as exc:
        register(firm, occurred_on=tomorrow)
    assert fields_of(exc) == {"occurred_on"}
    with pytest.raises(ServiceError) as exc:
        register(firm, "R01", 5, person=firm.lisi)
    assert fields_of(exc) == {"person"}


def test_a_person_of_another_branch_is_not_in_reach(firm):
    with pytest.raises(ServiceError) as exc:
        register(firm, person=firm.wangwu)
    assert exc.value.fields == {"person": ["人员不存在或不在您的数据范围内。"]}


def test_a_surveyor_may_not_register(firm):
    with pytest.raises(PermissionDenied):
        register(firm, person=firm.qianqi, code="A01", points=1, actor=firm.zhangsan)


def test_evidence_is_sniffed_like_every_upload(firm):
    data = {
        "person": firm.zhangsan.pk,
        "item": item("S02").pk,
        "points": 2,
        "occurred_on": timezone.localdate(),
        "description": "照片缺漏。",
    }
    record = staff.do_register_misconduct(data, evidence=[photo("现场.jpg")], actor=firm.lisi)
    (evidence,) = record.evidence.all()
    assert (evidence.original_name, evidence.content_type) == ("现场.jpg", "image/jpeg")
    script = SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", "image/jpeg")
    with pytest.raises(ServiceError) as exc:
        staff.do_register_misconduct(data, evidence=[script], actor=firm.lisi)
    assert "不支持该文件类型" in exc.value.fields["evidence"][0]
    assert MisconductRecord.objects.count() == 1


def test_evidence_files_go_with_a_registration_that_fails(firm, monkeypatch):
    """The rows roll back with the transaction; the files written for them must not stay."""
    from pathlib import Path

    from django.conf import settings

    def files() -> set:
        return {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}

    data = {
        "person": firm.zhangsan.pk,
        "item": item("S02").pk,
        "points": 2,
        "occurred_on": timezone.localdate(),
        "description": "照片缺漏。",
    }
    before = files()

    def broken_log(*args, **kwargs):
        raise RuntimeError("the timeline write failed")

    monkeypatch.setattr(staff, "log", broken_log)
    with pytest.raises(RuntimeError):
        staff.do_register_misconduct(
            data, evidence=[photo("一.jpg"), photo("二.jpg")], actor=firm.lisi
        )
    assert not MisconductRecord.objects.exists()
    assert files() == before
    monkeypatch.undo()
    record = staff.do_register_misconduct(data, evidence=[photo("一.jpg")], actor=firm.lisi)
    assert len(files() - before) == 1
    monkeypatch.setattr(staff, "log", broken_log)
    with pytest.raises(RuntimeError):
        staff.do_add_misconduct_evidence(record, [photo("三.jpg")], actor=firm.lisi)
    assert len(files() - before) == 1 and record.evidence.count() == 1


# --------------------------------------------------------- reply, appeal, decision


def test_the_person_replies_and_appeals_and_a_committee_member_reduces(firm):
    record = register(firm, points=8)
    with pytest.raises(PermissionDenied) as exc:
        staff.do_reply_misconduct(record, reply="不是我", actor=firm.zhaoliu)
    assert exc.value.code == "not_the_person"
    record = staff.do_reply_misconduct(record, reply="情况属实但事出有因。", actor=firm.zhangsan)
    record = staff.do_appeal_misconduct(
        record, reason="修理厂报价经审核同意。", actor=firm.zhangsan
    )
    assert record.status == MisconductStatus.APPEALED
    # Neither the registrar nor the person decides.
    with pytest.raises(PermissionDenied):  # the registrar, a reviewer, lacks the right too
        staff.do_decide_appeal(record, decision="cancelled", reason="x", actor=firm.lisi)
    with pytest.raises(ServiceError) as exc:
        staff.do_decide_appeal(
            record, decision="reduced", reason="情节较轻", points=8, actor=firm.zhoujiu
        )
    assert exc.value.fields == {"points": ["减分后的扣分须在 1 到 7 分之间。"]}
    record = staff.do_decide_appeal(
        record, decision="reduced", reason="情节较轻", points=5, actor=firm.zhoujiu
    )
    assert (record.status, record.final_points, record.decided_by) == ("reduced", 5, firm.zhoujiu)
    with pytest.raises(IllegalTransition):
        staff.do_appeal_misconduct(record, reason="再申诉", actor=firm.zhangsan)
    record = staff.do_finalize_misconduct(record, actor=firm.lisi)
    assert record.status == MisconductStatus.FINAL
    assert staff.running_points(firm.zhangsan, periods.period_of(timezone.localdate())) == 5
    trail = QualityEvent.objects.filter(object_id=record.pk, kind="misconduct")
    assert [e.actor for e in trail] == [
        firm.lisi,
        firm.zhangsan,
        firm.zhangsan,
        firm.zhoujiu,
        firm.lisi,
    ]


def test_the_registrar_and_the_person_may_not_decide_an_appeal(firm):
    registrar = firm.zhoujiu
    record = register(firm, actor=registrar)
    record = staff.do_appeal_misconduct(record, reason="不服", actor=firm.zhangsan)
    with pytest.raises(PermissionDenied) as exc:
        staff.do_decide_appeal(record, decision="upheld", reason="属实", actor=registrar)
    assert exc.value.code == "conflict_of_interest"
    assert MisconductRecord.objects.get(pk=record.pk).status == MisconductStatus.APPEALED


def test_a_cancelled_entry_counts_nothing(firm):
    record = register(firm, points=10)
    staff.do_appeal_misconduct(record, reason="认错人了", actor=firm.zhangsan)
    staff.do_decide_appeal(record, decision="cancelled", reason="查无实据", actor=firm.zhoujiu)
    record = staff.do_finalize_misconduct(record, actor=firm.lisi)
    assert (record.status, record.final_points) == ("final", 0)
    assert staff.running_points(firm.zhangsan, record.period) == 0
    assert credit_record(firm.zhangsan) == []


# ------------------------------------------------------------ points and thresholds


def test_crossing_15_points_raises_the_consequences_once(firm):
    final(firm, "S05", 8)
    assert not Consequence.objects.exists()
    record = final(firm, "S06", 7)  # 15
    consequences = {
        (c.person.username, c.threshold.consequence, c.points)
        for c in Consequence.objects.select_related("person", "threshold")
    }
    assert consequences == {
        ("zhangsan", "建议解除代理合同", 15),
        ("zhoujiu", "通报批评", 15),
        ("zhoujiu", "延长考核期", 15),
        ("zhoujiu", "扣发管理津贴15%", 15),
    }
    assert staff.raise_consequences(firm.zhangsan, record.period) == []  # idempotent
    final(firm, "S01", 1)  # 16: nothing new
    assert Consequence.objects.count() == 4


def test_unfinished_entries_count_nothing(firm):
    register(firm, "S05", 10)
    register(firm, "S06", 10)
    assert staff.running_points(firm.zhangsan, periods.period_of(timezone.localdate())) == 0
    assert not Consequence.objects.exists()


@given(st.lists(st.integers(min_value=0, max_value=10), max_size=12), st.integers(1, 60))
def test_a_threshold_is_crossed_exactly_when_the_running_total_reaches_it(entries, level):
    total = points.running_points(entries)
    hit = points.crossed(total, [points.Threshold("t", level)])
    assert total == sum(entries)
    assert bool(hit) == (total >= level)
    # Adding points never un-crosses a threshold.
    assert points.crossed(total + 1, [points.Threshold("t", level)]) or not hit


@pytest.mark.parametrize(
    ("day", "period", "first", "last"),
    [
        (date(2026, 6, 30), "2026H1", date(2026, 1, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), "2026H2", date(2026, 7, 1), date(2026, 12, 31)),
    ],
)
def test_half_years(day, period, first, last):
    assert periods.period_of(day) == period
    assert periods.bounds(period) == (first, last)
    assert periods.quarter_bounds("2026Q4") == (date(2026, 10, 1), date(2026, 12, 31))
    with pytest.raises(ValueError):
        periods.bounds("2026H3")


# ------------------------------------------------------------------- evaluations


def test_the_supervisor_evaluates_once_a_half_year_within_the_points_rule(firm):
    period = periods.period_of(timezone.localdate())
    final(firm, "S05", 8)
    final(firm, "S06", 7)
    with pytest.raises(ServiceError) as exc:
        staff.do_evaluate_conduct(
            firm.zhangsan,
            {"period": period, "result": "qualified", "comment": "尚可"},
            actor=firm.zhoujiu,
        )
    assert exc.value.fields == {"result": ["本考核期累计扣 15 分，不能评为「合格」。"]}
    evaluation = staff.do_evaluate_conduct(
        firm.zhangsan,
        {"period": period, "result": "unqualified", "comment": "违规严重"},
        actor=firm.zhoujiu,
    )
    assert (evaluation.points, evaluation.get_result_display()) == (15, "不合格")
    with pytest.raises(ServiceError) as exc:
        staff.do_evaluate_conduct(
            firm.zhangsan,
            {"period": period, "result": "unqualified", "comment": "x"},
            actor=firm.zhoujiu,
        )
    assert exc.value.code == "evaluation_exists"


def test_excellent_needs_no_points_and_a_future_half_year_is_refused(firm):
    period = periods.period_of(timezone.localdate())
    result = staff.do_evaluate_conduct(
        firm.qianqi,
        {"period": period, "result": "excellent", "comment": "无违规"},
        actor=firm.zhoujiu,
    )
    assert result.points == 0
    with pytest.raises(ServiceError) as exc:
        staff.do_evaluate_conduct(
            firm.qianqi,
            {"period": "2099H1", "result": "qualified", "comment": "x"},
            actor=firm.zhoujiu,
        )
    assert fields_of(exc) == {"period"}


# ------------------------------------------------------------ complaints and reports


def test_a_substantiated_complaint_registers_a_misconduct_entry(firm):
    case = firm.registered_case()
    complaint = staff.do_receive_complaint(
        {
            "source": "customer",
            "complainant": "王先生",
            "case_no": case.case_no,
            "staff": firm.zhangsan.pk,
            "summary": "查勘员态度恶劣，要求吃请。",
        },
        actor=firm.zhaoliu,
    )
    assert complaint.branch == firm.hangzhou
    with pytest.raises(ServiceError) as exc:
        staff.do_conclude_complaint(
            complaint,
            {"outcome": "unsubstantiated", "conclusion": "x", "item": item("S06").pk},
            actor=firm.zhoujiu,
        )
    assert fields_of(exc) == {"item"}
    complaint = staff.do_conclude_complaint(
        complaint,
        {
            "outcome": "substantiated",
            "conclusion": "经核实属实。",
            "item": item("S06").pk,
            "points": 6,
        },
        actor=firm.zhoujiu,
    )
    entry = complaint.misconduct
    assert (entry.person, entry.points, entry.case, entry.status) == (
        firm.zhangsan,
        6,
        case,
        "registered",
    )
    with pytest.raises(IllegalTransition):
        staff.do_conclude_complaint(
            complaint, {"outcome": "unsubstantiated", "conclusion": "x"}, actor=firm.zhoujiu
        )
    kinds = [e.kind for e in credit_record(firm.zhangsan)]
    assert sorted(kinds) == ["complaint", "violation"]


def test_a_reward_needs_an_amount_and_lands_in_the_reporter_s_credit_record(firm):
    report = staff.do_receive_report(
        {"reporter": firm.zhaoliu.pk, "subject": firm.zhangsan.pk, "content": "收受修理厂红包。"},
        actor=firm.zhoujiu,
    )
    with pytest.raises(ServiceError) as exc:
        staff.do_decide_report(
            report, {"outcome": "rewarded", "reason": "查实"}, actor=firm.zhoujiu
        )
    assert fields_of(exc) == {"reward"}
    report = staff.do_decide_report(
        report, {"outcome": "rewarded", "reason": "查实", "reward": "500"}, actor=firm.zhoujiu
    )
    assert str(report.reward) == "500.00"
    award = Award.objects.get(person=firm.zhaoliu)
    assert award.title == "举报奖励"
    assert [e.title for e in credit_record(firm.zhaoliu)] == ["举报奖励"]


def test_a_member_of_the_quality_committee_decides_an_appeal(firm):
    member = firm.staff("pinzhi", "品质委员", "quality_committee", firm.hq)
    record = register(firm, points=6)
    staff.do_appeal_misconduct(record, reason="不服", actor=firm.zhangsan)
    record = staff.do_decide_appeal(record, decision="upheld", reason="证据确凿", actor=member)
    assert (record.status, record.final_points, record.decided_by) == ("upheld", 6, member)
