"""Bodily injury (人伤) in the demo: a pedestrian or a passenger hurt in the accident, their
medical bills from the hospitals of the accident's city as audited (with deductions and
their reasons) and the compensation the calculator computes on a provincial standard of
the calc tables, saved through injury.services like the rest of the demo.

A case with an injured person is not submitted for review before the injury is assessed,
so every such case that reaches review gets its assessment first. Some accidents injure
someone by chance (CasePlan.injured); besides, SHOWCASES puts an injury case of each kind
(outpatient only, a disability of grade 10 or 9, a death with dependants, a stay cut for
bed blocking) in the tour branch in every state. `InjuryDemo` is a part of DemoBuilder: it
plans the injury of a case (`InjuryPlan`) and adds its step to the case's script."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property

from django.utils import timezone

from lossdesk.calc.models import CompensationStandard
from lossdesk.claims.choices import CaseStatus, LossItemKind
from lossdesk.demo.errors import DemoBuildError
from lossdesk.injury.choices import DeductionReason, MedicalCategory, Relation
from lossdesk.injury.services import assessment as injury_assessment
from lossdesk.injury.services import investigation
from lossdesk.rules.id_number import check_digit
from lossdesk.rules.standards import GENERAL_REGION

S = CaseStatus
C = MedicalCategory
R = DeductionReason

# How far an injury item has got: not yet assessed, or assessed (人伤定损 saved).
NONE, ASSESSED = "none", "assessed"
OUTPATIENT, INPATIENT, DISABILITY_10, DISABILITY_9, BED_BLOCKING, DEATH = (
    "outpatient",
    "inpatient",
    "disability_10",
    "disability_9",
    "bed_blocking",
    "death",
)
# An injury case in each (case state, stage, kind), in the order hosts are found for them:
# the later states are the rarer ones. Every kind is assessed in one of them.
SHOWCASES = (
    (S.CLOSED, ASSESSED, DEATH),
    (S.REPORT_ISSUED, ASSESSED, DISABILITY_10),
    (S.APPROVED, ASSESSED, DISABILITY_9),
    (S.IN_REVIEW, ASSESSED, BED_BLOCKING),
    (S.ASSESSING, ASSESSED, OUTPATIENT),
    (S.SURVEYING, NONE, INPATIENT),
    (S.REGISTERED, NONE, OUTPATIENT),
)
# The kinds of the injuries that come by chance, with their weights.
RANDOM_KINDS = {
    OUTPATIENT: 5,
    INPATIENT: 4,
    DISABILITY_10: 3,
    DISABILITY_9: 1,
    BED_BLOCKING: 1,
    DEATH: 1,
}
# Figures the standard must carry besides the income: the dependants' living expenses need
# the consumption, the funeral the average wage.
NEEDS = {DISABILITY_9: ("urban_consumption",), DEATH: ("urban_consumption", "average_wage")}
FIGURE_LABELS = {"urban_consumption": "人均消费支出", "average_wage": "职工平均工资"}
AGES = {DEATH: (35, 58), DISABILITY_9: (28, 60), DISABILITY_10: (22, 66), BED_BLOCKING: (50, 75)}
RELATIONS = {
    Relation.THIRD_PARTY_OCCUPANT: 3,
    Relation.PASSENGER: 2,
    Relation.PEDESTRIAN: 1,
}
# Who is hurt when a showcase shares the accident of a property showcase.
PROPERTY_RELATIONS = {
    "shopfront": Relation.PEDESTRIAN,
    "goods": Relation.THIRD_PARTY_OCCUPANT,
    "guardrail": Relation.PASSENGER,
}
INJURED_WORDS = {
    Relation.PEDESTRIAN: "一名行人受伤，已送医救治。",
    Relation.THIRD_PARTY_OCCUPANT: "三者车一名乘车人受伤，已送医救治。",
    Relation.PASSENGER: "本车一名乘车人受伤，已送医救治。",
}
DESK_ACTIONS = frozenset({"injury_assessment"})
DEPARTMENTS = {DEATH: "神经外科重症监护室", OUTPATIENT: "急诊外科"}
APPRAISERS = (
    "浙江天平司法鉴定所",
    "浙江千麦司法鉴定中心",
    "江苏苏大司法鉴定所",
    "广东南天司法鉴定所",
)
# The disability appraised, with its clause of 人体损伤致残程度分级 (2017).
APPRAISED = {
    DISABILITY_10: ("左腕关节功能丧失25%以上", "5.10.6.1"),
    DISABILITY_9: ("右膝关节功能丧失50%以上", "5.9.6.1"),
}

HOSPITALS = {
    "hangzhou": ("浙江大学医学院附属第二医院", "浙江省人民医院", "杭州市第一人民医院"),
    "ningbo": ("宁波市第一医院", "宁波大学附属第一医院", "宁波市医疗中心李惠利医院"),
    "nanjing": ("江苏省人民医院", "南京鼓楼医院", "东南大学附属中大医院"),
    "suzhou": ("苏州大学附属第一医院", "苏州市立医院", "苏州大学附属第二医院"),
    "guangzhou": ("中山大学附属第一医院", "广东省人民医院", "广州市第一人民医院"),
    "shenzhen": ("深圳市人民医院", "北京大学深圳医院", "香港大学深圳医院"),
}
# 行政区划代码 of the districts the injured live in (digits 1–6 of the ID number), and of
# the home counties of people who came to work there.
ID_AREAS = {
    "hangzhou": ("330102", "330105", "330106", "330108", "330109", "330110"),
    "ningbo": ("330203", "330205", "330206", "330212"),
    "nanjing": ("320102", "320104", "320105", "320106", "320115"),
    "suzhou": ("320505", "320506", "320507", "320508"),
    "guangzhou": ("440103", "440104", "440105", "440106", "440111"),
    "shenzhen": ("440303", "440304", "440305", "440306"),
}
HOME_AREAS = ("340121", "341221", "411522", "510722", "362427", "430521")
OCCUPATIONS = ("公司职员", "快递员", "外卖骑手", "个体经营者", "建筑工人", "网约车司机", "教师")
INCOME_EVIDENCE = (
    "单位出具的误工证明及近六个月工资流水",
    "劳动合同、误工证明及个人所得税纳税记录",
    "营业执照及近一年经营流水",
)
INJURIES = {
    OUTPATIENT: "头面部软组织挫伤、左前臂擦伤",
    INPATIENT: "右锁骨骨折、多处软组织挫伤",
    DISABILITY_10: "左桡骨远端骨折",
    DISABILITY_9: "右胫骨平台骨折",
    BED_BLOCKING: "腰椎横突骨折、腰背部软组织挫伤",
    DEATH: "重型颅脑损伤",
}
SURGERIES = {
    INPATIENT: "锁骨骨折切开复位内固定术",
    DISABILITY_10: "桡骨远端骨折切开复位内固定术",
    DISABILITY_9: "胫骨平台骨折切开复位内固定术",
}
OUTCOMES = {DISABILITY_10: "disability", DISABILITY_9: "disability", DEATH: "death"}
GRADES = {DISABILITY_10: 10, DISABILITY_9: 9}
MENTAL_DISTRESS = {DISABILITY_10: "5000.00", DISABILITY_9: "10000.00"}
CHILDREN = ("儿子", "女儿")
PARENTS = ("父亲", "母亲")


@dataclass
class InjuryPlan:
    kind: str
    stage: str
    relation: str
    age: int
    hospital_days: int  # as billed (bed blocking: the stay the hospital charged)
    blocked_days: int  # of those, days the patient was not in the ward (挂床)
    span: int  # days from the accident to the last bill
    calculator: dict = field(default_factory=dict)
    dependant_relations: list[str] = field(default_factory=list)
    hospital: str = ""  # where the injured person was first seen (and billed)


def showcase_hosts(
    targets: list[str], roles: list[str | None], property_hosts: set[int]
) -> dict[int, tuple[str, str]]:
    """The plan index of each showcase with its (stage, kind): a plan of its state without
    a feature role and without a property showcase; when a small demo has none left, the
    property showcase of that state (its accident then hurts someone too)."""
    hosts: dict[int, tuple[str, str]] = {}
    for state, stage, kind in SHOWCASES:
        free = [
            i
            for i, target in enumerate(targets)
            if target == state and roles[i] is None and i not in property_hosts | set(hosts)
        ]
        shared = [i for i in sorted(property_hosts - set(hosts)) if targets[i] == state]
        found = free or shared
        if found:
            hosts[found[0]] = (stage, kind)
    return hosts


def injury_description(injury: InjuryPlan | None, description: str) -> str:
    """An account of the accident (the report's, the survey's) telling of the injured."""
    if injury is None or "送医" in description:
        return description
    words = INJURED_WORDS[injury.relation]
    if "无人员受伤。" in description:
        return description.replace("无人员受伤。", words)
    return description + words


class InjuryDemo:
    """DemoBuilder's injury part (uses its rng, clock, people and helpers)."""

    # -- planning ----------------------------------------------------------------------------

    @cached_property
    def _standard_rows(self) -> list[CompensationStandard]:
        return list(CompensationStandard.objects.all())

    def _province_rows(self, branch) -> list[CompensationStandard]:
        """The standards of the branch's province: its city's own region if the table has
        one, else 一般地区; oldest first."""
        rows = [row for row in self._standard_rows if row.province == branch.province]
        rows = [r for r in rows if r.region == branch.city] or [
            r for r in rows if r.region == GENERAL_REGION
        ]
        return sorted(rows, key=lambda r: r.effective_from)

    def _computable(self, branch, kind: str) -> bool:
        """Whether the kind can be computed in the branch's province: some standard carries
        the figures it needs (the one used is chosen on the accident date)."""
        return any(
            all(getattr(row, name) is not None for name in NEEDS.get(kind, ()))
            for row in self._province_rows(branch)
        )

    def _standard_on(self, branch, kind: str, accident: date) -> dict:
        """The standard in force on the accident date, as an adjuster uses it: the row by
        name when it carries the figures the kind needs; else its figures with those it
        lacks (not yet published) carried over from the latest earlier row, typed in with a
        label that says so."""
        rows = [r for r in self._province_rows(branch) if r.effective_from <= accident]
        row = rows[-1]
        missing = [name for name in NEEDS.get(kind, ()) if getattr(row, name) is None]
        if not missing:
            return {"province": row.province, "year": row.data_year, "region": row.region}
        figures = {
            "urban_disposable_income": row.urban_disposable_income,
            "urban_consumption": row.urban_consumption,
            "average_wage": row.average_wage,
        }
        carried = []
        for name in missing:
            earlier = next(r for r in reversed(rows) if getattr(r, name) is not None)
            figures[name] = getattr(earlier, name)
            carried.append((FIGURE_LABELS[name], earlier.data_year))
        note = "、".join(f"{label}沿用 {year} 年数据" for label, year in carried)
        return {
            **{k: f"{v:.2f}" for k, v in figures.items() if v is not None},
            "label": f"{row.province} {row.region} {row.data_year}年数据（{note}）",
            "source": row.source,
        }

    def _plan_injury(self, plan, stage: str, showcase: tuple[str, str] | None):
        """The injury of a case that has an injured person: its kind, the standard and the
        calculator's figures, and whether it is assessed (the showcase's stage, else what
        the case's furthest state allows; submitted cases always are)."""
        if not plan.injured:
            return None
        rng = self.rng
        branch = self.branches[plan.city.code]
        if showcase:
            target_stage, kind = showcase
            prop = plan.property_plan
            relation = PROPERTY_RELATIONS[prop.kind] if prop else Relation.PEDESTRIAN
        else:
            kinds = [k for k in RANDOM_KINDS if self._computable(branch, k)]
            kind = rng.choices(kinds, [RANDOM_KINDS[k] for k in kinds])[0]
            relation = rng.choices(list(RELATIONS), list(RELATIONS.values()))[0]
            if stage in (S.REGISTERED, S.DISPATCHED, S.SURVEYING):
                target_stage = NONE
            elif stage == S.ASSESSING:
                target_stage = rng.choice((NONE, ASSESSED))
            else:
                target_stage = ASSESSED
        if not self._computable(branch, kind):  # a showcase's kind, the rows edited away
            raise DemoBuildError(f"赔偿标准表缺少{branch.province}的数据（人伤演示案件需要）。")
        hospital_days = {
            OUTPATIENT: 0,
            INPATIENT: rng.randint(6, 14),
            DISABILITY_10: rng.randint(10, 18),
            DISABILITY_9: rng.randint(14, 20),
            BED_BLOCKING: rng.randint(20, 28),
            DEATH: rng.randint(1, 3),
        }[kind]
        blocked = rng.randint(6, 10) if kind == BED_BLOCKING else 0
        follow_up = {OUTPATIENT: rng.randint(7, 14), DEATH: 0}.get(kind, rng.randint(10, 20))
        injury = InjuryPlan(
            kind=kind,
            stage=target_stage,
            relation=relation,
            age=rng.randint(*AGES.get(kind, (18, 75))),
            hospital_days=hospital_days,
            blocked_days=blocked,
            span=hospital_days + follow_up,
        )
        self._injury_calculator(injury)
        return injury

    def _injury_calculator(self, injury: InjuryPlan) -> None:
        """The calculator's inputs (POST /api/v1/calc/injury without the age and the
        medical amount, which come from the ID number and the audited bills, and the
        standard, chosen on the accident date when the injury is assessed)."""
        rng, kind = self.rng, injury.kind
        days = injury.hospital_days - injury.blocked_days  # in the ward
        transport = (80, 300) if kind == OUTPATIENT else (200, 800)
        calculator: dict = {
            "outcome": OUTCOMES.get(kind, "injury"),
            "transport_amount": self._price(*transport),
        }
        if kind in GRADES:
            calculator["disability_grades"] = [GRADES[kind]]
            calculator["mental_distress_amount"] = MENTAL_DISTRESS[kind]
        if days and kind != DEATH:
            calculator.update(
                hospital_days=days,
                hospital_food_daily="100.00",
                nursing_days=days,
                nursing_daily_rate=self._price(150, 200),
                nutrition_days=days,
                nutrition_daily="30.00",
            )
        if kind != DEATH and injury.age < 60:
            calculator.update(
                lost_income_days=injury.span + (rng.randint(60, 120) if days else 0),
                daily_income=self._price(180, 350),
            )
        if kind == DISABILITY_9:
            calculator["dependants"] = [{"age": rng.randint(5, 15), "supporters": 2}]
            injury.dependant_relations = [rng.choice(CHILDREN)]
        if kind == DEATH:
            calculator["mental_distress_amount"] = f"{rng.randrange(50000, 80001, 5000)}.00"
            calculator["dependants"] = [
                {"age": rng.randint(4, 16), "supporters": 2},
                {"age": injury.age + rng.randint(24, 30), "supporters": 2, "unable_to_work": True},
            ]
            injury.dependant_relations = [rng.choice(CHILDREN), rng.choice(PARENTS)]
        injury.calculator = calculator

    def _with_injury_steps(self, plan, steps: list) -> list:
        """`steps` with the first visit to the injured person in hospital soon after the
        arrival at the scene, and the injury assessment at the desk once the treatment is
        over, before the case is submitted (or paused or cancelled where it stops)."""
        injury = plan.injury_plan
        actions = [step.action for step in steps]
        if injury is None or "arrive" not in actions:
            return steps
        arrive = actions.index("arrive")
        visit = replace(
            steps[0],
            delay=timedelta(minutes=self.rng.uniform(40, 120)),
            action="injury_survey",
            options={},
        )
        steps = [*steps[: arrive + 1], visit, *steps[arrive + 1 :]]
        actions.insert(arrive + 1, "injury_survey")
        if "submit" in actions:
            injury.stage = ASSESSED  # a case is submitted with its injuries assessed
        if injury.stage == NONE:
            return steps
        delay = timedelta(days=injury.span, minutes=self.rng.uniform(1440, 5 * 1440))
        step = replace(steps[0], delay=delay, action="injury_assessment", options={})
        ends = [
            i
            for i, s in enumerate(steps)
            if i > arrive and s.action in ("submit", "request_documents", "cancel")
        ]
        at = ends[0] if ends else len(steps)
        return [*steps[:at], step, *steps[at:]]

    # -- running -----------------------------------------------------------------------------

    def _do_injury_survey(self, plan) -> None:
        """The first visit in hospital, on the accident's day."""
        injury = plan.injury_plan
        item = plan.case.loss_items.get(kind=LossItemKind.INJURY)
        accident = timezone.localdate(plan.case.report.accident_time)
        injury.hospital = self.rng.choice(HOSPITALS[plan.scene.code])
        inpatient = injury.hospital_days > 0
        investigation.do_save_injury_survey(
            item,
            {
                "visited_on": timezone.localdate(),
                "hospital": injury.hospital,
                "department": DEPARTMENTS.get(injury.kind, "骨科"),
                "bed": f"{self.rng.randint(1, 48)}" if inpatient else "",
                "admitted_on": accident if inpatient else None,
                "diagnosis": INJURIES[injury.kind],
                "description": "神志清楚，生命体征平稳，主诉伤处疼痛。"
                if injury.kind != DEATH
                else "入院时昏迷，GCS 5 分，行开颅血肿清除术。",
            },
            actor=plan.people["surveyor"],
        )

    def _follow_up(self, plan, item, accident: date) -> None:
        """The course of treatment up to the assessment: visits on the ward (a night patrol
        finds the bed-blocker out, and the flag is confirmed), the discharge and outcome,
        the disability appraised."""
        rng, injury, actor = self.rng, plan.injury_plan, self._author(plan)
        stay = injury.hospital_days
        if stay and injury.kind != DEATH:
            investigation.do_record_hospital_visit(
                item,
                {
                    "visited_on": accident + timedelta(days=max(1, stay // 3)),
                    "kind": "follow_up",
                    "present": True,
                    "records_sampled": True,
                    "findings": "伤者在床，术后恢复良好；抽查病历，用药与诊断相符。",
                },
                actor=actor,
            )
        if injury.kind == BED_BLOCKING:
            night = accident + timedelta(days=stay - injury.blocked_days + 1)
            visit = investigation.do_record_hospital_visit(
                item,
                {
                    "visited_on": night,
                    "kind": "patrol",
                    "present": False,
                    "findings": "21:40 医疗巡查，床位空置，病区护士称伤者近日每晚回家住宿。",
                },
                actor=actor,
            )
            flag = visit.flags.get()
            investigation.do_decide_investigation_flag(
                flag,
                status="confirmed",
                note=f"次日复查仍不在床，护理记录显示 {injury.blocked_days} 天无治疗；"
                "该期间床位费、护理费按挂床核减。",
                actor=actor,
            )
        survey = {"outcome": "recovered"}
        if injury.kind == DEATH:
            survey = {"outcome": "death"}
        elif stay:
            survey["discharged_on"] = accident + timedelta(days=stay)
        if injury.kind in APPRAISED:
            survey["outcome"] = "appraisal"
        investigation.do_save_injury_survey(item, survey, actor=actor)
        if injury.kind in APPRAISED:
            what, clause = APPRAISED[injury.kind]
            investigation.do_record_disability_appraisal(
                item,
                {
                    "injury": what,
                    "grade": GRADES[injury.kind],
                    "clause": clause,
                    "institution": rng.choice(APPRAISERS),
                    "appraised_on": accident + timedelta(days=injury.span),
                },
                actor=actor,
            )

    def _do_injury_assessment(self, plan) -> None:
        injury = plan.injury_plan
        item = plan.case.loss_items.get(kind=LossItemKind.INJURY)
        accident = timezone.localdate(plan.case.report.accident_time)
        self._follow_up(plan, item, accident)
        branch = self.branches[plan.city.code]
        injury.calculator["standard"] = self._standard_on(branch, injury.kind, accident)
        bills = self._injury_bills(plan, accident)
        injury_assessment.do_save_injury_assessment(
            item,
            person=self._injured_person(plan, accident),
            calculator=injury.calculator,
            bills=bills,
            dependant_relations=injury.dependant_relations,
            remarks=self._injury_remarks(injury, bills),
            actor=self._author(plan),
        )

    def _injured_person(self, plan, accident: date) -> dict:
        rng, injury = self.rng, plan.injury_plan
        local = rng.random() < 0.7
        area = rng.choice(ID_AREAS[plan.scene.code] if local else HOME_AREAS)
        # Born 1 to 360 days before the accident's day of the year: exactly `age` then.
        birthday = date(accident.year - injury.age, accident.month, min(accident.day, 28))
        birth = birthday - timedelta(days=rng.randint(1, 360))
        first = f"{area}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
        district = rng.choice(plan.scene.districts)[0]
        retired = injury.age >= 60
        evidence = "" if retired or injury.kind == DEATH else rng.choice(INCOME_EVIDENCE)
        return {
            "name": self._customer_name(),
            "id_number": first + check_digit(first),
            "relation": injury.relation,
            "urban": True,
            "residence": f"{plan.scene.name}市{district}",
            "occupation": "退休人员" if retired else rng.choice(OCCUPATIONS),
            "income_evidence": evidence,
        }

    # -- bills -------------------------------------------------------------------------------

    def _injury_bills(self, plan, accident: date) -> list[dict]:
        """The emergency visit, the stay in hospital and the follow-up visits, each a bill
        with its lines as audited."""
        rng, injury = self.rng, plan.injury_plan
        hospital = injury.hospital
        prefix = f"{plan.scene.area[:2]}{accident:%Y}"

        def bill(day: int, inpatient: bool, lines: list[dict]) -> dict:
            return {
                "invoice_no": f"{prefix}{rng.randint(0, 99999999):08d}",
                "hospital": hospital,
                "date": (accident + timedelta(days=day)).isoformat(),
                "inpatient": inpatient,
                "lines": lines,
            }

        bills = [bill(0, False, self._emergency_lines(injury))]
        if injury.hospital_days:
            bills.append(bill(injury.hospital_days, True, self._stay_lines(injury)))
        if injury.kind != DEATH:
            follow_ups = rng.randint(1, 2) if injury.kind == OUTPATIENT else rng.randint(1, 3)
            for n in range(1, follow_ups + 1):
                day = injury.hospital_days + (injury.span - injury.hospital_days) * n // follow_ups
                bills.append(bill(day, False, self._follow_up_lines()))
        return bills

    def _line(
        self,
        category: str,
        item: str,
        claimed: Decimal | str,
        *,
        quantity: int | None = None,
        insurance_class: str = "",
        cut: Decimal | str | None = None,
        reason: str = "",
        note: str = "",
    ) -> dict:
        claimed = Decimal(claimed)
        cut = Decimal(cut or 0)
        line = {
            "category": category,
            "item": item,
            "claimed": str(claimed),
            "reasonable": str(claimed - cut),
        }
        if quantity is not None:
            line["quantity"] = str(quantity)
        if insurance_class:
            line["insurance_class"] = insurance_class
        if cut:
            line.update(deduction_reason=reason, note=note)
        return line

    def _amount(self, low: float, high: float) -> Decimal:
        return Decimal(f"{self.rng.uniform(low, high):.2f}")

    def _emergency_lines(self, injury: InjuryPlan) -> list[dict]:
        rng, line = self.rng, self._line
        if injury.kind == DEATH:
            return [
                line(C.TREATMENT, "急诊诊查费", "25.00", quantity=1),
                line(C.EXAMINATION, "头颅及胸腹部CT平扫", self._amount(800, 1100), quantity=3),
                line(C.TREATMENT, "院前急救及心肺复苏", self._amount(1200, 2500)),
            ]
        lines = [
            line(C.TREATMENT, "急诊诊查费", "25.00", quantity=1),
            line(C.EXAMINATION, "X线摄片（DR）", self._amount(180, 260), quantity=2),
            line(C.TREATMENT, "清创缝合术", self._amount(180, 420)),
            line(C.MATERIALS, "一次性无菌换药包", self._amount(15, 40), quantity=2),
            line(C.DRUGS, "头孢呋辛酯片", self._amount(35, 60), insurance_class="b"),
        ]
        if rng.random() < 0.6:
            price = self._amount(60, 130)
            lines.append(
                line(
                    C.DRUGS,
                    "活血止痛胶囊",
                    price,
                    insurance_class="c",
                    cut=price,
                    reason=R.NON_INSURED_DRUG,
                )
            )
        if rng.random() < 0.4:
            price = self._amount(40, 90)
            lines.append(
                line(
                    C.DRUGS,
                    "硝苯地平控释片",
                    price,
                    cut=price,
                    reason=R.UNRELATED,
                    note="伤者自身高血压用药",
                )
            )
        return lines

    def _stay_lines(self, injury: InjuryPlan) -> list[dict]:
        rng, line, kind = self.rng, self._line, injury.kind
        days, blocked = injury.hospital_days, injury.blocked_days
        bed_rate = Decimal(rng.choice((60, 75, 90)))
        care_rate = Decimal(rng.choice((30, 40, 50)))
        blocking = "经医疗调查，伤者住院期间多次查房不在院，按挂床天数核减"
        if kind == DEATH:
            return [
                line(C.BED, "重症监护病房床位费", bed_rate * 4 * days, quantity=days),
                line(C.NURSING, "特级护理", care_rate * 3 * days, quantity=days),
                line(C.TREATMENT, "抢救费", self._amount(3000, 8000)),
                line(C.TREATMENT, "呼吸机辅助呼吸", self._amount(600, 1500)),
                line(
                    C.DRUGS, "甘露醇注射液等抢救用药", self._amount(1500, 4000), insurance_class="a"
                ),
            ]
        lines = [
            line(
                C.BED,
                "床位费",
                bed_rate * days,
                quantity=days,
                cut=bed_rate * blocked,
                reason=R.BED_BLOCKING,
                note=blocking,
            ),
            line(
                C.NURSING,
                "一级护理",
                care_rate * days,
                quantity=days,
                cut=care_rate * blocked,
                reason=R.BED_BLOCKING,
                note=blocking,
            ),
            line(C.EXAMINATION, "CT平扫及三维重建", self._amount(600, 900)),
            line(C.EXAMINATION, "血常规、生化全套", self._amount(300, 500)),
            line(C.DRUGS, "注射用头孢唑林钠", self._amount(400, 900), insurance_class="b"),
        ]
        if kind in SURGERIES:
            implant = self._amount(6000, 12000)
            lines += [
                line(C.SURGERY, SURGERIES[kind], self._amount(2800, 4500)),
                line(
                    C.MATERIALS,
                    "进口锁定钢板及螺钉",
                    implant,
                    cut=(implant * Decimal("0.2")).quantize(Decimal("0.01")),
                    reason=R.OVER_INSURANCE_LIMIT,
                    note="按医保限价 80% 核定",
                ),
            ]
        else:
            lines.append(line(C.TREATMENT, "康复理疗", self._amount(300, 900)))
        if rng.random() < 0.5:
            price = self._amount(500, 1500)
            lines.append(
                line(
                    C.DRUGS,
                    "人血白蛋白",
                    price,
                    insurance_class="c",
                    cut=price,
                    reason=R.NON_INSURED_DRUG,
                )
            )
        lines.append(
            line(C.OTHER, "病历复印费", "20.00", cut="20.00", reason=R.OTHER, note="非医疗费用")
        )
        return lines

    def _follow_up_lines(self) -> list[dict]:
        line = self._line
        return [
            line(C.TREATMENT, "门诊诊查费", "20.00", quantity=1),
            line(C.TREATMENT, "换药", self._amount(45, 80)),
            line(C.EXAMINATION, "X线复查", self._amount(110, 140)),
        ]

    @staticmethod
    def _injury_remarks(injury: InjuryPlan, bills: list[dict]) -> str:
        hospital = bills[0]["hospital"]
        text = f"伤者{INJURIES[injury.kind]}，于{hospital}"
        if injury.kind == OUTPATIENT:
            text += "急诊清创处理后门诊换药，未住院。"
        elif injury.kind == DEATH:
            text += f"经抢救无效，于入院后第 {injury.hospital_days} 天死亡。"
            text += "死亡赔偿金、丧葬费按所选赔偿标准计算，被扶养人生活费按扶养人数分摊。"
        else:
            text += f"住院治疗 {injury.hospital_days} 天。"
        if injury.kind in (DISABILITY_10, DISABILITY_9):
            grade = "十级" if injury.kind == DISABILITY_10 else "九级"
            text += f"经司法鉴定构成{grade}伤残。"
        if injury.blocked_days:
            text += (
                f"经医疗调查，伤者挂床 {injury.blocked_days} 天，相应床位费、护理费核减，"
                "住院伙食补助费、护理费按实际在院天数计算。"
            )
        return text
