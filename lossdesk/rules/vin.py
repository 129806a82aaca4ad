"""VIN (车辆识别代号) decoding: well-formedness, check digit, WMI, country, model year.

Rules: RULES.md §5 (ISO 3779 / GB 16735). A malformed VIN is an input error; a wrong
check digit is not — it is reported as ``check_digit_ok=False`` so the surveyor can
re-read the plate.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from .errors import RuleInputError

_VIN_RE = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")

# §5.2 transliteration and position weights (position 9, the check digit, weighs 0).
_LETTER_VALUES = {
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)

# §5.3: position-10 codes in the 30-year cycle, index 0 = 1980 (and 2010, 2040, …).
_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"
_YEAR_BASE = 1980
_YEAR_CYCLE = 30

# Order of the second character used by ISO 3780 country ranges.
_SECOND_CHAR_ORDER = "ABCDEFGHJKLMNPRSTUVWXYZ1234567890"

# Country by the first character, or by a range of second characters ("K:LR" = KL … KR).
# A small, common subset of ISO 3780; unknown prefixes give ``country=None``.
_COUNTRY_RANGES: dict[str, str] = {
    "L": "China",
    "1": "United States",
    "4": "United States",
    "5": "United States",
    "7": "United States",
    "2:A5": "Canada",
    "3:AX": "Mexico",
    "6:AX": "Australia",
    "9:AE": "Brazil",
    "9:29": "Brazil",
    "J": "Japan",
    "K:LR": "South Korea",
    "M:AE": "India",
    "M:FK": "Indonesia",
    "M:LR": "Thailand",
    "R:FK": "Taiwan",
    "S:AM": "United Kingdom",
    "S:NT": "Germany",
    "S:UZ": "Poland",
    "T:AH": "Switzerland",
    "T:JP": "Czech Republic",
    "U:UW": "Romania",
    "V:AE": "Austria",
    "V:FR": "France",
    "V:SW": "Spain",
    "W": "Germany",
    "X:LR": "Netherlands",
    "Y:AE": "Belgium",
    "Y:FK": "Finland",
    "Y:SW": "Sweden",
    "Z:AU": "Italy",
}


def _expand_countries(ranges: Mapping[str, str]) -> dict[str, str]:
    """Expand ``"K:LR"`` into ``{"KL": …, "KM": …, …, "KR": …}``; a lone char stays as is."""
    expanded: dict[str, str] = {}
    for code, country in ranges.items():
        first, _, span = code.partition(":")
        if not span:
            expanded[first] = country
            continue
        start = _SECOND_CHAR_ORDER.index(span[0])
        end = _SECOND_CHAR_ORDER.index(span[1])
        for ch in _SECOND_CHAR_ORDER[start : end + 1]:
            expanded[first + ch] = country
    return expanded


COUNTRIES: dict[str, str] = _expand_countries(_COUNTRY_RANGES)


class WmiEntry(NamedTuple):
    """One row of a WMI table. The Django layer may pass plain 3-tuples of the same shape."""

    manufacturer: str
    manufacturer_zh: str
    country: str


def _cn(manufacturer: str, manufacturer_zh: str) -> WmiEntry:
    return WmiEntry(manufacturer, manufacturer_zh, "China")


SEED_WMIS: dict[str, WmiEntry] = {
    # --- The 48 Chinese WMIs of vininfo (RULES.md §5.4), English names as there. ---
    "L4C": _cn("Buick", "别克"),
    "L56": _cn("Renault Samsung", "雷诺三星"),
    "L5Y": _cn("Merato Motorcycle Taizhou Zhongneng", "台州中能摩托车"),
    "L6T": _cn("Geely", "吉利汽车"),
    "LBE": _cn("Beijing Hyundai", "北京现代"),
    "LBV": _cn("BMW Brilliance", "华晨宝马"),
    "LC0": _cn("BYD Bus", "比亚迪客车"),
    "LDC": _cn("Dongfeng Peugeot-Citroën", "神龙汽车（东风标致雪铁龙）"),
    "LDY": _cn("Zhongtong Coach", "中通客车"),
    "LE4": _cn("Beijing Benz", "北京奔驰"),
    "LFM": _cn("FAW Toyota", "一汽丰田"),
    "LFP": _cn("FAW Car", "一汽轿车"),
    "LFV": _cn("FAW-Volkswagen", "一汽-大众"),
    "LGB": _cn("Dongfeng Nissan", "东风日产"),
    "LGH": _cn("Dong Feng (DFM)", "东风汽车"),
    "LGJ": _cn("Dongfeng Fengshen", "东风风神"),
    "LGW": _cn("Great Wall (Haval)", "长城汽车（哈弗）"),
    "LGX": _cn("BYD Auto", "比亚迪汽车"),
    "LH1": _cn("FAW Haima", "一汽海马"),
    "LHG": _cn("Guangzhou Honda", "广汽本田"),
    "LJ1": _cn("JAC", "江淮汽车"),
    "LJD": _cn("Dongfeng Yueda Kia", "东风悦达起亚"),
    "LKL": _cn("Suzhou King Long", "苏州金龙"),
    "LLV": _cn("Lifan", "力帆"),
    "LMG": _cn("GAC Trumpchi", "广汽传祺"),
    "LPA": _cn("Changan PSA (DS)", "长安标致雪铁龙（DS）"),
    "LRB": _cn("Buick China", "别克（中国）"),
    "LRW": _cn("Tesla China", "特斯拉（上海）"),
    "LS5": _cn("Changan Suzuki", "长安铃木"),
    "LSG": _cn("SAIC General Motors", "上汽通用"),
    "LSJ": _cn("SAIC MG", "上汽名爵"),
    "LSV": _cn("SAIC Volkswagen", "上汽大众"),
    "LSY": _cn("Brilliance Zhonghua", "华晨中华"),
    "LTV": _cn("FAW Toyota (Tianjin)", "天津一汽丰田"),
    "LUC": _cn("Honda", "本田"),
    "LVG": _cn("GAC Toyota", "广汽丰田"),
    "LVH": _cn("Dongfeng Honda", "东风本田"),
    "LVR": _cn("Changan Mazda", "长安马自达"),
    "LVS": _cn("Changan Ford", "长安福特"),
    "LVV": _cn("Chery", "奇瑞汽车"),
    "LVY": _cn("Volvo", "沃尔沃"),
    "LWV": _cn("GAC Fiat", "广汽菲亚特"),
    "LYV": _cn("Volvo China", "沃尔沃（中国）"),
    "LZE": _cn("Isuzu Guangzhou", "广州五十铃"),
    "LZG": _cn("Shaanxi Automobile Group", "陕西汽车集团"),
    "LZM": _cn("MAN", "曼恩（MAN）"),
    "LZW": _cn("SAIC GM Wuling", "上汽通用五菱"),
    "LZY": _cn("Yutong", "宇通客车"),
    # --- Makers vininfo lacks. Each of these is listed the same way by two independent
    # public WMI tables found in public code. ---
    "L2C": _cn("Chery Jaguar Land Rover", "奇瑞捷豹路虎"),
    "LA6": _cn("King Long", "厦门金龙"),
    "LA9": _cn("BYD", "比亚迪"),
    "LB2": _cn("Geely", "吉利汽车"),
    "LB3": _cn("Geely", "吉利汽车"),
    "LDK": _cn("FAW", "中国一汽"),
    "LEF": _cn("JMC (Jiangling Motors)", "江铃汽车"),
    "LET": _cn("Jiangling Isuzu", "江西五十铃"),
    "LF3": _cn("Lifan", "力帆"),
    "LFB": _cn("FAW", "中国一汽"),
    "LFN": _cn("FAW", "中国一汽"),
    "LGA": _cn("Dongfeng", "东风汽车"),
    "LGG": _cn("Dongfeng Liuzhou", "东风柳州汽车"),
    "LJ8": _cn("Zotye", "众泰汽车"),
    "LJX": _cn("JMC (Jiangling Motors)", "江铃汽车"),
    "LL6": _cn("GAC Mitsubishi", "广汽三菱"),
    "LLN": _cn("Qoros", "观致汽车"),
    "LNB": _cn("BAIC", "北京汽车"),
    "LPE": _cn("BYD Auto", "比亚迪汽车"),
    "LPS": _cn("Polestar", "极星"),
    "LRD": _cn("Beijing Foton Daimler (Auman)", "北京福田戴姆勒（欧曼）"),
    "LRE": _cn("SAIC General Motors (Cadillac)", "上汽通用（凯迪拉克）"),
    "LS7": _cn("JMC (Jiangling Motors)", "江铃汽车"),
    "LSF": _cn("SAIC Maxus", "上汽大通"),
    "LSH": _cn("SAIC Maxus", "上汽大通"),
    "LSK": _cn("SAIC Maxus", "上汽大通"),
    "LTA": _cn("ZX Auto", "中兴汽车"),
    "LTN": _cn("Soueast", "东南汽车"),
    "LUD": _cn("Dongfeng Nissan Diesel", "东风日产柴"),
    "LUX": _cn("Dongfeng Yulon", "东风裕隆"),
    "LVA": _cn("Foton", "北汽福田"),
    "LVB": _cn("Foton", "北汽福田"),
    "LVC": _cn("Foton", "北汽福田"),
    "LVM": _cn("Chery", "奇瑞汽车"),
    "LXV": _cn("Borgward", "宝沃汽车"),
    "LZF": _cn("SAIC Iveco Hongyan", "上汽依维柯红岩"),
    # --- Newer makers listed by one public WMI table only, which agreed with what we
    # expected before looking. Lower confidence: confirm against a real VIN. ---
    "L1N": _cn("XPeng", "小鹏汽车"),
    "LFZ": _cn("Leapmotor", "零跑汽车"),
    "LK6": _cn("SAIC GM Wuling (Wuling, Baojun)", "上汽通用五菱（五菱、宝骏）"),
    "LW4": _cn("Li Auto", "理想汽车"),
    "LZZ": _cn("Sinotruk", "中国重汽"),
}


@dataclass(frozen=True, slots=True)
class VinInfo:
    vin: str
    check_digit_ok: bool
    expected_check_digit: str
    wmi: str
    manufacturer: str | None
    manufacturer_zh: str | None
    country: str | None
    model_year: int | None
    small_maker: bool


def normalize_vin(vin: object) -> str:
    """Strip and upper-case; raise ``RuleInputError("vin")`` unless 17 legal characters."""
    if not isinstance(vin, str):
        raise RuleInputError("vin", "VIN 须为字符串")
    text = vin.strip().upper()
    if not _VIN_RE.match(text):
        raise RuleInputError("vin", "VIN 须为 17 位，只含数字和除 I、O、Q 以外的字母")
    return text


def check_digit(vin: str) -> str:
    """The check digit (§5.2) of a normalised 17-character VIN: ``"0"``–``"9"`` or ``"X"``."""
    total = sum(
        (int(ch) if ch.isdigit() else _LETTER_VALUES[ch]) * weight
        for ch, weight in zip(vin, _WEIGHTS, strict=True)
    )
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def model_year(code: str, today: date) -> int | None:
    """Latest year of the 30-year cycle for ``code`` that is not later than next year."""
    index = _YEAR_CODES.find(code)
    if index < 0:
        return None  # I, O, Q, U, Z and 0 are never year codes
    latest_allowed = today.year + 1
    year = _YEAR_BASE + index
    while year + _YEAR_CYCLE <= latest_allowed:
        year += _YEAR_CYCLE
    return year if year <= latest_allowed else None


def decode_vin(
    vin: str,
    wmi_table: Mapping[str, tuple[str, str, str]] | None = None,
    today: date | None = None,
) -> VinInfo:
    """Decode a VIN. ``wmi_table`` maps a WMI to (manufacturer, manufacturer_zh, country).

    Small makers (a '9' at position 3) are looked up first by the six-character code
    WMI + positions 12–14, then by the three-character WMI. ``today`` fixes the year
    window (defaults to today's date).
    """
    text = normalize_vin(vin)
    table: Mapping[str, tuple[str, str, str]] = SEED_WMIS if wmi_table is None else wmi_table
    wmi = text[:3]
    small_maker = wmi[2] == "9"
    entry = table.get(wmi + text[11:14]) if small_maker else None
    if entry is None:
        entry = table.get(wmi)
    expected = check_digit(text)
    country = entry[2] if entry and entry[2] else COUNTRIES.get(text[:2], COUNTRIES.get(text[0]))
    return VinInfo(
        vin=text,
        check_digit_ok=text[8] == expected,
        expected_check_digit=expected,
        wmi=wmi,
        manufacturer=entry[0] if entry else None,
        manufacturer_zh=(entry[1] or None) if entry else None,
        country=country,
        model_year=model_year(text[9], today or date.today()),
        small_maker=small_maker,
    )
