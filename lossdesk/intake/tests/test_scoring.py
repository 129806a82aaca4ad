"""The dispatch score (intake.scoring, docs/dispatch.md): each part, its reason, the ranking,
and the recommendation as the services build it from the roster, positions, workload and
skills."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from lossdesk.core.errors import ServiceError
from lossdesk.intake import scoring
from lossdesk.intake.models import Dispatch
from lossdesk.intake.queries import ON_SITE_WINDOW
from lossdesk.intake.scoring import Candidate, Shift, Task
from lossdesk.intake.services.dispatch import (
    do_decline_dispatch,
    do_dispatch_case,
    do_record_position,
    recommend_surveyors,
)
from lossdesk.intake.tests.conftest import fresh, shift
from lossdesk.testing import API, client_for

TZ = ZoneInfo("Asia/Shanghai")
NOON = datetime(2026, 3, 2, 12, 0, tzinfo=TZ)
WEST_LAKE = (30.2590, 120.1300)
DAY = Shift(NOON.replace(hour=8), NOON.replace(hour=20), "西湖区")


def task(**overrides) -> Task:
    values = {
        "at": NOON,
        "place": "杭州市西湖区文三路",
        "location": WEST_LAKE,
        "needed_skills": frozenset({"vehicle"}),
        "roster_kept": True,
    }
    values.update(overrides)
    return Task(**values)


def candidate(**overrides) -> Candidate:
    values = {
        "id": 1,
        "name": "张三",
        "skills": frozenset({"vehicle"}),
        "open_tasks": 0,
        "position": WEST_LAKE,
        "position_at": NOON - timedelta(minutes=5),
        "shifts": (DAY,),
    }
    values.update(overrides)
    return Candidate(**values)


def parts(ranked) -> dict[str, float]:
    return {r.factor: r.points for r in ranked.reasons}


def test_the_haversine_distance_matches_a_known_city_pair():
    # 杭州 (30.2741, 120.1551) to 上海 (31.2304, 121.4737): about 165 km
    assert scoring.haversine_km((30.2741, 120.1551), (31.2304, 121.4737)) == pytest.approx(
        165, abs=3
    )


def test_a_free_on_duty_skilled_surveyor_on_the_spot_scores_full_marks():
    ranked = scoring.score(candidate(), task())
    assert ranked.score == 100.0
    assert parts(ranked) == {"duty": 40, "distance": 30, "workload": 20, "skills": 10}
    assert "值班区域与出险地点一致" in ranked.reasons[0].text
    assert ranked.reasons[1].text == "距出险地 0.0 km"


def test_each_part_loses_points_by_its_documented_rule():
    far = (WEST_LAKE[0] + 0.09, WEST_LAKE[1])  # ~10 km north
    ranked = scoring.score(
        candidate(
            open_tasks=2,
            position=far,
            skills=frozenset({"vehicle"}),
            shifts=(Shift(DAY.start, DAY.end, "滨江区"),),
        ),
        task(needed_skills=frozenset({"vehicle", "injury"})),
    )
    got = parts(ranked)
    assert got["duty"] == 32.0  # on duty, another zone: 40 × 0.8
    assert got["distance"] == pytest.approx(30 * (1 - 10.0 / 20), abs=0.3)
    assert got["workload"] == 12.0  # 20 × (1 − 2/5)
    assert got["skills"] == 5.0  # one of two needed skills
    assert "缺少技能：人伤" in ranked.reasons[3].text
    assert ranked.score == pytest.approx(sum(got.values()), abs=0.1)


def test_off_duty_scores_nothing_for_duty_and_says_when_the_next_shift_starts():
    evening = Shift(NOON.replace(hour=18), NOON.replace(hour=23), "西湖区")
    ranked = scoring.score(candidate(shifts=(evening,)), task())
    assert parts(ranked)["duty"] == 0
    assert ranked.on_duty is False
    assert "下一班 18:00" in ranked.reasons[0].text
    assert not ranked.auto_dispatchable


def test_unknown_facts_are_neutral_and_say_why():
    no_roster = scoring.score(candidate(shifts=()), task(roster_kept=False))
    assert parts(no_roster)["duty"] == 20.0 and no_roster.on_duty is None
    assert no_roster.auto_dispatchable
    unknown = scoring.score(candidate(position=None, position_at=None), task())
    assert parts(unknown)["distance"] == 15.0
    assert "位置未知" in unknown.reasons[1].text
    stale = scoring.score(candidate(position_at=NOON - timedelta(hours=3)), task())
    assert parts(stale)["distance"] == 15.0 and "位置已过时" in stale.reasons[1].text
    unlocated = scoring.score(candidate(), task(location=None))
    assert parts(unlocated)["distance"] == 15.0 and "出险地未定位" in unlocated.reasons[1].text


def test_workload_and_distance_floors_are_zero_not_negative():
    ranked = scoring.score(
        candidate(open_tasks=9, position=(WEST_LAKE[0] + 1, WEST_LAKE[1])), task()
    )
    assert parts(ranked)["workload"] == 0 and parts(ranked)["distance"] == 0


def test_ranking_puts_the_best_score_first_and_breaks_ties_by_workload_then_name():
    a = candidate(id=1, name="乙", open_tasks=1, position=None, position_at=None)
    b = candidate(id=2, name="甲", open_tasks=0)
    c = candidate(id=3, name="丙", open_tasks=0)
    ranking = scoring.rank([a, b, c], task())
    assert ranking[-1].candidate.id == 1  # lower score (position unknown)
    assert ranking[0].score == ranking[1].score  # 甲 and 丙 tie: ordered by name
    assert [r.candidate.name for r in ranking[:2]] == sorted(["甲", "丙"])
    tied = scoring.rank([candidate(id=5, name="b"), candidate(id=4, name="a")], task())
    assert [r.candidate.id for r in tied] == [4, 5]


def test_the_expected_arrival_rounds_up_to_five_minutes():
    assert scoring.eta_minutes(None) == 30
    assert scoring.eta_minutes(0) == 5
    assert scoring.eta_minutes(10) == 25  # 5 + 20 minutes driving


def test_an_overnight_shift_covers_the_small_hours_of_the_next_day():
    night = Shift(NOON.replace(hour=20), NOON.replace(hour=8) + timedelta(days=1), "西湖区")
    ranked = scoring.score(candidate(shifts=(night,)), task(at=NOON.replace(hour=23)))
    assert ranked.on_duty is True


# --- the recommendation built from the database ------------------------------------------


def test_a_surveyor_who_declined_the_case_ranks_last_with_the_reason_shown():
    declined = candidate(id=1, name="甲", declined="车辆故障")
    worse = candidate(id=2, name="乙", open_tasks=4, position=None, position_at=None)
    first, last = scoring.rank([declined, worse], task())
    assert first.score < last.score  # 甲 scores higher …
    assert [first.candidate.id, last.candidate.id] == [2, 1]  # … but goes last
    assert last.declined and not last.auto_dispatchable
    assert last.reasons[-1] == scoring.Reason(
        "declined", 0.0, 0, "已拒绝本案调度（车辆故障），排在最后"
    )
    assert first.outranks(last) and not last.outranks(first)


@pytest.mark.django_db
def test_the_recommendation_prefers_the_on_duty_near_and_free_surveyor(firm, liuyi):
    now = timezone.now()
    shift(firm.zhangsan, zone="滨江区")
    shift(liuyi, zone="西湖区")
    for person, lat in ((firm.zhangsan, "30.4000"), (liuyi, "30.2600")):
        do_record_position(person, lat=lat, lng="120.1300", actor=person, at=now)
    case = firm.registered_case(accident_lat="30.259000", accident_lng="120.130000")
    ranking = recommend_surveyors(case)
    assert [r.candidate.name for r in ranking] == ["刘一", "张三"]
    top, second = ranking
    assert top.score > second.score
    texts = " ".join(r.text for r in top.reasons)
    assert "值班区域与出险地点一致" in texts and "距出险地 0.1 km" in texts
    assert "距出险地 15.7 km" in " ".join(r.text for r in second.reasons)


@pytest.mark.django_db
def test_the_workload_counts_open_field_work_on_other_cases_only(firm):
    busy = firm.surveying_case()  # 张三 is on site
    firm.assessing_case()  # 张三 finished the field work of this one
    firm.staff("liuyi", "刘一", "surveyor", firm.hangzhou)
    case = firm.registered_case()
    ranked = {r.candidate.name: r for r in recommend_surveyors(case)}
    assert ranked["张三"].candidate.open_tasks == 1
    assert ranked["刘一"].candidate.open_tasks == 0
    assert busy.status == "surveying"


@pytest.mark.django_db
def test_candidates_are_the_active_surveyors_of_the_branch_with_their_open_work(firm, liuyi):
    """The hand-written candidate query: who is in, and what counts as open field work."""
    retired = firm.staff("zhengshi", "郑十", "surveyor", firm.hangzhou)
    retired.is_active = False
    retired.save()
    waiting = firm.registered_case()
    do_dispatch_case(waiting, surveyor=liuyi, actor=firm.zhaoliu)  # en route
    long_ago = firm.surveying_case()  # 张三 arrived …
    Dispatch.objects.filter(case=long_ago).update(
        arrived_at=timezone.now() - ON_SITE_WINDOW - timedelta(minutes=1)
    )  # … more than 8 hours ago: no longer counted as on site
    case = firm.registered_case()
    do_dispatch_case(case, surveyor=firm.zhangsan, actor=firm.zhaoliu)
    ranked = {r.candidate.name: r.candidate for r in recommend_surveyors(fresh(case))}
    # not the reviewer, the dispatcher, an inactive surveyor or 宁波's 王五
    assert set(ranked) == {"张三", "刘一"}
    assert ranked["刘一"].open_tasks == 1
    assert ranked["张三"].open_tasks == 0  # this case's own dispatch is left out
    assert ranked["刘一"].skills == frozenset({"vehicle", "property", "injury"})


@pytest.mark.django_db
def test_the_skills_follow_the_loss_items_of_the_case(firm, liuyi):
    case = firm.registered_case(injured_persons=1, property_loss=True)
    ranked = {r.candidate.name: r for r in recommend_surveyors(case)}
    assert "缺少技能：物损、人伤" in ranked["张三"].reasons[3].text
    assert "技能匹配（车辆、物损、人伤）" in ranked["刘一"].reasons[3].text


@pytest.mark.django_db
def test_picking_someone_below_the_top_candidate_needs_a_reason_kept_on_the_dispatch(firm, liuyi):
    shift(liuyi)  # 刘一 on duty, 张三 not
    case = firm.registered_case()
    with pytest.raises(ServiceError) as refused:
        do_dispatch_case(case, surveyor=firm.zhangsan, actor=firm.zhaoliu)
    assert "override_reason" in refused.value.fields
    assert "刘一" in refused.value.message
    dispatch = do_dispatch_case(
        fresh(case), surveyor=firm.zhangsan, override_reason="客户指定张三", actor=firm.zhaoliu
    )
    assert dispatch.recommended_surveyor == liuyi
    assert dispatch.override_reason == "客户指定张三"
    assert dispatch.overridden
    event = fresh(case).events.get(type="dispatched")
    assert "未选推荐第一的 刘一，原因：客户指定张三" in event.message
    assert event.data["override_reason"] == "客户指定张三"


@pytest.mark.django_db
def test_confirming_the_top_candidate_records_its_score_and_reasons(firm, liuyi):
    shift(liuyi)
    case = firm.registered_case()
    dispatch = do_dispatch_case(case, surveyor=liuyi, actor=firm.zhaoliu)
    assert dispatch.override_reason == "" and not dispatch.overridden
    assert dispatch.score is not None
    assert [r["factor"] for r in dispatch.reasons] == ["duty", "distance", "workload", "skills"]


@pytest.mark.django_db
def test_a_branch_with_automatic_dispatch_sends_the_top_candidate_on_registration(firm, liuyi):
    firm.hangzhou.auto_dispatch = True
    firm.hangzhou.save()
    shift(liuyi)
    case = firm.registered_case()
    assert case.status == "dispatched"
    dispatch = case.dispatches.get()
    assert (dispatch.surveyor, dispatch.auto, dispatch.dispatched_by) == (liuyi, True, None)
    event = case.events.get(type="dispatched")
    assert event.actor is None and event.message.startswith("系统自动调度查勘员 刘一")


@pytest.mark.django_db
def test_automatic_dispatch_waits_when_nobody_is_on_duty(firm):
    firm.hangzhou.auto_dispatch = True
    firm.hangzhou.save()
    tomorrow = timezone.localdate() + timedelta(days=1)
    shift(firm.zhangsan, start=time(8), end=time(20), day=tomorrow)  # roster kept, not today
    other = shift(firm.zhangsan, start=time(0, 0), end=time(0, 1))  # today, long over
    case = firm.registered_case()
    assert other.date == timezone.localdate()
    assert case.status == "registered"
    assert not case.dispatches.exists()


@pytest.mark.django_db
def test_the_surveyor_who_just_declined_is_recommended_last_and_needs_a_reason(client, firm, liuyi):
    shift(firm.zhangsan)  # 张三 on duty and better placed than 刘一 …
    case = firm.registered_case()
    assert recommend_surveyors(case)[0].candidate.name == "张三"
    do_dispatch_case(case, surveyor=firm.zhangsan, actor=firm.zhaoliu)
    do_decline_dispatch(fresh(case), reason="车辆故障", actor=firm.zhangsan)
    ranking = recommend_surveyors(fresh(case))  # … until he declines this case
    assert [r.candidate.name for r in ranking] == ["刘一", "张三"]
    assert ranking[1].reasons[-1].text == "已拒绝本案调度（车辆故障），排在最后"
    other = firm.registered_case(client_claim_no="PICC-OTHER")  # other cases: unaffected
    assert recommend_surveyors(other)[0].candidate.name == "张三"
    with pytest.raises(ServiceError) as refused:
        do_dispatch_case(fresh(case), surveyor=firm.zhangsan, actor=firm.zhaoliu)
    assert "override_reason" in refused.value.fields
    client.force_login(firm.zhaoliu)
    page = client.get(reverse("claims:case-detail", args=[case.case_no])).content.decode()
    assert "已拒绝本案调度（车辆故障），排在最后" in page
    api = client_for(firm.zhaoliu).get(f"{API}/cases/{case.case_no}/recommendations")
    assert [(r["full_name"], r["declined"]) for r in api.json()] == [
        ("刘一", False),
        ("张三", True),
    ]
