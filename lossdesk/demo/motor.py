"""The motor case path in the demo, after the surveyor arrived: the survey with its photos,
the vehicles' assessment sheets (定损单), a re-survey (复勘), review at one or two levels,
documents requested and supplied (资料补充), the adjusting report issued, the case closed
(with its callback, demo.intake) or cancelled, all through the claims and motor services.
`MotorDemo` is a part of DemoBuilder: one method per step of a case's script."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from lossdesk.claims import services as claims_services
from lossdesk.claims.choices import (
    AttachmentKind,
    CancelReason,
    CaseStatus,
    DocumentType,
    EventType,
    Liability,
    ReviewDecision,
    SceneType,
)
from lossdesk.demo import injury as injury_demo
from lossdesk.demo.firm import City
from lossdesk.demo.photos import demo_document, distinct_photo
from lossdesk.demo.vehicles import ZONE_WORDS, Model
from lossdesk.motor import services as motor_services
from lossdesk.org.choices import RepairShopKind
from lossdesk.org.models import RepairShop, Staff

if TYPE_CHECKING:
    from lossdesk.demo.plans import CasePlan

S = CaseStatus

WEATHERS = ("晴", "晴", "多云", "阴", "小雨", "中雨")
CANCEL_REASONS = {
    S.REGISTERED: (
        (CancelReason.DUPLICATE, "与委托方同日另一报案重复，保留先报案件。"),
        (CancelReason.CLIENT_RECALLED, "委托方改派本公司以外的公估机构处理。"),
        (CancelReason.CUSTOMER_WITHDREW, "客户来电表示损失轻微，自行处理。"),
    ),
    S.DISPATCHED: (
        (CancelReason.CUSTOMER_WITHDREW, "客户与对方私了，申请撤案。"),
        (CancelReason.CLIENT_RECALLED, "委托方收回，由保险公司自行查勘。"),
        (CancelReason.DUPLICATE, "同一事故三者方已报案，合并处理。"),
    ),
    S.SURVEYING: (
        (CancelReason.NO_LOSS, "现场查看车辆无明显损失。"),
        (CancelReason.NOT_COVERED, "驾驶员准驾车型不符，不属于保险责任。"),
        (CancelReason.CUSTOMER_WITHDREW, "客户现场表示不再索赔。"),
    ),
    S.ASSESSING: (
        (CancelReason.NOT_COVERED, "车辆为营运使用，与保单约定的非营运性质不符。"),
        (
            CancelReason.FRAUD_SUSPECTED,
            "碰撞痕迹与报案经过不符，疑似摆放现场，已报委托方反欺诈部门。",
        ),
        (CancelReason.OTHER, "客户选择到外地修理，委托方同意注销本地案件。"),
    ),
    S.IN_REVIEW: (
        (
            CancelReason.FRAUD_SUSPECTED,
            "同一车辆 30 天内第三次出险，损失部位重复，移交委托方调查。",
        ),
        (CancelReason.CUSTOMER_WITHDREW, "客户放弃索赔，书面申请撤案。"),
    ),
    S.AWAITING_DOCUMENTS: (
        (CancelReason.OTHER, "客户逾期未提供所需资料，经委托方同意注销。"),
        (CancelReason.CUSTOMER_WITHDREW, "客户放弃索赔，不再提供资料。"),
    ),
}
RETURN_REASONS = (
    "大灯总成报价偏高，请按配件系统价格重新核实。",
    "喷漆工时与损失面积不符，请核减。",
    "缺少三者车损失照片，请补拍后重新提交。",
    "前保险杠骨架可修复，不同意更换。",
    "残值未扣除，请补录残值。",
)
DOCUMENT_ITEMS = {
    S.SURVEYING: ("驾驶证、行驶证正副本照片", DocumentType.DRIVING_LICENCE),
    S.ASSESSING: ("维修厂报价单及车辆行驶证", DocumentType.VEHICLE_LICENCE),
    S.IN_REVIEW: ("交警事故认定书", DocumentType.ACCIDENT_CERTIFICATE),
    S.IN_SECOND_REVIEW: ("交警事故认定书", DocumentType.ACCIDENT_CERTIFICATE),
    S.APPROVED: ("维修发票及被保险人身份证", DocumentType.REPAIR_INVOICE),
}


class MotorDemo:
    def _do_survey(self, plan: CasePlan, photos: int) -> None:
        rng, insured = self.rng, plan.vehicles[0]
        damage = "、".join(
            line["name"].removesuffix("总成") for line in insured.lines if line["kind"] == "replace"
        )
        damage = f"{damage}等受损" if damage else f"{ZONE_WORDS[insured.zone]}受损"
        liability = Liability(plan.liability).label
        survey = {
            "scene": rng.choices(SceneType.values, (70, 25, 5))[0],
            "accident_type": plan.scenario.accident_type,
            "liability": plan.liability,
            "weather": "大雨" if insured.zone == "flood" else rng.choice(WEATHERS),
            "description": injury_demo.injury_description(
                plan.injury_plan, plan.scenario.survey.format(damage=damage, liability=liability)
            ),
            # 外勤里程 for the distance fee; drawn from the case's own number so the shared
            # generator's sequence (and every later demo draw) stays as it was.
            "travel_km": Decimal(random.Random(plan.case.case_no).randint(30, 600)) / 10,
        }
        surveyor = plan.people["surveyor"]
        claims_services.do_save_survey(plan.case, survey, actor=surveyor)
        items = list(plan.case.loss_items.all())
        for index in range(1, photos + 1):
            self.clock.now += timedelta(seconds=rng.randint(20, 90))
            vehicle = plan.vehicles[(index - 2) % len(plan.vehicles)] if index > 1 else insured
            item = next((i for i in items if i.plate == vehicle.plate), None)
            upload = distinct_photo(
                plan.case,
                rng,
                plate=vehicle.plate,
                zone=vehicle.zone,
                new_energy=bool(vehicle.model.energy),
                when=timezone.localtime(self.clock.now),
                caption="现场照片" if index == 1 else "损失照片",
                index=index,
                total=photos,
            )
            attachment = claims_services.do_add_attachment(
                plan.case,
                upload,
                kind=AttachmentKind.PHOTO,
                doc_type=DocumentType.SCENE_PHOTO if index == 1 else DocumentType.DAMAGE_PHOTO,
                loss_item=None if index == 1 else item,
                actor=surveyor,
            )
            self._written(attachment)
            self.photo_count += 1

    def _do_complete_survey(self, plan: CasePlan) -> None:
        claims_services.do_complete_survey(plan.case, actor=plan.people["surveyor"])

    def _do_sheets(self, plan: CasePlan, only: int | None = None, revise: bool = False) -> None:
        items = [i for i in plan.case.loss_items.order_by("seq") if i.is_vehicle]
        if revise:  # after a return only the insured vehicle's sheet is corrected
            items = items[:1]
        by_plate = {v.plate: v for v in plan.vehicles}
        for item in items[:only]:
            vehicle = by_plate[item.plate]
            remarks = ""
            if revise:
                vehicle.lines = [dict(line) for line in vehicle.lines]
                line = max(
                    (line for line in vehicle.lines if line["kind"] == "replace"),
                    key=lambda line: Decimal(line["unit_price"]),
                )
                line["unit_price"] = str(self._money(float(line["unit_price"]) * 0.85))
                remarks = f"按审核意见调整{line['name']}报价。"
            model = vehicle.model
            motor_services.do_save_assessment_sheet(
                item,
                lines=vehicle.lines,
                repair_shop=self._shop(plan.work_city, model),
                vehicle_model=f"{model.brand} {model.name}（{vehicle.year}款）",
                remarks=remarks,
                actor=self._author(plan),
            )
            self.clock.now += timedelta(minutes=self.rng.randint(5, 40))

    def _do_resurvey(self, plan: CasePlan, reason: str, note: str, by_author: bool) -> None:
        """The case's surveyor went back: arrived halfway between the survey's completion
        and now (when it is recorded, by the surveyor or the assessor who asked for it)."""
        case = plan.case
        completed = case.events.get(type=EventType.SURVEY_COMPLETED).created_at
        arrived = self.clock.now - min(timedelta(minutes=90), (self.clock.now - completed) / 2)
        claims_services.do_record_resurvey(
            case,
            arrived_at=arrived.replace(second=0, microsecond=0),
            reason=reason,
            note=note,
            actor=self._author(plan) if by_author else plan.people["surveyor"],
        )

    def _shop(self, city: City, model: Model) -> RepairShop:
        shops = self.shops[city.code]
        dealers = [
            s for s in shops if s.kind == RepairShopKind.DEALER_4S and s.brand == model.brand
        ]
        general = [s for s in shops if s.kind == RepairShopKind.CLASS_1]
        return dealers[0] if dealers and self.rng.random() < 0.8 else general[0]

    @staticmethod
    def _author(plan: CasePlan) -> Staff:
        return plan.people["author"] or plan.people["surveyor"]

    def _do_submit(self, plan: CasePlan) -> None:
        claims_services.do_submit_for_review(plan.case, actor=self._author(plan))

    def _do_review(self, plan: CasePlan, decision: str) -> None:
        reason = self.rng.choice(RETURN_REASONS) if decision == ReviewDecision.RETURNED else ""
        claims_services.do_review_case(
            plan.case, decision=decision, reason=reason, actor=plan.people["reviewer1"]
        )

    def _do_second_review(self, plan: CasePlan) -> None:
        if plan.case.status == S.IN_SECOND_REVIEW:
            claims_services.do_review_case(
                plan.case, decision=ReviewDecision.APPROVED, actor=plan.people["reviewer2"]
            )

    def _requester(self, plan: CasePlan, stage: str) -> Staff:
        if stage == S.SURVEYING:
            return plan.people["surveyor"]
        if stage == S.ASSESSING:
            return self._author(plan)
        return plan.people["reviewer1"]

    def _do_request_documents(self, plan: CasePlan, stage: str, extra: bool = False) -> None:
        items, _ = DOCUMENT_ITEMS[stage]
        if extra:
            items = "被保险人银行账户信息及赔款转让授权书"
        due = timezone.localdate() + timedelta(days=self.rng.randint(3, 10))
        request = claims_services.do_request_documents(
            plan.case, items=items, due_date=due, actor=self._requester(plan, stage)
        )
        plan.requests.append((request, stage))

    def _do_fulfil_documents(self, plan: CasePlan) -> None:
        for request, stage in plan.requests:
            actor = self._requester(plan, stage)
            _, doc_type = DOCUMENT_ITEMS[stage]
            attachment = claims_services.do_add_attachment(
                plan.case,
                demo_document(self.rng, DocumentType(doc_type).label, plan),
                kind=AttachmentKind.DOCUMENT,
                doc_type=doc_type,
                actor=actor,
            )
            self._written(attachment)
            claims_services.do_fulfil_document_request(
                request, note="客户已通过微信提交，原件已核对。", actor=actor
            )
        plan.requests.clear()

    def _do_issue(self, plan: CasePlan) -> None:
        report = claims_services.do_issue_report(plan.case, actor=plan.people["issuer"])
        self.written_files.append(report.file.name)
        self.report_count += 1

    def _do_close(self, plan: CasePlan) -> None:
        claims_services.do_close_case(plan.case, actor=plan.people["closer"])
        self._callback(plan)

    def _do_cancel(self, plan: CasePlan, stage: str) -> None:
        reason, note = self.rng.choice(CANCEL_REASONS[stage])
        if plan.duplicate_of:
            first = plan.duplicate_of.case.report.report_no
            reason, note = CancelReason.DUPLICATE, f"与报案 {first} 为同一事故，保留先报案件。"
        claims_services.do_cancel_case(
            plan.case, reason=reason, note=note, actor=plan.people["canceller"]
        )
