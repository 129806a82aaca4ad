"""Vehicles in the demo: the makes and models on the road (with real WMIs, so the VINs pass
the check digit and the parts catalogue identifies them), the parts a collision in each zone
damages, the accident scenarios (what the report and the survey say, how many third-party
vehicles, whether property or a pedestrian is hit), and `Vehicle`, one car of a case.
`VehicleDemo` is a part of DemoBuilder: it draws plates, VINs and vehicles and the
assessment lines (定损项目) of each vehicle's sheet."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from lossdesk.claims.choices import AccidentType, Liability
from lossdesk.motor import rules as motor_rules
from lossdesk.rules.vin import check_digit


@dataclass(frozen=True)
class Model:
    brand: str
    name: str  # series and trim, e.g. "朗逸 1.5L 自动舒适版"
    wmi: str  # a real Chinese WMI of the maker
    vds: str  # VIN positions 4-8; 4-6 as the demo catalogue's VIN rule for the series
    plant: str  # VIN position 11
    years: tuple[int, int]
    tier: Decimal  # price level of parts and labour
    energy: str = ""  # new-energy plate letter: D pure electric, F plug-in hybrid
    oe: str = ""  # OE number prefix


MODELS = (
    Model(
        "大众", "朗逸 1.5L 自动舒适版", "LSV", "AU2C1", "2", (2017, 2024), Decimal("1.0"), oe="18D"
    ),
    Model(
        "大众", "帕萨特 330TSI 精英版", "LSV", "AN4C3", "2", (2018, 2024), Decimal("1.5"), oe="3GD"
    ),
    Model(
        "大众", "速腾 300TSI 超越版", "LFV", "2A2K1", "3", (2019, 2025), Decimal("1.2"), oe="5G0"
    ),
    Model(
        "大众", "迈腾 380TSI 豪华型", "LFV", "3A3G2", "3", (2018, 2024), Decimal("1.6"), oe="3G0"
    ),
    Model("丰田", "凯美瑞 2.0G 豪华版", "LVG", "B13K2", "0", (2018, 2025), Decimal("1.5"), oe="52"),
    Model("丰田", "卡罗拉 1.2T 精英版", "LFM", "A42E0", "0", (2017, 2024), Decimal("1.0"), oe="52"),
    Model(
        "本田", "雅阁 260TURBO 豪华版", "LHG", "CV568", "0", (2018, 2025), Decimal("1.5"), oe="71"
    ),
    Model(
        "本田", "思域 240TURBO 劲擎版", "LVH", "FE5G5", "0", (2019, 2025), Decimal("1.1"), oe="71"
    ),
    Model(
        "日产", "轩逸 1.6L CVT 悦享版", "LGB", "H21E0", "0", (2017, 2025), Decimal("1.0"), oe="62"
    ),
    Model("别克", "英朗 1.5L 精英型", "LSG", "BL12H", "1", (2017, 2023), Decimal("1.0"), oe="26"),
    Model(
        "宝马",
        "5系 530Li 领先型 M运动套装",
        "LBV",
        "5Y3G0",
        "N",
        (2018, 2025),
        Decimal("3.0"),
        oe="51",
    ),
    Model("奔驰", "C级 C260L 运动版", "LE4", "ZF8JB", "N", (2019, 2025), Decimal("3.0"), oe="A206"),
    Model(
        "比亚迪",
        "秦PLUS DM-i 冠军版 55KM",
        "LGX",
        "CE4C9",
        "3",
        (2021, 2025),
        Decimal("1.0"),
        energy="F",
        oe="BYD",
    ),
    Model(
        "比亚迪",
        "汉 EV 创世版 715KM",
        "LGX",
        "FHEC3",
        "3",
        (2021, 2025),
        Decimal("1.8"),
        energy="D",
        oe="BYD",
    ),
    Model(
        "特斯拉",
        "Model 3 后轮驱动版",
        "LRW",
        "3E7EK",
        "C",
        (2021, 2025),
        Decimal("2.0"),
        energy="D",
        oe="1",
    ),
    Model(
        "特斯拉",
        "Model Y 长续航全轮驱动版",
        "LRW",
        "YGEFA",
        "C",
        (2021, 2025),
        Decimal("2.2"),
        energy="D",
        oe="1",
    ),
    Model(
        "吉利", "帝豪 1.5L CVT 豪华型", "L6T", "7824Z", "0", (2018, 2025), Decimal("0.8"), oe="60"
    ),
    Model("哈弗", "H6 1.5T 两驱Max", "LGW", "EF5A5", "0", (2018, 2025), Decimal("0.9"), oe="28"),
    Model(
        "奇瑞", "瑞虎8 鲲鹏版 1.6TGDI", "LVV", "DB21B", "0", (2019, 2025), Decimal("0.9"), oe="J"
    ),
)
MODEL_WEIGHTS = (9, 5, 6, 4, 7, 7, 6, 5, 8, 5, 3, 3, 6, 3, 5, 5, 5, 5, 4)
_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"  # VIN position 10; index 0 = 1980, 2010, …
_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class Part:
    name: str
    price: int  # yuan, for a tier-1.0 car
    paint: str = ""  # panel painted when this part is replaced or repaired
    metal: bool = False  # worth a salvage value when replaced


ZONE_PARTS = {
    "front": (
        Part("前保险杠皮", 900, "前保险杠"),
        Part("前保险杠骨架", 380, metal=True),
        Part("左前大灯总成", 1500),
        Part("右前大灯总成", 1500),
        Part("中网", 520),
        Part("引擎盖", 1600, "引擎盖", True),
        Part("左前翼子板", 680, "左前翼子板", True),
        Part("右前翼子板", 680, "右前翼子板", True),
        Part("水箱框架", 850, metal=True),
        Part("冷凝器", 950, metal=True),
        Part("前雾灯", 260),
        Part("前牌照板", 60),
    ),
    "rear": (
        Part("后保险杠皮", 850, "后保险杠"),
        Part("后保险杠骨架", 360, metal=True),
        Part("左尾灯总成", 780),
        Part("右尾灯总成", 780),
        Part("行李箱盖", 1500, "行李箱盖", True),
        Part("后围板", 900, "后围板", True),
        Part("倒车雷达探头", 220),
    ),
    "side": (
        Part("左前门壳", 1400, "左前门", True),
        Part("右前门壳", 1400, "右前门", True),
        Part("左后门壳", 1300, "左后门", True),
        Part("右后门壳", 1300, "右后门", True),
        Part("左后视镜总成", 900),
        Part("右后视镜总成", 900),
        Part("左侧裙边", 420, "左侧裙边"),
        Part("铝合金轮毂", 1300, metal=True),
        Part("轮胎", 650),
    ),
    "flood": (
        Part("发动机电脑板", 3800),
        Part("地毯总成", 1200),
        Part("座椅线束", 900),
        Part("起动机", 1100, metal=True),
    ),
}
# Extra parts for a heavy front impact (airbags fired, structure bent).
HEAVY_PARTS = (
    Part("安全气囊（主驾）", 3200),
    Part("安全气囊（副驾）", 2800),
    Part("安全气囊电脑", 2400),
    Part("前纵梁", 1800, metal=True),
    Part("仪表台", 4200),
    Part("发动机支架", 650, metal=True),
)
ZONE_REPAIRS = {
    "front": ("左前翼子板钣金修复", "右前翼子板钣金修复", "引擎盖钣金修复", "前纵梁校正"),
    "rear": ("行李箱盖钣金修复", "后围板钣金修复", "左后叶子板钣金修复", "右后叶子板钣金修复"),
    "side": ("左后叶子板钣金修复", "右后叶子板钣金修复", "左前门钣金修复", "B柱外板校正"),
    "flood": ("发动机拆检清洗", "变速箱油更换", "座椅拆洗", "全车线束检查"),
}
ZONE_WORDS = {"front": "前部", "rear": "后部", "side": "侧面", "flood": "发动机舱及车内"}


@dataclass(frozen=True)
class Scenario:
    accident_type: str
    third_parties: tuple[int, ...]  # choices for the number of third-party vehicles
    zone: str
    tp_zone: str
    liabilities: tuple[str, ...]
    weight: int
    report: str
    survey: str
    parking: bool = False
    property_loss: float = 0.0  # chance of a third-party property loss
    property_kind: str = ""  # what property it damages (demo.property)
    pedestrian: bool = False  # a pedestrian is hurt (demo.injury)


SCENARIOS = (
    Scenario(
        AccidentType.VEHICLE_COLLISION,
        (1, 1, 1, 2),
        "front",
        "rear",
        (Liability.FULL,),
        26,
        "本车行驶至{place}时未保持安全车距，追尾前方{tp}，两车不同程度受损，无人员受伤。",
        "现场两车未移动，本车前部与三者车尾部碰撞痕迹吻合，本车{damage}。交警简易程序认定本车全责。",
    ),
    Scenario(
        AccidentType.VEHICLE_COLLISION,
        (1,),
        "rear",
        "front",
        (Liability.NONE,),
        10,
        "本车在{place}等候信号灯时被后方{tp}追尾，本车尾部受损。",
        "本车停车等候时被追尾，后部{damage}，三者车前部受损。三者车负全部责任。",
    ),
    Scenario(
        AccidentType.SCRAPE,
        (1,),
        "side",
        "side",
        (Liability.MAJOR, Liability.EQUAL, Liability.MINOR),
        15,
        "本车在{place}变更车道时与{tp}发生刮擦，两车侧面受损。",
        "两车侧面有连续刮擦痕迹，本车{damage}。双方按{liability}协商处理。",
    ),
    Scenario(
        AccidentType.VEHICLE_COLLISION,
        (1, 1, 2),
        "front",
        "side",
        (Liability.FULL, Liability.MAJOR, Liability.EQUAL, Liability.MINOR),
        14,
        "本车在{place}左转时与直行的{tp}相撞，本车车头受损。",
        "路口碰撞，本车前部{damage}。交警认定本车{liability}。",
    ),
    Scenario(
        AccidentType.HIT_OBJECT,
        (0,),
        "front",
        "",
        (Liability.FULL,),
        10,
        "本车在{place}为避让横穿马路的电动车，操作不当撞上路边护栏，车头受损。",
        "单方事故，本车前部{damage}，路边护栏变形约 3 米。",
        property_loss=0.7,
        property_kind="guardrail",
    ),
    Scenario(
        AccidentType.HIT_OBJECT,
        (0,),
        "side",
        "",
        (Liability.FULL,),
        10,
        "本车在{place}倒车入位时剐蹭立柱，车身侧面受损。",
        "停车场单方事故，立柱有新鲜擦痕，本车{damage}。",
        parking=True,
    ),
    Scenario(
        AccidentType.SINGLE_VEHICLE,
        (0,),
        "front",
        "",
        (Liability.FULL,),
        5,
        "本车雨天行驶至{place}时车辆失控冲出路面，撞上绿化带，车头受损。",
        "单方事故，本车前部{damage}，绿化带有碾压痕迹，无人员受伤。",
        property_loss=0.3,
        property_kind="greenery",
    ),
    Scenario(
        AccidentType.FLOOD,
        (0,),
        "flood",
        "",
        (Liability.FULL,),
        4,
        "暴雨期间本车停放于{place}，车库进水，车辆被淹至座椅高度。",
        "水淹车，水位约至座椅面，车辆未二次打火，{damage}。",
        parking=True,
    ),
    # Weight 0: only the property showcases (demo.property) have these accidents.
    Scenario(
        AccidentType.HIT_OBJECT,
        (0,),
        "front",
        "",
        (Liability.FULL,),
        0,
        "本车在{place}避让行人时操作不当，冲上人行道撞上路边店铺门面，车头受损。",
        "单方事故，本车前部{damage}，店铺玻璃门及门框损坏，无人员受伤。",
        property_loss=1.0,
        property_kind="shopfront",
    ),
    Scenario(
        AccidentType.VEHICLE_COLLISION,
        (1,),
        "front",
        "rear",
        (Liability.FULL,),
        0,
        "本车行驶至{place}时未保持安全车距，追尾前方{tp}厢式货车，货车所载货物散落受损。",
        "现场两车未移动，本车前部与货车尾部碰撞痕迹吻合，本车{damage}，货车车厢门变形。"
        "交警简易程序认定本车全责。",
        property_loss=1.0,
        property_kind="goods",
    ),
    # Weight 0: only the injury showcases (demo.injury) have this accident.
    Scenario(
        AccidentType.OTHER,
        (0,),
        "front",
        "",
        (Liability.FULL, Liability.MAJOR),
        0,
        "本车行驶至{place}时未注意避让横过马路的行人，将其撞倒，伤者已由 120 送医。",
        "现场有制动痕迹，本车前部{damage}，行人被撞倒后送医救治。交警认定本车{liability}。",
        pedestrian=True,
    ),
)


@dataclass
class Vehicle:
    plate: str
    model: Model
    year: int
    vin: str
    zone: str
    lines: list[dict] = field(default_factory=list)


class VehicleDemo:
    def _plate(self, prefix: str, energy: str = "") -> str:
        rng = self.rng
        while True:
            if energy:  # 小型新能源号牌: 浙AD12345
                tail = energy + rng.choice(_PLATE_LETTERS[:8] + "0123456789")
                tail += f"{rng.randint(0, 9999):04d}"
            else:
                chars = [rng.choice("0123456789") for _ in range(5)]
                for i in rng.sample(range(5), rng.choice((0, 1, 1, 1, 2))):
                    chars[i] = rng.choice(_PLATE_LETTERS.replace("Q", ""))
                tail = "".join(chars)
            plate = prefix + tail
            if plate not in self.used_plates:
                self.used_plates.add(plate)
                return plate

    def _vin(self, model: Model, year: int) -> str:
        code = _YEAR_CODES[(year - 1980) % 30]
        serial = f"{self.rng.randint(0, 999999):06d}"
        vds = model.vds[:4] + self.rng.choice(_VIN_CHARS)
        draft = f"{model.wmi}{vds}0{code}{model.plant}{serial}"
        return draft[:8] + check_digit(draft) + draft[9:]

    def _vehicle(self, plate_prefix: str, zone: str) -> Vehicle:
        model = self.rng.choices(MODELS, MODEL_WEIGHTS)[0]
        year = self.rng.randint(*model.years)
        return Vehicle(
            plate=self._plate(plate_prefix, model.energy),
            model=model,
            year=year,
            vin=self._vin(model, year),
            zone=zone,
        )

    def _money(self, yuan: float) -> Decimal:
        return Decimal(max(10, round(yuan / 10) * 10)).quantize(Decimal("0.01"))

    def _lines(self, vehicle: Vehicle, *, heavy: bool = False, minimum: Decimal = Decimal(0)):
        """Assessment lines for one vehicle: replaced parts (some with salvage), panel
        beating, paint, labour, materials and now and then a sublet job."""
        rng, tier, zone = self.rng, float(vehicle.model.tier), vehicle.zone
        parts = list(ZONE_PARTS[zone])
        replaced = rng.sample(parts, min(len(parts), rng.choice((1, 2, 2, 3, 3, 4))))
        if heavy:
            replaced += rng.sample(HEAVY_PARTS, rng.randint(2, 4))
        lines: list[dict] = []
        panels: list[str] = []
        for part in replaced:
            price = self._money(part.price * tier * rng.uniform(0.85, 1.2))
            line = {"kind": "replace", "name": part.name, "quantity": "1", "unit_price": str(price)}
            if rng.random() < 0.7:
                line["part_no"] = f"{vehicle.model.oe}{rng.randint(100000, 999999)}"
            if part.metal and rng.random() < 0.8:
                line["salvage_value"] = str(Decimal(round(float(price) * rng.uniform(0.03, 0.08))))
            lines.append(line)
            if part.paint:
                panels.append(part.paint)
        for name in rng.sample(ZONE_REPAIRS[zone], rng.choice((0, 1, 1, 2))):
            price = self._money(rng.uniform(200, 700) * (tier**0.5))
            lines.append(
                {"kind": "repair", "name": name, "quantity": "1", "unit_price": str(price)}
            )
            if "钣金" in name:
                panels.append(name.replace("钣金修复", ""))
        if zone != "flood":
            for panel in dict.fromkeys(panels):
                price = self._money(rng.uniform(380, 720) * (tier**0.5))
                lines.append(
                    {
                        "kind": "paint",
                        "name": f"{panel}喷漆",
                        "quantity": "1",
                        "unit_price": str(price),
                    }
                )
        hours = Decimal(str(1 + 0.5 * rng.randint(1, 4 + 2 * heavy)))
        rate = self._money(80 * (tier**0.5) + rng.choice((0, 10, 20)))
        lines.append(
            {"kind": "labour", "name": "拆装工时", "quantity": str(hours), "unit_price": str(rate)}
        )
        materials = Decimal(rng.randint(30, 180)) + Decimal(rng.choice(("0", "0.5")))
        lines.append(
            {"kind": "materials", "name": "辅料", "quantity": "1", "unit_price": str(materials)}
        )
        if rng.random() < 0.15 and zone in ("front", "side"):
            name, price = rng.choice((("四轮定位", 198), ("空调系统抽真空加注", 260)))
            lines.append(
                {"kind": "sublet", "name": name, "quantity": "1", "unit_price": str(price)}
            )
        while self._total(lines) <= minimum:  # e.g. above the second-review threshold
            part = rng.choice(HEAVY_PARTS)
            price = self._money(part.price * tier * rng.uniform(1.0, 1.3))
            lines.insert(
                0, {"kind": "replace", "name": part.name, "quantity": "1", "unit_price": str(price)}
            )
        return lines

    @staticmethod
    def _total(lines: list[dict]) -> Decimal:
        return motor_rules.sheet_totals(
            motor_rules.Line(
                line["kind"],
                Decimal(line["quantity"]),
                Decimal(line["unit_price"]),
                Decimal(line.get("salvage_value", "0")),
            )
            for line in lines
        ).total
