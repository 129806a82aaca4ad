"""The demo catalogue behind `manage.py seed_parts`: real Chinese makes and WMIs, plausible
series and trims, Chinese part names with aliases and positions, OE-style numbers in each
make's style, prices whose types keep their order (4S > market > brand > remanufactured),
and fitments that make 低配高选 detectable. Deterministic for a given size and seed.

The vehicle side (makes, series, models, VIN rules, labour and paint references) is small
and goes through the ORM; parts, prices and fitments are streamed in batches straight to the
database (COPY on PostgreSQL, executemany on SQLite) with ids allocated here."""

import itertools
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.utils import timezone

from lossdesk.parts.choices import (
    NATIONWIDE,
    Category,
    PaintType,
    PriceBand,
    Trade,
)
from lossdesk.parts.importing import recount_part_names
from lossdesk.parts.models import (
    LabourReference,
    Make,
    PaintReference,
    PartName,
    Series,
    VehicleModel,
    VinRule,
)
from lossdesk.parts.text import normalize_oe

BATCH = 20_000
PRICE_DATE = date(2026, 1, 1)
OLD_PRICE_DATE = date(2025, 1, 1)
SOURCES = ("厂家指导价", "4S店报价汇总", "配件商城报价", "区域市场调研")
REGIONAL = ("浙江", "广东", "北京", "江苏", "上海", "四川")

# ------------------------------------------------------------------------ vehicle data

# make: (English name, manufacturers, WMIs, OE style)
MAKES = {
    "大众": ("Volkswagen", "上汽大众、一汽-大众", "LSV,LFV", "vw"),
    "丰田": ("Toyota", "一汽丰田、广汽丰田", "LFM,LVG,LTV", "toyota"),
    "本田": ("Honda", "广汽本田、东风本田", "LHG,LVH", "honda"),
    "日产": ("Nissan", "东风日产", "LGB", "toyota"),
    "别克": ("Buick", "上汽通用", "LSG", "gm"),
    "雪佛兰": ("Chevrolet", "上汽通用", "LSG", "gm"),
    "比亚迪": ("BYD", "比亚迪汽车", "LGX,LC0", "byd"),
    "吉利": ("Geely", "吉利汽车", "L6T,LB2,LB3", "geely"),
    "哈弗": ("Haval", "长城汽车", "LGW", "gwm"),
    "特斯拉": ("Tesla", "特斯拉（上海）", "LRW", "tesla"),
    "奇瑞": ("Chery", "奇瑞汽车", "LVV,LVM", "chery"),
    "福特": ("Ford", "长安福特", "LVS", "ford"),
    "宝马": ("BMW", "华晨宝马", "LBV", "bmw"),
    "奔驰": ("Mercedes-Benz", "北京奔驰", "LE4", "benz"),
    "现代": ("Hyundai", "北京现代", "LBE", "toyota"),
    "传祺": ("Trumpchi", "广汽传祺", "LMG", "chery"),
    "五菱": ("Wuling", "上汽通用五菱", "LZW,LK6", "gm"),
}


@dataclass(frozen=True)
class SeriesSpec:
    make: str
    name: str
    wmi: str
    code: str  # VDS positions 4–5
    body: str
    price: int  # base new-car price, yuan
    years: tuple[int, ...]
    engines: tuple[tuple[str, str, str], ...]  # (VDS position 6, engine, transmission)
    oe_prefix: str
    trims: tuple[str, str, str] = ("舒适版", "豪华版", "尊贵版")


_EV = ("标准续航版", "长续航版", "高性能版")
_T15 = (("2", "1.5L", "手自一体"), ("6", "1.4T", "DSG双离合"))
_T20 = (("3", "2.0L", "CVT"), ("8", "2.0T", "8AT"))
SERIES = [
    SeriesSpec("大众", "朗逸", "LSV", "AU", "三厢轿车", 120000, (2021, 2022, 2023), _T15, "18G"),
    SeriesSpec(
        "大众",
        "途铠",
        "LSV",
        "UB",
        "SUV",
        140000,
        (2019, 2020, 2021),
        (("6", "1.5L", "手自一体"), ("7", "1.4T", "DSG双离合")),
        "2GM",
    ),
    SeriesSpec(
        "大众",
        "帕萨特",
        "LSV",
        "AN",
        "三厢轿车",
        210000,
        (2022, 2023, 2024),
        (("4", "1.4T", "DSG双离合"), ("9", "2.0T", "DSG双离合")),
        "3GD",
    ),
    SeriesSpec(
        "大众",
        "途观L",
        "LSV",
        "UX",
        "SUV",
        250000,
        (2022, 2023, 2024),
        (("5", "1.4T", "DSG双离合"), ("9", "2.0T", "DSG双离合")),
        "5NG",
    ),
    SeriesSpec(
        "大众",
        "速腾",
        "LFV",
        "2A",
        "三厢轿车",
        150000,
        (2019, 2020, 2021),
        (("2", "1.4T", "DSG双离合"), ("5", "1.5T", "DSG双离合")),
        "5GD",
    ),
    SeriesSpec(
        "大众",
        "迈腾",
        "LFV",
        "3A",
        "三厢轿车",
        220000,
        (2022, 2023, 2024),
        (("3", "1.4T", "DSG双离合"), ("9", "2.0T", "DSG双离合")),
        "3GB",
    ),
    SeriesSpec("大众", "宝来", "LFV", "1A", "三厢轿车", 110000, (2021, 2022, 2023), _T15, "5GE"),
    SeriesSpec(
        "丰田",
        "卡罗拉",
        "LFM",
        "A4",
        "三厢轿车",
        130000,
        (2021, 2022, 2023),
        (("2", "1.2T", "CVT"), ("H", "1.8L混动", "E-CVT")),
        "12",
    ),
    SeriesSpec(
        "丰田",
        "亚洲龙",
        "LFM",
        "C1",
        "三厢轿车",
        220000,
        (2022, 2023, 2024),
        (("3", "2.0L", "CVT"), ("H", "2.5L混动", "E-CVT")),
        "33",
    ),
    SeriesSpec(
        "丰田",
        "RAV4荣放",
        "LFM",
        "F8",
        "SUV",
        200000,
        (2021, 2022, 2023),
        (("3", "2.0L", "CVT"), ("H", "2.5L混动", "E-CVT")),
        "42",
    ),
    SeriesSpec(
        "丰田",
        "凯美瑞",
        "LVG",
        "B1",
        "三厢轿车",
        200000,
        (2022, 2023, 2024),
        (("3", "2.0L", "CVT"), ("H", "2.5L混动", "E-CVT")),
        "06",
    ),
    SeriesSpec(
        "丰田",
        "汉兰达",
        "LVG",
        "D4",
        "SUV",
        300000,
        (2022, 2023, 2024),
        (("8", "2.0T", "8AT"), ("H", "2.5L混动", "E-CVT")),
        "0E",
    ),
    SeriesSpec(
        "丰田",
        "雷凌",
        "LVG",
        "A2",
        "三厢轿车",
        120000,
        (2021, 2022, 2023),
        (("2", "1.5L", "CVT"), ("H", "1.8L混动", "E-CVT")),
        "02",
    ),
    SeriesSpec(
        "本田",
        "雅阁",
        "LHG",
        "CV",
        "三厢轿车",
        200000,
        (2022, 2023, 2024),
        (("5", "1.5T", "CVT"), ("H", "2.0L混动", "E-CVT")),
        "TVA",
    ),
    SeriesSpec(
        "本田",
        "飞度",
        "LHG",
        "GK",
        "两厢轿车",
        90000,
        (2021, 2022, 2023),
        (("1", "1.5L", "CVT"), ("1", "1.5L", "CVT")),
        "T5A",
    ),
    SeriesSpec(
        "本田",
        "缤智",
        "LHG",
        "RU",
        "SUV",
        130000,
        (2021, 2022, 2023),
        (("1", "1.5L", "CVT"), ("1", "1.5L", "CVT")),
        "T7A",
    ),
    SeriesSpec(
        "本田",
        "思域",
        "LVH",
        "FE",
        "三厢轿车",
        140000,
        (2022, 2023, 2024),
        (("5", "1.5T", "CVT"), ("H", "2.0L混动", "E-CVT")),
        "T20",
    ),
    SeriesSpec(
        "本田",
        "CR-V",
        "LVH",
        "RW",
        "SUV",
        200000,
        (2021, 2022, 2023),
        (("5", "1.5T", "CVT"), ("H", "2.0L混动", "E-CVT")),
        "TLA",
    ),
    SeriesSpec(
        "日产",
        "轩逸",
        "LGB",
        "H2",
        "三厢轿车",
        110000,
        (2021, 2022, 2023),
        (("1", "1.6L", "CVT"), ("E", "1.2L e-POWER", "单速")),
        "3RA",
    ),
    SeriesSpec(
        "日产",
        "天籁",
        "LGB",
        "L3",
        "三厢轿车",
        190000,
        (2021, 2022, 2023),
        (("2", "2.0L", "CVT"), ("T", "2.0T", "CVT")),
        "6CA",
    ),
    SeriesSpec(
        "日产",
        "奇骏",
        "LGB",
        "T3",
        "SUV",
        190000,
        (2021, 2022, 2023),
        (("2", "2.0L", "CVT"), ("E", "1.5T e-POWER", "单速")),
        "6RR",
    ),
    SeriesSpec(
        "别克",
        "英朗",
        "LSG",
        "BL",
        "三厢轿车",
        110000,
        (2021, 2022, 2023),
        (("1", "1.5L", "CVT"), ("1", "1.5L", "CVT")),
        "39",
    ),
    SeriesSpec(
        "别克",
        "君威",
        "LSG",
        "ZS",
        "三厢轿车",
        190000,
        (2021, 2022, 2023),
        (("5", "1.5T", "7DCT"), ("8", "2.0T", "9AT")),
        "84",
    ),
    SeriesSpec(
        "别克",
        "昂科威",
        "LSG",
        "XH",
        "SUV",
        230000,
        (2021, 2022, 2023),
        (("5", "1.5T", "9AT"), ("8", "2.0T", "9AT")),
        "23",
    ),
    SeriesSpec(
        "雪佛兰",
        "科沃兹",
        "LSG",
        "KB",
        "三厢轿车",
        80000,
        (2018, 2019, 2020),
        (("5", "1.5L", "6AT"), ("5", "1.5L", "6AT")),
        "26",
    ),
    SeriesSpec(
        "雪佛兰",
        "迈锐宝XL",
        "LSG",
        "ZC",
        "三厢轿车",
        180000,
        (2021, 2022, 2023),
        (("5", "1.5T", "CVT"), ("8", "2.0T", "9AT")),
        "85",
    ),
    SeriesSpec(
        "比亚迪",
        "秦PLUS",
        "LGX",
        "CE",
        "三厢轿车",
        110000,
        (2022, 2023, 2024),
        (("4", "1.5L DM-i", "E-CVT"), ("E", "纯电", "单速")),
        "SC",
    ),
    SeriesSpec(
        "比亚迪",
        "汉",
        "LGX",
        "FH",
        "三厢轿车",
        220000,
        (2022, 2023, 2024),
        (("E", "纯电", "单速"), ("4", "1.5T DM-i", "E-CVT")),
        "EH",
    ),
    SeriesSpec(
        "比亚迪",
        "宋PLUS",
        "LGX",
        "DS",
        "SUV",
        160000,
        (2022, 2023, 2024),
        (("4", "1.5L DM-i", "E-CVT"), ("E", "纯电", "单速")),
        "SA",
    ),
    SeriesSpec(
        "比亚迪",
        "海豚",
        "LGX",
        "EA",
        "两厢轿车",
        110000,
        (2022, 2023, 2024),
        (("E", "纯电", "单速"), ("E", "纯电", "单速")),
        "EA",
    ),
    SeriesSpec(
        "吉利",
        "帝豪",
        "L6T",
        "78",
        "三厢轿车",
        80000,
        (2021, 2022, 2023),
        (("2", "1.5L", "CVT"), ("2", "1.5L", "CVT")),
        "10",
    ),
    SeriesSpec(
        "吉利",
        "星越L",
        "L6T",
        "79",
        "SUV",
        170000,
        (2022, 2023, 2024),
        (("4", "1.5T", "7DCT"), ("8", "2.0T", "8AT")),
        "66",
    ),
    SeriesSpec(
        "吉利",
        "博越",
        "L6T",
        "76",
        "SUV",
        120000,
        (2021, 2022, 2023),
        (("4", "1.5T", "7DCT"), ("8", "2.0T", "7DCT")),
        "60",
    ),
    SeriesSpec(
        "哈弗",
        "哈弗H6",
        "LGW",
        "EF",
        "SUV",
        120000,
        (2021, 2022, 2023),
        (("5", "1.5T", "7DCT"), ("8", "2.0T", "7DCT")),
        "2803",
    ),
    SeriesSpec(
        "哈弗",
        "哈弗大狗",
        "LGW",
        "FF",
        "SUV",
        140000,
        (2021, 2022, 2023),
        (("5", "1.5T", "7DCT"), ("8", "2.0T", "7DCT")),
        "2804",
    ),
    SeriesSpec(
        "特斯拉",
        "Model 3",
        "LRW",
        "3E",
        "三厢轿车",
        250000,
        (2022, 2023, 2024),
        (("7", "后驱", "单速"), ("7", "双电机四驱", "单速")),
        "1",
        _EV,
    ),
    SeriesSpec(
        "特斯拉",
        "Model Y",
        "LRW",
        "YG",
        "SUV",
        270000,
        (2022, 2023, 2024),
        (("C", "后驱", "单速"), ("C", "双电机四驱", "单速")),
        "2",
        _EV,
    ),
    SeriesSpec(
        "奇瑞",
        "瑞虎8",
        "LVV",
        "DB",
        "SUV",
        120000,
        (2021, 2022, 2023),
        (("1", "1.6T", "7DCT"), ("2", "2.0T", "7DCT")),
        "T1D",
    ),
    SeriesSpec(
        "奇瑞",
        "艾瑞泽8",
        "LVV",
        "DC",
        "三厢轿车",
        110000,
        (2022, 2023, 2024),
        (("1", "1.6T", "7DCT"), ("2", "2.0T", "7DCT")),
        "M1D",
    ),
    SeriesSpec(
        "福特",
        "福克斯",
        "LVS",
        "HZ",
        "两厢轿车",
        120000,
        (2020, 2021, 2022),
        (("F", "1.5L", "6AT"), ("F", "1.5T", "6AT")),
        "JX7B",
    ),
    SeriesSpec(
        "福特",
        "锐际",
        "LVS",
        "HK",
        "SUV",
        180000,
        (2021, 2022, 2023),
        (("F", "1.5T", "8AT"), ("D", "2.0T", "8AT")),
        "LV4B",
    ),
    SeriesSpec(
        "宝马",
        "3系",
        "LBV",
        "8Y",
        "三厢轿车",
        320000,
        (2021, 2022, 2023),
        (("3", "2.0T 低功率", "8AT"), ("5", "2.0T 高功率", "8AT")),
        "7",
    ),
    SeriesSpec(
        "宝马",
        "5系",
        "LBV",
        "5Y",
        "三厢轿车",
        450000,
        (2021, 2022, 2023),
        (("3", "2.0T", "8AT"), ("7", "3.0T", "8AT")),
        "8",
    ),
    SeriesSpec(
        "宝马",
        "X3",
        "LBV",
        "TX",
        "SUV",
        400000,
        (2021, 2022, 2023),
        (("3", "2.0T", "8AT"), ("5", "2.0T 高功率", "8AT")),
        "9",
    ),
    SeriesSpec(
        "奔驰",
        "C级",
        "LE4",
        "ZF",
        "三厢轿车",
        340000,
        (2022, 2023, 2024),
        (("4", "1.5T", "9AT"), ("8", "2.0T", "9AT")),
        "206",
    ),
    SeriesSpec(
        "奔驰",
        "E级",
        "LE4",
        "ZJ",
        "三厢轿车",
        450000,
        (2021, 2022, 2023),
        (("8", "2.0T", "9AT"), ("8", "2.0T", "9AT")),
        "213",
    ),
    SeriesSpec(
        "奔驰",
        "GLC",
        "LE4",
        "GF",
        "SUV",
        430000,
        (2021, 2022, 2023),
        (("8", "2.0T", "9AT"), ("8", "2.0T", "9AT")),
        "253",
    ),
    SeriesSpec(
        "现代",
        "伊兰特",
        "LBE",
        "LN",
        "三厢轿车",
        100000,
        (2021, 2022, 2023),
        (("1", "1.5L", "IVT"), ("1", "1.5L", "IVT")),
        "AA",
    ),
    SeriesSpec(
        "现代",
        "途胜L",
        "LBE",
        "TN",
        "SUV",
        170000,
        (2021, 2022, 2023),
        (("5", "1.5T", "7DCT"), ("8", "2.0T", "8AT")),
        "N9",
    ),
    SeriesSpec(
        "传祺",
        "GS4",
        "LMG",
        "AB",
        "SUV",
        110000,
        (2021, 2022, 2023),
        (("2", "1.5T", "7DCT"), ("2", "1.5T", "7DCT")),
        "A20",
    ),
    SeriesSpec(
        "传祺",
        "M8",
        "LMG",
        "MA",
        "MPV",
        250000,
        (2022, 2023, 2024),
        (("8", "2.0T", "8AT"), ("H", "2.0L混动", "E-CVT")),
        "A80",
    ),
    SeriesSpec(
        "五菱",
        "宏光MINIEV",
        "LZW",
        "AD",
        "两厢轿车",
        40000,
        (2021, 2022, 2023),
        (("E", "纯电", "单速"), ("E", "纯电", "单速")),
        "24",
    ),
    SeriesSpec(
        "五菱",
        "五菱宏光",
        "LZW",
        "CA",
        "MPV",
        50000,
        (2021, 2022, 2023),
        (("3", "1.5L", "5MT"), ("3", "1.5L", "5MT")),
        "23",
    ),
]
TRIM_FACTORS = (Decimal("1.00"), Decimal("1.12"), Decimal("1.28"))

# ---------------------------------------------------------------------- part vocabulary

# (name, aliases, category, base 4S price for a 15万 car, positions, configuration)
# positions: "" none, "lr" 左/右, "f" 左前/右前, "r" 左后/右后, "4" all four, "fr" 前/后
# configuration: "" every trim, "high" trims 2–3 only, "top" trim 3 only, "base" trims 1–2
B, L, G, M, E, IN, C, K, OT = (
    Category.BODY,
    Category.LAMPS,
    Category.GLASS,
    Category.MECHANICAL,
    Category.ELECTRICAL,
    Category.INTERIOR,
    Category.CHASSIS,
    Category.COOLING,
    Category.OTHER,
)
VOCABULARY = [
    ("前保险杠", "前杠 前保险杠皮 前杠皮", B, 1100, "", ""),
    ("前保险杠（带雷达孔）", "前杠 前保险杠皮", B, 1250, "", "high"),
    ("后保险杠", "后杠 后保险杠皮 后杠皮", B, 1000, "", ""),
    ("后保险杠（带雷达孔）", "后杠 后保险杠皮", B, 1150, "", ""),
    ("前保险杠骨架", "前杠骨架 前保险杠内衬", B, 320, "", ""),
    ("前防撞梁", "前防撞钢梁 前杠防撞梁", B, 650, "", ""),
    ("后防撞梁", "后防撞钢梁", B, 580, "", ""),
    ("前保险杠支架", "前杠支架 前杠卡扣", B, 45, "lr", ""),
    ("后保险杠支架", "后杠支架", B, 40, "lr", ""),
    ("前保险杠下格栅", "下格栅 下进气格栅", B, 180, "", ""),
    ("中网", "进气格栅 前格栅 中网总成", B, 680, "", ""),
    ("中网（电镀）", "进气格栅 前格栅", B, 960, "", "top"),
    ("发动机盖", "机盖 引擎盖 前机盖 前盖", B, 1600, "", ""),
    ("行李箱盖", "后备箱盖 后盖 尾门", B, 1500, "", ""),
    ("翼子板", "叶子板 前叶子板", B, 520, "f", ""),
    ("后翼子板", "后叶子板 后侧围", B, 1800, "r", ""),
    ("前门壳", "前车门 前门 前门总成", B, 1700, "f", ""),
    ("后门壳", "后车门 后门 后门总成", B, 1600, "r", ""),
    ("车顶", "顶盖 车顶板", B, 1900, "", ""),
    ("水箱框架", "水箱支架 前围框架 散热器框架", B, 560, "", ""),
    ("前纵梁", "纵梁 大梁", B, 900, "f", ""),
    ("A柱", "前柱", B, 1100, "lr", ""),
    ("B柱", "中柱", B, 1200, "lr", ""),
    ("侧裙", "门槛 门槛饰板 裙边", B, 380, "lr", ""),
    ("轮眉", "轮弧 轮眉饰板", B, 150, "4", ""),
    ("雾灯框", "雾灯罩 雾灯饰框", B, 90, "lr", ""),
    ("后视镜总成", "倒车镜 外后视镜 反光镜", B, 850, "lr", ""),
    ("后视镜总成（电动折叠带加热）", "倒车镜 外后视镜", B, 1350, "lr", "high"),
    ("后视镜外壳", "倒车镜壳 后视镜盖", B, 180, "lr", ""),
    ("牌照板", "车牌架 牌照架", B, 60, "fr", ""),
    ("扰流板", "尾翼 后扰流板", B, 520, "", "top"),
    ("门把手", "外拉手 车门把手", B, 120, "4", ""),
    ("前大灯总成（卤素）", "大灯 前照灯 头灯 前大灯", L, 1200, "lr", "base"),
    ("LED前大灯总成", "大灯 前照灯 头灯 LED大灯 前大灯", L, 3600, "lr", "high"),
    ("尾灯总成", "后尾灯 尾灯 后组合灯", L, 650, "lr", ""),
    ("尾灯总成（LED贯穿式）", "后尾灯 尾灯 贯穿尾灯", L, 1800, "", "top"),
    ("前雾灯", "雾灯 前雾灯总成", L, 260, "lr", ""),
    ("日间行车灯", "日行灯 LED日行灯", L, 380, "lr", "high"),
    ("侧转向灯", "转向灯 侧转灯 叶子板灯", L, 60, "lr", ""),
    ("高位刹车灯", "第三刹车灯 高位制动灯", L, 160, "", ""),
    ("倒车灯", "后倒车灯", L, 120, "lr", ""),
    ("牌照灯", "车牌灯", L, 45, "", ""),
    ("后雾灯", "后雾灯总成", L, 110, "", ""),
    ("前挡风玻璃", "前挡 前风窗玻璃 前风挡", G, 1400, "", ""),
    ("前挡风玻璃（带HUD）", "前挡 前风窗玻璃 抬头显示玻璃", G, 3200, "", "top"),
    ("后挡风玻璃", "后挡 后风窗玻璃 后风挡", G, 900, "", ""),
    ("前门玻璃", "前车窗玻璃 前门窗玻璃", G, 320, "f", ""),
    ("后门玻璃", "后车窗玻璃 后门窗玻璃", G, 300, "r", ""),
    ("三角窗玻璃", "后三角窗 角窗玻璃", G, 220, "lr", ""),
    ("全景天窗玻璃", "天窗玻璃 全景天窗", G, 2800, "", "high"),
    ("后视镜镜片", "倒车镜片 镜片", G, 95, "lr", ""),
    ("发动机支架", "机脚 发动机脚胶 发动机悬置", M, 320, "lr", ""),
    ("变速箱支架", "变速箱脚胶 变速器悬置", M, 280, "", ""),
    ("油底壳", "机油底壳", M, 450, "", ""),
    ("空气滤清器总成", "空滤 空滤总成 空气格", M, 260, "", ""),
    ("进气歧管", "进气管 进气总管", M, 900, "", ""),
    ("排气管总成", "排气管 消声器 尾喉", M, 1300, "", ""),
    ("三元催化器", "三元催化 催化器", M, 3800, "", ""),
    ("正时链条", "正时链 正时套件", M, 750, "", ""),
    ("涡轮增压器", "涡轮 增压器", M, 6200, "", "top"),
    ("变速箱总成", "变速箱 变速器总成 波箱", M, 16000, "", ""),
    ("蓄电池", "电瓶 电池", E, 650, "", ""),
    ("发电机", "发电机总成", E, 1500, "", ""),
    ("起动机", "马达 起动马达 启动机", E, 1100, "", ""),
    ("倒车雷达探头", "雷达 泊车雷达 雷达探头 倒车雷达", E, 160, "4", ""),
    ("毫米波雷达", "前雷达 ACC雷达 自适应巡航雷达", E, 4500, "", "top"),
    ("倒车影像摄像头", "后视摄像头 倒车摄像头", E, 520, "", ""),
    ("360全景摄像头", "全景摄像头 环视摄像头", E, 780, "4", "high"),
    ("喇叭", "高音喇叭 低音喇叭", E, 85, "", ""),
    ("安全气囊控制单元", "气囊电脑 气囊控制器 SRS电脑", E, 1600, "", ""),
    ("组合开关", "方向盘开关 转向灯开关", E, 560, "", ""),
    ("雨刮电机", "雨刷电机 刮水器电机", E, 380, "", ""),
    ("车身控制模块", "BCM 车身电脑", E, 1800, "", ""),
    ("中控显示屏", "中控屏 显示屏 导航屏", E, 2600, "", ""),
    ("中控显示屏（大屏）", "中控屏 显示屏 大屏", E, 4800, "", "high"),
    ("主驾驶安全气囊", "主气囊 方向盘气囊 驾驶员气囊", IN, 1900, "", ""),
    ("副驾驶安全气囊", "副气囊 乘客气囊", IN, 2100, "", ""),
    ("侧气帘", "侧气囊 头部气帘", IN, 1700, "lr", ""),
    ("仪表台", "仪表板 中控台 仪表台总成", IN, 3500, "", ""),
    ("方向盘", "方向盘总成 转向盘", IN, 1200, "", ""),
    ("方向盘（真皮多功能）", "方向盘 真皮方向盘", IN, 2200, "", "high"),
    ("安全带", "安全带总成 前安全带", IN, 420, "f", ""),
    ("门内饰板", "门板 车门内饰板 内门板", IN, 650, "4", ""),
    ("顶棚", "车顶内饰 顶篷", IN, 1100, "", ""),
    ("座椅总成", "座椅 前座椅", IN, 3800, "f", ""),
    ("前减震器", "减震器 前避震 避震器", C, 680, "f", ""),
    ("后减震器", "减震器 后避震", C, 520, "r", ""),
    ("下摆臂", "摆臂 控制臂 下控制臂", C, 460, "f", ""),
    ("转向节", "羊角 转向羊角", C, 720, "f", ""),
    ("半轴", "传动轴 驱动轴", C, 980, "f", ""),
    ("铝合金轮毂", "轮毂 钢圈 轮辋 铝圈", C, 1300, "", ""),
    ("铝合金轮毂（18寸）", "轮毂 钢圈 轮辋 18寸轮毂", C, 1900, "", "top"),
    ("轮胎", "外胎 车胎", C, 750, "", ""),
    ("副车架", "元宝梁 前副车架", C, 2400, "", ""),
    ("转向机", "方向机 转向器 转向机总成", C, 3600, "", ""),
    ("刹车盘", "制动盘 碟盘", C, 420, "fr", ""),
    ("刹车片", "制动片 刹车皮", C, 320, "fr", ""),
    ("稳定杆", "平衡杆 防倾杆", C, 380, "fr", ""),
    ("散热器", "水箱 散热器总成", K, 900, "", ""),
    ("冷凝器", "空调散热器 冷凝器总成", K, 800, "", ""),
    ("电子扇", "散热风扇 风扇总成 电子扇总成", K, 1100, "", ""),
    ("中冷器", "增压中冷器", K, 1200, "", ""),
    ("膨胀水壶", "副水壶 冷却液壶", K, 160, "", ""),
    ("空调压缩机", "压缩机 冷气泵", K, 3200, "", ""),
    ("水泵", "水泵总成 电子水泵", K, 680, "", ""),
    ("前标", "车标 前车标 标志", OT, 180, "", ""),
    ("后标", "后车标 尾标", OT, 150, "", ""),
    ("拖车钩盖", "拖车盖 拖钩盖板", OT, 40, "fr", ""),
]
POSITIONS = {
    "": ("",),
    "lr": ("左", "右"),
    "f": ("左前", "右前"),
    "r": ("左后", "右后"),
    "4": ("左前", "右前", "左后", "右后"),
    "fr": ("前", "后"),
}
REMANUFACTURABLE = {"发电机", "起动机", "转向机", "空调压缩机", "变速箱总成", "涡轮增压器"}
CONFIG_NOTES = {
    "high": "中高配（豪华版及以上）",
    "top": "顶配（尊贵版/高性能版）",
    "base": "低中配（卤素大灯版）",
}
GROUP_CODES = {
    Category.BODY: ("807", "52119", "71", "2803", "51"),
    Category.LAMPS: ("941", "81150", "33", "4121", "63"),
    Category.GLASS: ("845", "56101", "73", "5206", "54"),
    Category.MECHANICAL: ("103", "11610", "11", "1001", "11"),
    Category.ELECTRICAL: ("919", "89341", "39", "3603", "61"),
    Category.INTERIOR: ("857", "73300", "77", "5305", "52"),
    Category.CHASSIS: ("407", "48510", "51", "2904", "31"),
    Category.COOLING: ("121", "16400", "19", "1301", "17"),
    Category.OTHER: ("853", "75310", "75", "3921", "72"),
}
_B36 = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"


def _b(n: int, width: int) -> str:
    out = ""
    for _ in range(width):
        n, r = divmod(n, len(_B36))
        out = _B36[r] + out
    return out


def oe_number(style: str, prefix: str, category: str, k: int) -> str:
    """An OE-style number in the make's style, unique for (prefix, category, k)."""
    g = GROUP_CODES[category]
    if style == "vw":  # 5G0 807 221 A
        suffix = f" {_b(k // 1000, 2).lstrip('0')}" if k >= 1000 else ""
        return f"{prefix} {g[0]} {k % 1000:03d}{suffix}"
    if style == "toyota":  # 52119-02A20
        return f"{g[1]}-{prefix}{_b(k, 3)}"
    if style == "honda":  # 71101-TVA-A00
        return f"{g[2]}{k % 1000:03d}-{prefix}-{_b(k // 1000, 3)}"
    if style == "gm":  # 84321567
        return f"{prefix}{g[2]}{k:05d}"
    if style == "byd":  # SC-2803100-01
        return f"{prefix}-{g[3]}{k // 100:03d}-{k % 100:02d}"
    if style == "geely":  # 6600012345
        return f"{prefix}{g[3]}{k:05d}"
    if style == "gwm":  # 2803101XKZ16A
        return f"{g[3]}{k % 1000:03d}X{prefix[-2:]}{_b(k // 1000, 3)}"
    if style == "tesla":  # 1084167-00-E
        return f"{prefix}{g[4]}{k:05d}-00-{_b(k % 7 + 10, 1)}"
    if style == "bmw":  # 51 11 7 454 913
        return f"{g[4]} {k % 100:02d} {prefix} {k // 100 % 1000:03d} {k // 100000:03d}"
    if style == "benz":  # A 206 885 01 00
        return f"A {prefix} {g[0]} {k % 100:02d} {k // 100:02d}"
    if style == "ford":  # JX7B-17757-AA
        return f"{prefix}-{g[1]}-{_b(k, 3)}"
    return f"{prefix}-{g[3]}{k:05d}"  # chery, gac: T1D-2803100123


@dataclass
class NameSpec:
    name: str
    aliases: list[str]
    category: str
    base: int
    config: str
    root: str


def name_specs() -> list[NameSpec]:
    specs = []
    for name, aliases, category, base, positions, config in VOCABULARY:
        alias_list = aliases.split()
        for pos in POSITIONS[positions]:
            if not pos:
                specs.append(NameSpec(name, alias_list, category, base, config, name))
                continue
            root = name.split("（")[0]
            pos_aliases = [f"{pos}{root}", *(f"{pos}{a}" for a in alias_list[:2])]
            full = f"{name}（{pos}）" if "（" not in name else f"{pos}{name}"
            specs.append(NameSpec(full, pos_aliases + alias_list, category, base, config, root))
    return specs


def _yuan_int(value: float) -> int:
    step = 5 if value >= 200 else 1
    return max(1, int(value / step + 0.5) * step)


def _yuan(value: Decimal) -> Decimal:
    step = Decimal("5") if value >= 200 else Decimal("1")
    return ((value / step).quantize(Decimal("1"), ROUND_HALF_UP) * step).quantize(Decimal("0.01"))


# -------------------------------------------------------------------------- the seeder


@dataclass
class SeedResult:
    makes: int
    series: int
    models: int
    names: int
    parts: int
    prices: int
    fitments: int
    seconds: float


class Seeder:
    def __init__(self, parts: int, seed: int = 20261127, log: Callable[[str], None] = print):
        self.total = parts
        self.rng = random.Random(seed)
        self.log = log

    # --- vehicles -----------------------------------------------------------------
    def seed_vehicles(self) -> list[tuple[SeriesSpec, Series, list[VehicleModel]]]:
        makes = {}
        for name, (name_en, manufacturer, wmis, _style) in MAKES.items():
            makes[name] = Make.objects.create(
                name=name, name_en=name_en, manufacturer=manufacturer, wmi_codes=wmis
            )
        out = []
        rules = []
        for spec in SERIES:
            series = Series.objects.create(make=makes[spec.make], name=spec.name)
            models = []
            for y, year in enumerate(spec.years):
                for level, trim in enumerate(spec.trims, start=1):
                    engine_code, engine, transmission = spec.engines[1 if level == 3 else 0]
                    price = (
                        Decimal(spec.price) * TRIM_FACTORS[level - 1] * (1 + Decimal(y) / 50)
                    ).quantize(Decimal("100"))
                    model = VehicleModel.objects.create(
                        series=series,
                        code=f"{spec.wmi}{spec.code}{year % 100:02d}{level}",
                        name=f"{spec.name} {year}款 {engine} {transmission} {trim}",
                        year=year,
                        engine=engine,
                        transmission=transmission,
                        body=spec.body,
                        trim=trim,
                        trim_level=level,
                        new_car_price=price,
                    )
                    models.append(model)
                    rules.append(
                        VinRule(
                            wmi=spec.wmi,
                            vds_pattern=f"{spec.code}{engine_code}**",
                            year_from=year,
                            year_to=year,
                            model=model,
                            note=f"{spec.make}{spec.name} {engine}",
                        )
                    )
            out.append((spec, series, models))
        VinRule.objects.bulk_create(rules)
        self._references()
        return out

    def _references(self) -> None:
        factor = {
            PriceBand.UNDER_6: Decimal("0.8"),
            PriceBand.FROM_6_TO_15: Decimal("1.0"),
            PriceBand.FROM_15_TO_30: Decimal("1.2"),
            PriceBand.FROM_30_TO_60: Decimal("1.5"),
            PriceBand.OVER_60: Decimal("2.0"),
        }
        labour = [
            (Trade.PANEL, "前保险杠拆装", "1.0"),
            (Trade.PANEL, "翼子板钣金修复", "2.5"),
            (Trade.PANEL, "车门钣金修复", "3.0"),
            (Trade.PANEL, "前纵梁校正", "6.0"),
            (Trade.MECHANICAL, "前大灯拆装", "0.8"),
            (Trade.MECHANICAL, "散热器拆装", "2.0"),
            (Trade.MECHANICAL, "四轮定位", "1.0"),
            (Trade.ELECTRICAL, "倒车雷达拆装", "0.5"),
            (Trade.ELECTRICAL, "安全气囊更换及编程", "2.0"),
        ]
        paint = [
            "前保险杠",
            "后保险杠",
            "发动机盖",
            "翼子板",
            "前门",
            "后门",
            "后翼子板",
            "行李箱盖",
            "车顶",
        ]
        paint_factor = {
            PaintType.PLAIN: Decimal("1.0"),
            PaintType.METALLIC: Decimal("1.2"),
            PaintType.PEARL: Decimal("1.4"),
        }
        source = "演示数据（非官方标准，各地按协议调整）"
        LabourReference.objects.bulk_create(
            LabourReference(
                price_band=band,
                trade=trade,
                item=item,
                hours=Decimal(hours),
                hourly_rate=(Decimal("80") * f).quantize(Decimal("0.01")),
                source=source,
            )
            for band, f in factor.items()
            for trade, item, hours in labour
        )
        PaintReference.objects.bulk_create(
            PaintReference(
                price_band=band,
                panel=panel,
                paint_type=ptype,
                price=_yuan(Decimal("450") * f * pf * (Decimal("1.3") if panel == "车顶" else 1)),
                source=source,
            )
            for band, f in factor.items()
            for panel in paint
            for ptype, pf in paint_factor.items()
        )

    # --- names ----------------------------------------------------------------------
    def seed_names(self) -> list[tuple[NameSpec, int]]:
        specs = name_specs()
        objs = []
        for spec in specs:
            entry = PartName(name=spec.name, aliases=" ".join(spec.aliases), category=spec.category)
            entry.aliases = " ".join(dict.fromkeys(a for a in spec.aliases if a != spec.name))
            entry.refresh_search_fields()
            objs.append(entry)
        PartName.objects.bulk_create(objs, batch_size=500)
        ids = dict(PartName.objects.values_list("name", "id"))
        return [(spec, ids[spec.name]) for spec in specs]

    # --- parts ----------------------------------------------------------------------
    def part_rows(self, vehicles, names) -> Iterator[tuple[list, list, list]]:
        """Batches of (part rows, price rows, fitment rows), ids allocated here. Prices
        are whole yuan (5-yuan steps from 200 up), computed as floats for speed."""
        rng = self.rng
        random_ = rng.random
        weights = [3 if spec.config == "" and spec.base < 2000 else 1 for spec, _ in names]
        cum_weights = list(itertools.accumulate(weights))
        pick = rng.choices
        series_info = []
        for spec, series, models in vehicles:
            years = sorted({m.year for m in models})
            fit_sets = {}
            for config, levels in (
                ("", (1, 2, 3)),
                ("high", (2, 3)),
                ("top", (3,)),
                ("base", (1, 2)),
            ):
                for start in range(len(years)):
                    for span in (1, 2):
                        chosen = years[start : start + span]
                        fit_sets[(config, start, span)] = [
                            m.pk for m in models if m.year in chosen and m.trim_level in levels
                        ]
            scale = (spec.price / 150000) ** 0.6
            series_info.append(
                (spec, series.make_id, MAKES[spec.make][3], len(years), fit_sets, scale)
            )
        n_series = len(vehicles)
        price_id = fit_id = 0
        counters: dict[tuple[int, str], int] = {}
        now = timezone.now()
        parts, prices, fits = [], [], []
        for i in range(self.total):
            s_index = i % n_series
            spec, make_id, style, n_years, fit_sets, scale = series_info[s_index]
            name_spec, name_id = pick(names, cum_weights=cum_weights)[0]
            category = name_spec.category
            key = (s_index, category)
            k = counters.get(key, 0)
            counters[key] = k + 1
            oe = oe_number(style, spec.oe_prefix, category, k)
            part_id = i + 1
            parts.append(
                (part_id, make_id, name_id, name_spec.name, oe, normalize_oe(oe), category,
                 "件", now, now)
            )  # fmt: skip
            # fitment: one or two model years; the configuration decides the trims
            start = int(random_() * n_years)
            span = 1 if random_() < 0.6 else 2
            note = CONFIG_NOTES.get(name_spec.config, "")
            for model_id in fit_sets[(name_spec.config, start, span)]:
                fit_id += 1
                fits.append((fit_id, part_id, model_id, name_id, note))
            # prices: 4S > market > brand > remanufactured, scaled by the series' price
            p4s = _yuan_int(name_spec.base * scale * (0.85 + 0.33 * random_()))
            ratios = [("4s", 1.0), ("market", 0.78 + 0.1 * random_())]
            if category not in (Category.INTERIOR, Category.ELECTRICAL) or random_() < 0.3:
                ratios.append(("brand", 0.50 + 0.15 * random_()))
            if name_spec.root in REMANUFACTURABLE:
                ratios.append(("reman", 0.32 + 0.1 * random_()))
            source = SOURCES[i % len(SOURCES)]
            for price_type, ratio in ratios:
                price_id += 1
                price = p4s if ratio == 1.0 else _yuan_int(p4s * ratio)
                prices.append(
                    (price_id, part_id, price_type, NATIONWIDE, price, PRICE_DATE, source)
                )
            if random_() < 0.05:  # an older price still in the table
                price_id += 1
                old = _yuan_int(p4s * 0.95)
                prices.append((price_id, part_id, "4s", NATIONWIDE, old, OLD_PRICE_DATE, source))
            if random_() < 0.04:  # a regional 4S price
                price_id += 1
                region = REGIONAL[int(random_() * len(REGIONAL))]
                regional = _yuan_int(p4s * (0.95 + 0.13 * random_()))
                prices.append(
                    (price_id, part_id, "4s", region, regional, PRICE_DATE, "区域市场调研")
                )
            if len(parts) >= BATCH:
                yield parts, prices, fits
                parts, prices, fits = [], [], []
        if parts:
            yield parts, prices, fits

    def run(self) -> SeedResult:
        started = time.perf_counter()
        with transaction.atomic():
            vehicles = self.seed_vehicles()
            names = self.seed_names()
        self.log(f"车型 {sum(len(m) for _, _, m in vehicles)} 个，标准名称 {len(names)} 个")
        n_parts = n_prices = n_fits = 0
        writer = _copy_rows if connection.vendor == "postgresql" else _insert_rows
        with bulk_load(("parts_part", "parts_partprice", "parts_partfitment")):
            for parts, prices, fits in self.part_rows(vehicles, names):
                with transaction.atomic():
                    writer("parts_part", PART_COLUMNS, parts)
                    writer("parts_partprice", PRICE_COLUMNS, prices)
                    writer("parts_partfitment", FIT_COLUMNS, fits)
                n_parts += len(parts)
                n_prices += len(prices)
                n_fits += len(fits)
                if n_parts % (BATCH * 10) == 0 or n_parts == self.total:
                    elapsed = time.perf_counter() - started
                    self.log(f"配件 {n_parts}/{self.total}（{elapsed:.0f} 秒）")
            self.log("重建索引……")
        with transaction.atomic():
            recount_part_names()
        finish_bulk_load()
        return SeedResult(
            len(MAKES),
            len(SERIES),
            sum(len(m) for _, _, m in vehicles),
            len(names),
            n_parts,
            n_prices,
            n_fits,
            time.perf_counter() - started,
        )


PART_COLUMNS = (
    "id",
    "make_id",
    "standard_name_id",
    "name",
    "oe_number",
    "oe_normalized",
    "category",
    "unit",
    "created_at",
    "updated_at",
)
PRICE_COLUMNS = ("id", "part_id", "price_type", "region", "price", "effective_from", "source")
FIT_COLUMNS = ("id", "part_id", "model_id", "standard_name_id", "note")


@contextmanager
def bulk_load(tables: tuple[str, ...]):
    """Load into `tables` without their secondary indexes, unique and foreign-key
    constraints, and rebuild them at the end: one sort per index instead of a million
    random insertions, and one join per foreign key instead of a check per row. Only for
    tables the seeder has just emptied."""
    restore: list[str] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            # deferred foreign-key checks of rows written earlier in this transaction
            # (a test) must fire before their constraints can be altered
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table in tables:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                    restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
                cursor.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                    "AND indexname NOT IN (SELECT conname FROM pg_constraint "
                    "WHERE conrelid = %s::regclass)",
                    [table, table],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f'DROP INDEX "{name}"')
                    restore.insert(0, definition)
            else:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                    "AND tbl_name = %s AND sql IS NOT NULL",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f'DROP INDEX "{name}"')
                    restore.append(definition)
    checks_off = connection.vendor == "sqlite" and connection.disable_constraint_checking()
    relaxed = connection.vendor == "sqlite" and not connection.in_atomic_block
    if relaxed:  # a demo load: no fsync per batch
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        if checks_off:
            connection.enable_constraint_checking()
        if relaxed:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous = NORMAL")
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in restore:
                cursor.execute(statement)


def _insert_rows(table: str, columns: tuple[str, ...], rows: list) -> None:
    if not rows:
        return
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _copy_rows(table: str, columns: tuple[str, ...], rows: list) -> None:
    if not rows:
        return
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def finish_bulk_load() -> None:
    """Identity sequences past the ids allocated here, and fresh planner statistics."""
    tables = (
        "parts_part",
        "parts_partprice",
        "parts_partfitment",
        "parts_partname",
        "parts_vehiclemodel",
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in ("parts_part", "parts_partprice", "parts_partfitment"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                )
            # VACUUM sets the visibility map, so the fitment index serves index-only scans;
            # it cannot run inside a transaction (tests), where ANALYZE alone is enough
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            cursor.execute(f"{command} {', '.join(tables)}")
        else:
            cursor.execute("ANALYZE")


RESET_TABLES = (
    "parts_pricequeryline",
    "parts_pricequery",
    "parts_manualquotephoto",
    "parts_pricechange",
    "parts_manualquote",
    "parts_localpriceoverride",
    "parts_partprice",
    "parts_partfitment",
    "parts_vinrule",
    "parts_vehicleidentification",
    "parts_part",
    "parts_partname",
    "parts_vehiclemodel",
    "parts_series",
    "parts_make",
    "parts_labourreference",
    "parts_paintreference",
    "parts_catalogueimport",
)


def reset_catalogue() -> None:
    """Remove the whole catalogue and everything that refers to it (demo databases only)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE motor_assessmentline SET part_id = NULL, price_query_line_id = NULL "
            "WHERE part_id IS NOT NULL OR price_query_line_id IS NOT NULL"
        )
        for table in RESET_TABLES:
            cursor.execute(f"DELETE FROM {table}")


def catalogue_is_empty() -> bool:
    return not (Make.objects.exists() or PartName.objects.exists())
