"""A small, known catalogue for tests (the parts app's counterpart of lossdesk.testing.Firm):
大众 途铠 2019 in three trims (the LED headlamp fits only the top trim: 低配高选), 大众 朗逸,
特斯拉 Model 3 and 丰田 卡罗拉, with VIN rules for the real VINs in lossdesk.testing."""

from datetime import date
from decimal import Decimal

from lossdesk.parts.choices import NATIONWIDE, Category, PriceType
from lossdesk.parts.importing import recount_part_names
from lossdesk.parts.models import (
    LocalPriceOverride,
    Make,
    Part,
    PartFitment,
    PartName,
    PartPrice,
    Series,
    VehicleModel,
    VinRule,
)

PRICE_DATE = date(2026, 1, 1)


class Catalogue:
    def __init__(self) -> None:
        self.vw = Make.objects.create(name="大众", name_en="Volkswagen", wmi_codes="LSV,LFV")
        self.tesla = Make.objects.create(name="特斯拉", name_en="Tesla", wmi_codes="LRW")
        self.toyota = Make.objects.create(name="丰田", name_en="Toyota", wmi_codes="LFM,LVG")
        self.tcross = Series.objects.create(make=self.vw, name="途铠")
        self.langyi = Series.objects.create(make=self.vw, name="朗逸")
        self.model3 = Series.objects.create(make=self.tesla, name="Model 3")
        self.corolla = Series.objects.create(make=self.toyota, name="卡罗拉")
        self.tcross_base = self.model(self.tcross, "LSVUB191", 2019, "舒适版", 1, "1.5L", "139900")
        self.tcross_lux = self.model(self.tcross, "LSVUB192", 2019, "豪华版", 2, "1.5L", "155900")
        self.tcross_top = self.model(self.tcross, "LSVUB193", 2019, "尊贵版", 3, "1.4T", "169900")
        self.tcross_2021 = self.model(self.tcross, "LSVUB211", 2021, "舒适版", 1, "1.5L", "142900")
        self.langyi_base = self.model(self.langyi, "LSVAU221", 2022, "舒适版", 1, "1.5L", "119900")
        self.model3_rwd = self.model(self.model3, "LRW3E241", 2024, "后驱版", 1, "后驱", "231900")
        self.model3_lr = self.model(
            self.model3, "LRW3E242", 2024, "长续航版", 2, "双电机", "271900"
        )
        self.corolla_base = self.model(
            self.corolla, "LFMA4221", 2022, "先锋版", 1, "1.2T", "115800"
        )
        # LSVUB6C10K2053790 (2019): position 6 is the engine code, the trim is not in the VIN
        self.rule(self.tcross_base, "LSV", "UB6**", 2019, 2020)
        self.rule(self.tcross_lux, "LSV", "UB6**", 2019, 2020)
        self.rule(self.tcross_top, "LSV", "UB7**", 2019, 2020)
        self.rule(self.tcross_2021, "LSV", "UB6**", 2021, 2022)
        self.rule(self.langyi_base, "LSV", "AU2**", 2022, 2022)
        self.rule(self.model3_rwd, "LRW", "3E7**", 2024, 2024)
        self.rule(self.model3_lr, "LRW", "3E7F*", 2024, 2024, priority=1)

        self.front_bumper = self.name("前保险杠", "前杠 前保险杠皮", Category.BODY)
        self.rear_bumper = self.name("后保险杠", "后杠", Category.BODY)
        self.halogen_name = self.name("前大灯总成（卤素）", "大灯 前照灯", Category.LAMPS)
        self.led_name = self.name("LED前大灯总成", "大灯 LED大灯", Category.LAMPS)
        self.fog_name = self.name("前雾灯", "雾灯", Category.LAMPS)
        self.door_name = self.name("前门壳（左前）", "左前门 前车门", Category.BODY)
        self.wing_name = self.name("翼子板（左前）", "左前翼子板 叶子板", Category.BODY)

        self.bumper = self.part(self.vw, self.front_bumper, "2GM 807 221", 1280, 1050, 720)
        self.price(self.bumper, PriceType.DEALER_4S, "1320.00", region="浙江")
        self.price(self.bumper, PriceType.DEALER_4S, "1180.00", on=date(2025, 1, 1))
        self.fit(self.bumper, self.tcross_base, self.tcross_lux, self.tcross_top)
        self.langyi_bumper = self.part(self.vw, self.front_bumper, "18G-807-221-A", 990, 820)
        self.fit(self.langyi_bumper, self.langyi_base)
        self.rear = self.part(self.vw, self.rear_bumper, "2GM 807 421", 1150, 950, 610)
        self.fit(self.rear, self.tcross_base, self.tcross_lux, self.tcross_top)
        self.halogen = self.part(self.vw, self.halogen_name, "2GM 941 005", 1200, 980, 560)
        self.fit(self.halogen, self.tcross_base, self.tcross_lux, note="卤素大灯版")
        self.led = self.part(self.vw, self.led_name, "2GM 941 035 B", 3600, 3050)
        self.fit(self.led, self.tcross_top, note="LED大灯版")
        self.fog = self.part(self.vw, self.fog_name, "2GM 941 699", 260, 210, 120)
        self.fit(self.fog, self.tcross_base, self.tcross_lux, self.tcross_top)
        self.door = self.part(self.vw, self.door_name, "2GM 831 055", 1700, 1420)
        self.fit(self.door, self.tcross_base, self.tcross_lux, self.tcross_top)
        self.wing = self.part(self.vw, self.wing_name, "2GM 821 021", 520, 430, 260)
        self.fit(self.wing, self.tcross_base, self.tcross_lux, self.tcross_top)
        self.tesla_bumper = self.part(self.tesla, self.front_bumper, "1084167-00-E", 2600, 2200)
        self.fit(self.tesla_bumper, self.model3_rwd, self.model3_lr)
        self.no_price = self.part(self.toyota, self.rear_bumper, "52159-02A20", None, None)
        self.fit(self.no_price, self.corolla_base)
        recount_part_names()

    @staticmethod
    def model(series, code, year, trim, level, engine, price) -> VehicleModel:
        return VehicleModel.objects.create(
            series=series,
            code=code,
            name=f"{series.name} {year}款 {engine} {trim}",
            year=year,
            engine=engine,
            trim=trim,
            trim_level=level,
            body="SUV",
            new_car_price=Decimal(price),
        )

    @staticmethod
    def rule(model, wmi, pattern, year_from, year_to, priority=0) -> VinRule:
        return VinRule.objects.create(
            wmi=wmi,
            vds_pattern=pattern,
            year_from=year_from,
            year_to=year_to,
            model=model,
            priority=priority,
        )

    @staticmethod
    def name(name, aliases, category) -> PartName:
        return PartName.objects.create(name=name, aliases=aliases, category=category)

    def part(self, make, name, oe, p4s, market, brand=None) -> Part:
        part = Part.objects.create(
            make=make, standard_name=name, name=name.name, oe_number=oe, category=name.category
        )
        for price_type, value in (
            (PriceType.DEALER_4S, p4s),
            (PriceType.MARKET, market),
            (PriceType.BRAND, brand),
        ):
            if value is not None:
                self.price(part, price_type, f"{value}.00")
        return part

    @staticmethod
    def price(part, price_type, value, *, region=NATIONWIDE, on=PRICE_DATE) -> PartPrice:
        return PartPrice.objects.create(
            part=part,
            price_type=price_type,
            region=region,
            price=Decimal(value),
            effective_from=on,
            source="厂家指导价",
        )

    @staticmethod
    def fit(part, *models, note="") -> None:
        for model in models:
            PartFitment.objects.create(part=part, model=model, note=note)


def regional_bumper_prices(catalogue: Catalogue, *, hangzhou, nanjing, by) -> None:
    """The front bumper's 4S price in two provinces and two branches' own prices beside
    the catalogue's (全国 1280, 浙江 1320): 江苏 1350, 杭州's local 1300, 南京's 1390
    (decision 0032's tests: whose prices a case gets)."""
    catalogue.price(catalogue.bumper, PriceType.DEALER_4S, "1350.00", region="江苏")
    for branch, price in ((hangzhou, "1300.00"), (nanjing, "1390.00")):
        LocalPriceOverride.objects.create(
            branch=branch,
            part=catalogue.bumper,
            price_type=PriceType.DEALER_4S,
            price=Decimal(price),
            reason=f"{branch.name}协议价",
            updated_by=by,
        )
