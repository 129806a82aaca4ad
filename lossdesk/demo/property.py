"""Third-party property (三者物损) in the demo: a damaged guardrail of the road authority, a
greenbelt, a shop owner's shopfront and the goods in a truck, each surveyed, assessed on a
property sheet, negotiated with its owner and settled by a signed agreement (协议书), through
the property services like the rest of the demo.

Some accidents damage property by chance (Scenario.property_kind); besides, SHOWCASES puts a
property case in every state a user should find one in, from a fresh report to a closed case,
so even a small demo has them. `PropertyDemo` is a part of DemoBuilder: it plans the property
of a case (`PropertyPlan`) and adds its steps to the case's script."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from lossdesk.claims import services as claims_services
from lossdesk.claims.choices import AttachmentKind, CaseStatus, DocumentType, LossItemKind
from lossdesk.demo.photos import _font
from lossdesk.property import services as property_services
from lossdesk.property.choices import OfferParty, OwnerType, PropertyCategory
from lossdesk.property.models import DepreciationRule
from lossdesk.rules.property import USEFUL_LIFE

S = CaseStatus

# How far a property item has got: nothing yet, surveyed, assessed, in negotiation (offers,
# no agreement), agreed with a signed agreement.
NONE, SURVEY, SHEET, OFFERS, AGREED = "none", "survey", "sheet", "offers", "agreed"
STAGES = (NONE, SURVEY, SHEET, OFFERS, AGREED)

# A property case in each of these (case state, property stage), in the order hosts are found
# for them: the later states are the rarer ones.
SHOWCASES = (
    (S.CLOSED, AGREED),
    (S.REPORT_ISSUED, AGREED),
    (S.APPROVED, AGREED),
    (S.IN_REVIEW, AGREED),
    (S.ASSESSING, AGREED),
    (S.ASSESSING, OFFERS),
    (S.ASSESSING, SHEET),
    (S.ASSESSING, SURVEY),
    (S.SURVEYING, SURVEY),
    (S.REGISTERED, NONE),
)
# The kinds the showcases take in turn; greenbelts come by chance (a car off the road).
SHOWCASE_KINDS = ("guardrail", "shopfront", "goods")
# A third-party vehicle delegated to another branch fits the accident with a truck.
ROLE_KINDS = {"item_delegation": "goods"}
# Roles whose case is not an accident of its own.
NO_SHOWCASE_ROLES = frozenset({"duplicate"})

DESK_ACTIONS = frozenset({"property_sheet", "property_offer", "property_agreement"})

CATEGORIES = {
    "guardrail": PropertyCategory.ROAD_FACILITY,
    "greenery": PropertyCategory.GREENERY,
    "shopfront": PropertyCategory.BUILDING,
    "goods": PropertyCategory.GOODS,
}
# The goods travel in a light box truck: the third-party vehicle of that accident.
TRUCK = {"brand": "福田", "name": "奥铃 CTS 4.2米厢式货车", "tier": Decimal("1.2"), "oe": ""}
SHOPS = ("水果店", "便利店", "五金店", "早餐店", "烟酒店", "药店", "服装店", "手机维修店")
COMPANIES = ("鑫达", "恒通", "顺丰源", "联华", "永盛", "宏远", "佳和", "瑞丰")
CARGO = ("appliances", "drinks", "tiles")
ABOVE_REASONS = {
    "guardrail": "路政部门按路产损害赔偿标准计收，含施工期间交通安全设施费用，已报委托方同意。",
    "greenery": "园林部门按绿化补偿标准计收补植后一年的养护费用，已报委托方同意。",
    "shopfront": "门面为一年内新装修，物主提供装修合同及发票，经委托方同意适当上浮。",
    "goods": "货主提供进货发票，货物为当季新品，按进货价协商赔付，已报委托方同意。",
}
LOWER_NOTES = ("物主同意略低于定损金额以尽快结案。", "物主认可扣除可利用部分后的金额。")
# Demo rules: the firm's default floor and one client's own (to show the rule a sheet used).
RULES = (
    (None, date(2024, 1, 1), Decimal("0.10"), "公司物损定损规范（2024 版）"),
    ("ccic", date(2025, 1, 1), Decimal("0.20"), "按委托方书面通知执行"),
)


def years(key: str) -> str:
    return str(USEFUL_LIFE[key].years)


@dataclass
class PropertyPlan:
    kind: str
    stage: str
    owner_type: str
    owner_name: str
    owner_phone: str
    speaker: str  # who speaks for the owner in the negotiation
    location: str
    lines: list[dict]
    description: str
    claim_factor: Decimal  # what the owner claims, as a multiple of the assessed total
    outcome: str  # "assessed", "lower" or "above" the assessed total
    counter_offers: int
    total: Decimal | None = None  # the sheet's, once saved
    offers: list[Decimal] = field(default_factory=list)


def showcase_hosts(targets: list[str], roles: list[str | None]) -> dict[int, tuple[str, str]]:
    """The plan index of each showcase with its (stage, kind). A showcase takes a plan of its
    state without a feature role if there is one; when the assessing states run short, a spare
    closed plan becomes an assessing one (`targets` is changed)."""
    taken: dict[int, tuple[str, str]] = {}
    kinds = iter(SHOWCASE_KINDS * len(SHOWCASES))

    def free(state: str) -> list[int]:
        return [
            i
            for i, target in enumerate(targets)
            if target == state and i not in taken and roles[i] not in NO_SHOWCASE_ROLES
        ]

    for state, stage in SHOWCASES:
        hosts = sorted(free(state), key=lambda i: roles[i] is not None)
        if not hosts and state == S.ASSESSING:
            spare = [i for i in free(S.CLOSED) if roles[i] is None][1:]  # one stays closed
            if spare:
                targets[spare[-1]] = S.ASSESSING
                hosts = [spare[-1]]
        if hosts:
            index = hosts[0]
            taken[index] = (stage, ROLE_KINDS.get(roles[index]) or next(kinds))
    return taken


class PropertyDemo:
    """DemoBuilder's property part (uses its rng, clock, people and helpers)."""

    def _build_depreciation_rules(self) -> None:
        for code, effective_from, floor, note in RULES:
            DepreciationRule.objects.create(
                client=self.clients[code] if code else None,
                effective_from=effective_from,
                floor=floor,
                note=note,
            )

    # -- planning ----------------------------------------------------------------------------

    def _plan_property(self, plan, stage: str, showcase: tuple[str, str] | None):
        """The property of a case that has one: its owner, lines and negotiation, and how far
        it gets (the showcase's stage, else what the case's furthest state allows)."""
        if not plan.property_loss:
            return None
        rng = self.rng
        kind = showcase[1] if showcase else plan.scenario.property_kind
        if showcase:
            target_stage = showcase[0]
        elif stage in (S.REGISTERED, S.DISPATCHED):
            target_stage = NONE
        elif stage == S.SURVEYING:
            target_stage = SURVEY
        elif stage == S.ASSESSING:
            target_stage = rng.choice((SURVEY, SHEET, OFFERS, AGREED, AGREED))
        else:
            target_stage = AGREED
        owner = getattr(self, f"_{kind}_owner")(plan)
        lines = getattr(self, f"_{kind}_lines")()
        if kind == "goods":
            truck = plan.vehicles[1]
            truck.model = replace(truck.model, **TRUCK)
        return PropertyPlan(
            kind=kind,
            stage=target_stage,
            lines=lines,
            description=self._property_description(kind, lines, plan),
            claim_factor=Decimal(str(round(rng.uniform(1.15, 1.6), 2))),
            outcome=rng.choices(("assessed", "lower", "above"), (4, 2, 4))[0],
            counter_offers=rng.randint(0, 2),
            **owner,
        )

    def _with_property_steps(self, plan, steps: list) -> list:
        """`steps` with the property's: its survey on site after the arrival, then at the desk
        the sheet, the offers and the agreement, before the case is submitted (or paused or
        cancelled where it stops)."""
        prop = plan.property_plan
        actions = [step.action for step in steps]
        if prop is None or prop.stage == NONE or "arrive" not in actions:
            return steps
        rng = self.rng

        def step(action: str, low: float, high: float, **options):
            return replace(
                steps[0],
                delay=timedelta(minutes=rng.uniform(low, high)),
                action=action,
                options=options,
            )

        arrive = actions.index("arrive")
        steps = [*steps[: arrive + 1], step("property_survey", 10, 40), *steps[arrive + 1 :]]
        if prop.stage == SURVEY:
            return steps
        desk = [step("property_sheet", 60, 1440)]
        if prop.stage in (OFFERS, AGREED):
            desk += [step("property_offer", 120, 2 * 1440) for _ in range(2 + prop.counter_offers)]
        if prop.stage == AGREED:
            desk.append(step("property_agreement", 120, 1440))
        ends = [
            i
            for i, s in enumerate(steps)
            if i > arrive and s.action in ("submit", "request_documents", "cancel")
        ]
        at = ends[0] if ends else len(steps)
        return [*steps[:at], *desk, *steps[at:]]

    # -- running -----------------------------------------------------------------------------

    def _property_item(self, plan):
        return plan.case.loss_items.get(kind=LossItemKind.PROPERTY)

    def _do_property_survey(self, plan) -> None:
        prop = plan.property_plan
        property_services.do_save_property_survey(
            self._property_item(plan),
            {
                "category": CATEGORIES[prop.kind],
                "owner_type": prop.owner_type,
                "owner_name": prop.owner_name,
                "owner_phone": prop.owner_phone,
                "location": prop.location,
                "description": prop.description,
            },
            actor=plan.people["surveyor"],
        )

    def _do_property_sheet(self, plan) -> None:
        sheet = property_services.do_save_property_sheet(
            self._property_item(plan), lines=plan.property_plan.lines, actor=self._author(plan)
        )
        plan.property_plan.total = sheet.total

    def _do_property_offer(self, plan) -> None:
        """Offers take turns: the owner's claim, our assessed total, then the owner coming
        down and us (or the insurer) meeting them."""
        prop, rng = plan.property_plan, self.rng
        total, turn = prop.total, len(prop.offers)
        claim = self._round(total * prop.claim_factor)
        if turn == 0:
            party, speaker, amount, note = OfferParty.OWNER, prop.speaker, claim, "物主提出索赔"
        elif turn == 1:
            party, amount, note = OfferParty.ADJUSTER, total, "按物损定损单金额"
            speaker = self._author(plan).full_name
        elif turn % 2 == 0:
            party, speaker, note = OfferParty.OWNER, prop.speaker, "物主让步"
            amount = self._round(prop.offers[-2] - (prop.offers[-2] - total) * Decimal("0.4"))
        else:
            party = rng.choice((OfferParty.ADJUSTER, OfferParty.INSURER))
            speaker = (
                self._author(plan).full_name
                if party == OfferParty.ADJUSTER
                else f"{plan.insurer.short_name}理赔员"
            )
            amount, note = self._round(total + (prop.offers[-1] - total) / 3), "经请示委托方"
        prop.offers.append(amount)
        item = self._property_item(plan)
        property_services.do_add_offer(
            item,
            offered_on=timezone.localdate(),
            party=party,
            speaker=speaker,
            amount=amount,
            note=note,
            actor=self._author(plan),
        )
        if turn == 0:
            property_services.do_save_negotiation(
                item, claimed_amount=claim, actor=self._author(plan)
            )

    def _do_property_agreement(self, plan) -> None:
        prop, rng = plan.property_plan, self.rng
        total, author = prop.total, self._author(plan)
        if prop.outcome == "lower":
            agreed = self._round(total * Decimal(str(round(rng.uniform(0.9, 0.97), 2))))
        elif prop.outcome == "above" and prop.offers[-1] > total:  # the owner held out
            agreed = self._round(min(prop.offers[-1], total * Decimal("1.15")))
        else:
            agreed = total
        item = self._property_item(plan)
        scan = agreement_scan(rng, plan, agreed, timezone.localdate())
        attachment = claims_services.do_add_attachment(
            plan.case,
            scan,
            kind=AttachmentKind.DOCUMENT,
            doc_type=DocumentType.AGREEMENT,
            loss_item=item,
            actor=author,
        )
        self._written(attachment)
        property_services.do_save_negotiation(
            item,
            claimed_amount=self._round(total * prop.claim_factor),
            agreed_amount=agreed,
            above_assessed_reason=ABOVE_REASONS[prop.kind] if agreed > total else "",
            agreement=attachment.pk,
            actor=author,
        )

    @staticmethod
    def _round(amount: Decimal) -> Decimal:
        """Negotiated amounts are round figures: to ten yuan."""
        return (amount / 10).quantize(Decimal("1")) * 10 + Decimal("0.00")

    # -- owners and lines --------------------------------------------------------------------

    def _guardrail_owner(self, plan) -> dict:
        rng, city = self.rng, plan.scene
        return {
            "owner_type": OwnerType.ORGANISATION,
            "owner_name": f"{city.name}市公路管理局",
            "owner_phone": f"{city.tel}-{rng.randint(81000000, 89999999)}",
            "speaker": f"路政科{self._customer_name()[0]}科长",
            "location": f"{plan.place}路侧护栏",
        }

    def _greenery_owner(self, plan) -> dict:
        rng, city = self.rng, plan.scene
        return {
            "owner_type": OwnerType.ORGANISATION,
            "owner_name": f"{city.name}市园林绿化管理处",
            "owner_phone": f"{city.tel}-{rng.randint(81000000, 89999999)}",
            "speaker": f"养护科{self._customer_name()[0]}工",
            "location": f"{plan.place}中央绿化带",
        }

    def _shopfront_owner(self, plan) -> dict:
        name = self._customer_name()
        shop = f"{name[0]}记{self.rng.choice(SHOPS)}"
        return {
            "owner_type": OwnerType.PERSON,
            "owner_name": name,
            "owner_phone": self._mobile(),
            "speaker": f"店主{name}",
            "location": f"{plan.place}路边{shop}门面",
        }

    def _goods_owner(self, plan) -> dict:
        city = plan.scene
        company = f"{city.name}{self.rng.choice(COMPANIES)}商贸有限公司"
        return {
            "owner_type": OwnerType.ORGANISATION,
            "owner_name": company,
            "owner_phone": self._mobile(),
            "speaker": f"{self._customer_name()[0]}经理",
            "location": f"{plan.place}，三者车 {plan.vehicles[1].plate} 车厢内",
        }

    def _price(self, low: int, high: int, step: int = 10) -> str:
        return f"{self.rng.randrange(low, high + 1, step)}.00"

    def _guardrail_lines(self) -> list[dict]:
        rng = self.rng
        months = str(rng.randint(18, 150))
        plates, posts = rng.randint(1, 3), rng.randint(1, 4)
        lines = [
            {
                "treatment": "replace",
                "name": "波形梁钢护栏板",
                "specification": "Gr-A-4E 4320mm",
                "unit": "块",
                "quantity": str(plates),
                "unit_price": self._price(380, 460),
                "months_used": months,
                "useful_life_years": years("guardrail"),
                "salvage_value": f"{plates * rng.randint(25, 40)}.00",
            },
            {
                "treatment": "replace",
                "name": "护栏立柱",
                "specification": "Φ140×4.5mm",
                "unit": "根",
                "quantity": str(posts),
                "unit_price": self._price(180, 240),
                "months_used": months,
                "useful_life_years": years("guardrail"),
                "salvage_value": f"{posts * 10}.00",
            },
        ]
        if rng.random() < 0.5:
            lines.append(
                {
                    "treatment": "replace",
                    "name": "防阻块",
                    "unit": "个",
                    "quantity": str(posts),
                    "unit_price": self._price(45, 60, 5),
                    "months_used": months,
                    "useful_life_years": years("guardrail"),
                }
            )
        lines.append(
            {
                "treatment": "labour",
                "name": "拆除及安装人工",
                "unit": "工日",
                "quantity": str(rng.randint(2, 4)),
                "unit_price": self._price(300, 380),
            }
        )
        if rng.random() < 0.5:
            lines.append(
                {
                    "treatment": "clean_up",
                    "name": "现场清理及施工交通疏导",
                    "unit": "项",
                    "quantity": "1",
                    "unit_price": self._price(300, 600, 50),
                }
            )
        return lines

    def _greenery_lines(self) -> list[dict]:
        rng = self.rng
        lines = [
            {
                "treatment": "repair",
                "name": "绿化带补植（红叶石楠）",
                "unit": "平方米",
                "quantity": str(rng.randint(8, 25)),
                "unit_price": self._price(80, 120, 5),
            }
        ]
        if rng.random() < 0.5:
            lines.append(
                {
                    "treatment": "repair",
                    "name": "草坪补植",
                    "unit": "平方米",
                    "quantity": str(rng.randint(10, 30)),
                    "unit_price": self._price(25, 40, 5),
                }
            )
        if rng.random() < 0.5:
            lines.append(
                {
                    "treatment": "replace",
                    "name": "花岗岩路缘石",
                    "unit": "米",
                    "quantity": str(rng.randint(2, 6)),
                    "unit_price": self._price(60, 90, 5),
                    "months_used": str(rng.randint(24, 96)),
                    "useful_life_years": years("building"),
                }
            )
        lines += [
            {
                "treatment": "clean_up",
                "name": "碾压残枝清理",
                "unit": "项",
                "quantity": "1",
                "unit_price": self._price(200, 400, 50),
            },
            {
                "treatment": "labour",
                "name": "补植及养护人工",
                "unit": "工日",
                "quantity": str(rng.randint(1, 2)),
                "unit_price": self._price(260, 320),
            },
        ]
        return lines

    def _shopfront_lines(self) -> list[dict]:
        rng = self.rng
        months = str(rng.randint(24, 120))
        frame = rng.randint(6, 10)
        lines = [
            {
                "treatment": "replace",
                "name": "钢化玻璃门",
                "specification": "12mm 钢化玻璃",
                "unit": "平方米",
                "quantity": f"{rng.randint(36, 60) / 10:.1f}",
                "unit_price": self._price(260, 320),
                "months_used": months,
                "useful_life_years": years("building"),
            },
            {
                "treatment": "replace",
                "name": "不锈钢门框",
                "unit": "米",
                "quantity": str(frame),
                "unit_price": self._price(85, 120, 5),
                "months_used": months,
                "useful_life_years": years("building"),
                "salvage_value": f"{frame * 5}.00",
            },
        ]
        if rng.random() < 0.5:
            lines.append(
                {
                    "treatment": "repair",
                    "name": "卷帘门修复",
                    "unit": "樘",
                    "quantity": "1",
                    "unit_price": self._price(600, 1200, 50),
                }
            )
        if rng.random() < 0.5:
            lines.append(
                {
                    "treatment": "replace",
                    "name": "门头招牌",
                    "unit": "块",
                    "quantity": "1",
                    "unit_price": self._price(1800, 3500, 100),
                    "months_used": str(rng.randint(12, 60)),
                    "useful_life_years": years("furniture"),
                }
            )
        lines += [
            {
                "treatment": "clean_up",
                "name": "碎玻璃清理",
                "unit": "项",
                "quantity": "1",
                "unit_price": self._price(150, 300, 50),
            },
            {
                "treatment": "labour",
                "name": "安装人工",
                "unit": "工日",
                "quantity": str(rng.randint(2, 3)),
                "unit_price": self._price(280, 320),
            },
        ]
        return lines

    def _goods_lines(self) -> list[dict]:
        """New goods are compensated at their price (no months used, 成新率 100%), less
        what the damaged ones are still worth."""
        rng = self.rng
        cargo = rng.choice(CARGO)
        if cargo == "appliances":
            fridges, washers = rng.randint(1, 3), rng.randint(1, 2)
            fridge_price, washer_price = self._price(2899, 3599, 100), self._price(1899, 2499, 100)
            lines = [
                {
                    "treatment": "compensate",
                    "name": "双门冰箱（整箱新品）",
                    "unit": "台",
                    "quantity": str(fridges),
                    "unit_price": fridge_price,
                    "months_used": "0",
                    "useful_life_years": years("refrigerator"),
                    "salvage_value": f"{fridges * 300}.00",
                },
                {
                    "treatment": "compensate",
                    "name": "滚筒洗衣机（整箱新品）",
                    "unit": "台",
                    "quantity": str(washers),
                    "unit_price": washer_price,
                    "months_used": "0",
                    "useful_life_years": years("washing_machine"),
                    "salvage_value": f"{washers * 200}.00",
                },
            ]
        elif cargo == "drinks":
            lines = [
                {
                    "treatment": "compensate",
                    "name": "瓶装饮料",
                    "specification": "500ml×24瓶/箱",
                    "unit": "箱",
                    "quantity": str(rng.randint(20, 60)),
                    "unit_price": self._price(36, 58, 1),
                    "months_used": "0",
                    "useful_life_years": "1",
                }
            ]
        else:
            lines = [
                {
                    "treatment": "compensate",
                    "name": "抛釉瓷砖",
                    "specification": "800×800mm 3片/箱",
                    "unit": "箱",
                    "quantity": str(rng.randint(20, 60)),
                    "unit_price": self._price(95, 140, 5),
                    "months_used": "0",
                    "useful_life_years": years("building"),
                }
            ]
        lines += [
            {
                "treatment": "labour",
                "name": "货物搬运及分拣人工",
                "unit": "工日",
                "quantity": str(rng.randint(1, 2)),
                "unit_price": self._price(300, 400),
            },
            {
                "treatment": "clean_up",
                "name": "散落货物清理",
                "unit": "项",
                "quantity": "1",
                "unit_price": self._price(200, 400, 50),
            },
        ]
        return lines

    @staticmethod
    def _property_description(kind: str, lines: list[dict], plan) -> str:
        damaged = "、".join(
            f"{line['name']}{line['quantity']}{line['unit']}"
            for line in lines
            if line["treatment"] in ("replace", "compensate", "repair")
        )
        if kind == "guardrail":
            return f"路侧波形护栏被撞变形，{damaged}受损，现场已摆放锥桶警示。"
        if kind == "greenery":
            return f"车辆冲入中央绿化带，{damaged}受损，有明显碾压痕迹。"
        if kind == "shopfront":
            return f"车辆冲上人行道撞击店铺门面，{damaged}受损，店内无人受伤。"
        truck = plan.vehicles[1].plate
        return f"三者车 {truck} 尾部被撞，车厢门变形，所载货物散落，{damaged}受损。"


def agreement_scan(rng: random.Random, plan, amount: Decimal, signed: date) -> SimpleUploadedFile:
    """A scanned-looking page of the signed settlement (物损赔偿协议书)."""
    prop = plan.property_plan
    image = Image.new("RGB", (420, 560), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((15, 15, 405, 545), outline=(120, 120, 120), width=2)
    draw.text((95, 35), "物损赔偿协议书", font=_font(28), fill=(20, 20, 20))
    rows = (
        f"甲方（物主）：{prop.owner_name[:14]}",
        f"乙方（被保险车辆）：{plan.vehicles[0].plate}",
        f"损失地点：{prop.location[:14]}",
        f"协商赔偿金额：人民币 {amount:,.2f} 元",
        "双方确认以上金额为本次事故",
        "物损的全部赔偿，此后再无争议。",
        f"签订日期：{signed:%Y年%m月%d日}",
    )
    for i, row in enumerate(rows):
        draw.text((35, 100 + 38 * i), row, font=_font(16), fill=(40, 40, 40))
    draw.text((35, 400), "甲方（签章）：", font=_font(16), fill=(40, 40, 40))
    draw.text((230, 400), "乙方（签字）：", font=_font(16), fill=(40, 40, 40))
    if prop.owner_type == OwnerType.ORGANISATION:
        draw.ellipse((40, 430, 140, 530), outline=(200, 30, 30), width=3)
    for x in (60 + rng.randint(0, 30), 250 + rng.randint(0, 30)):
        draw.line((x, 480, x + 70, 470 + rng.randint(-8, 8)), fill=(30, 30, 90), width=2)
    buffer = BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return SimpleUploadedFile(
        "物损赔偿协议书扫描件.jpg", buffer.getvalue(), content_type="image/jpeg"
    )
