"""Demo data for `manage.py seed_demo`: a believable firm (HQ, three provinces, six cities),
its staff, five insurers, repair shops and cases in every state.

Every case is driven through the real services (intake, claims, motor, property in
demo.property and injury in demo.injury), so states, events, numbers, sheets and PDFs agree
with each other. Random
choices come from one `random.Random(seed)`, so a seed always gives the same firm and the
same cases.

Dates: instead of rewriting dates after the fact, the builder runs each case on a simulated
clock (`DemoClock` stands in for `django.utils.timezone.now`). Every timestamp a service, an
`auto_now` field or the numbering writes (opened_at, dispatch/arrival times, events, reviews,
report numbers, the PDF's dates) falls on the simulated moment, spread over the last 90
days, and accident_time ≤ reported_at ≤ opened_at holds by construction.

The whole build runs in one transaction; if it fails, nothing is saved and the photo and
PDF files already written to storage are deleted again.

Intake and dispatch (docs/dispatch.md): the city branches keep a roster from a few days back
to a week ahead and their surveyors report positions, so dispatchers follow the
recommendation (and the stored reasons are real); some plans take a feature role
(FEATURE_ROLES): a dispatch declined or timed out, a case delegated to another branch and
accepted, refused or returned, the same accident reported twice. Closed cases get their
callback, answered or still open. One branch dispatches automatically. Two cases had a
re-survey (复勘, RESURVEYS) that their fee charges."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from functools import cache
from io import BytesIO
from pathlib import Path
from time import monotonic

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont, ImageOps

from lossdesk.claims import services as claims_services
from lossdesk.claims.choices import (
    AccidentType,
    AttachmentKind,
    CancelReason,
    CaseStatus,
    DocumentType,
    EventType,
    Liability,
    ResurveyReason,
    ReviewDecision,
    SceneType,
)
from lossdesk.claims.models import Case
from lossdesk.claims.photos import nearest_in_other_cases, prepare_photo
from lossdesk.core.errors import ServiceError
from lossdesk.core.validators import validate_mobile
from lossdesk.demo import billing as billing_demo
from lossdesk.demo import commissions as commission_demo
from lossdesk.demo import injury as injury_demo
from lossdesk.demo import property as property_demo
from lossdesk.demo import quality as quality_demo
from lossdesk.intake import sms as intake_sms
from lossdesk.intake.choices import CallbackMethod, CallbackStatus, DispatchStatus
from lossdesk.intake.models import (
    Callback,
    Delegation,
    Dispatch,
    DispatchAlert,
    RosterShift,
    shift_bounds,
)
from lossdesk.intake.queries import ON_SITE_WINDOW
from lossdesk.intake.services.callbacks import (
    do_create_callback,
    do_record_callback_call,
    do_submit_callback_feedback,
)
from lossdesk.intake.services.delegation import (
    do_accept_delegation,
    do_refuse_delegation,
    do_request_delegation,
    do_return_delegation,
)
from lossdesk.intake.services.dispatch import (
    do_accept_dispatch,
    do_decline_dispatch,
    do_dispatch_case,
    do_record_arrival,
    do_record_position,
    recommend_surveyors,
    sweep_dispatch_timeouts,
)
from lossdesk.intake.services.reports import do_register_report
from lossdesk.motor import rules as motor_rules
from lossdesk.motor import services as motor_services
from lossdesk.notify.models import SmsMessage
from lossdesk.org.choices import BranchLevel, RepairShopKind
from lossdesk.org.models import (
    Branch,
    Client,
    ClientBranch,
    ClientContact,
    Position,
    RepairShop,
    Staff,
)
from lossdesk.org.positions import STANDARD_POSITIONS
from lossdesk.rules.vin import check_digit

DEFAULT_PASSWORD = "LossDesk-demo-2026"  # meets AUTH_PASSWORD_VALIDATORS (three classes)
DEFAULT_CASES = 200
DEFAULT_SEED = 42
HQ_CODE = "hq"
HISTORY_DAYS = 90

S = CaseStatus

# ---------------------------------------------------------------------------------------
# The firm
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class City:
    code: str
    name: str
    province: str  # code of the provincial branch
    plate: str  # plate prefix (发牌机关代号)
    area: str  # administrative division code, used in policy and claim numbers
    tel: str  # landline area code
    surveyors: int
    weight: int  # share of the cases
    office: str  # our branch office's address
    roads: tuple[str, ...]
    parkings: tuple[str, ...]
    # repair shops: name, kind, authorised brand, address
    shops: tuple[tuple[str, str, str, str], ...]
    # district, latitude, longitude (WGS-84, roughly its centre): every road and parking
    # starts with one; roster zones are districts too.
    districts: tuple[tuple[str, float, float], ...]


PROVINCES = (
    ("zhejiang", "浙江分公司", "浙江", "杭州市上城区钱江路 1366 号华润大厦 A 座 12 楼", "0571"),
    ("jiangsu", "江苏分公司", "江苏", "南京市建邺区江东中路 215 号凤凰文化广场 9 楼", "025"),
    ("guangdong", "广东分公司", "广东", "广州市天河区珠江新城华夏路 10 号富力中心 21 楼", "020"),
)

CITIES = (
    City(
        "hangzhou",
        "杭州",
        "zhejiang",
        "浙A",
        "330100",
        "0571",
        3,
        25,
        "西湖区文三路 478 号华星时代广场 A 座 8 楼",
        (
            "西湖区文三路与学院路交叉口",
            "西湖区天目山路古荡路口",
            "上城区庆春路与建国北路交叉口",
            "拱墅区莫干山路与丰潭路交叉口",
            "滨江区江南大道与江陵路交叉口",
            "余杭区文一西路与常二路交叉口",
            "萧山区市心中路与金城路交叉口",
            "钱塘区下沙路与文泽路交叉口",
            "西湖区绕城高速留下收费站出口",
        ),
        ("西湖区西溪银泰城地下停车场", "滨江区星光大道地下车库", "拱墅区远洋乐堤港地下停车场"),
        (
            (
                "杭州元通上汽大众4S店",
                RepairShopKind.DEALER_4S,
                "大众",
                "西湖区转塘街道美院南街 8 号",
            ),
            ("杭州广汽丰田之江4S店", RepairShopKind.DEALER_4S, "丰田", "西湖区之江路 888 号"),
            ("杭州宏达汽车维修有限公司", RepairShopKind.CLASS_1, "", "拱墅区石祥路 266 号"),
        ),
        districts=(
            ("西湖区", 30.2750, 120.1300),
            ("上城区", 30.2600, 120.1750),
            ("拱墅区", 30.3190, 120.1420),
            ("滨江区", 30.2080, 120.2110),
            ("余杭区", 30.2900, 120.0100),
            ("萧山区", 30.1850, 120.2650),
            ("钱塘区", 30.3100, 120.3500),
        ),
    ),
    City(
        "ningbo",
        "宁波",
        "zhejiang",
        "浙B",
        "330200",
        "0574",
        2,
        15,
        "鄞州区天童南路 588 号宁波文化广场 3 号楼 11 楼",
        (
            "海曙区中山西路与望京路交叉口",
            "鄞州区天童南路与泰康中路交叉口",
            "江北区人民路与槐树路交叉口",
            "北仑区明州路与长江路交叉口",
            "鄞州区四明中路与兴宁路交叉口",
            "海曙区机场路与环城西路交叉口",
        ),
        ("鄞州区万达广场地下停车场", "江北区来福士广场地下车库"),
        (
            ("宁波华晨宝马鄞州4S店", RepairShopKind.DEALER_4S, "宝马", "鄞州区宁南北路 1088 号"),
            (
                "宁波一汽-大众海曙4S店",
                RepairShopKind.DEALER_4S,
                "大众",
                "海曙区环城西路南段 399 号",
            ),
            ("宁波顺通汽车修理厂", RepairShopKind.CLASS_1, "", "江北区康庄南路 515 号"),
        ),
        districts=(
            ("海曙区", 29.8730, 121.5450),
            ("鄞州区", 29.8170, 121.5600),
            ("江北区", 29.8890, 121.5550),
            ("北仑区", 29.9000, 121.8450),
        ),
    ),
    City(
        "nanjing",
        "南京",
        "jiangsu",
        "苏A",
        "320100",
        "025",
        2,
        17,
        "秦淮区中山南路 49 号商茂世纪广场 26 楼",
        (
            "玄武区中山路与珠江路交叉口",
            "鼓楼区汉中路与虎踞路交叉口",
            "秦淮区中华路与建康路交叉口",
            "建邺区江东中路与集庆门大街交叉口",
            "江宁区双龙大道与天元中路交叉口",
            "雨花台区软件大道与安德门大街交叉口",
        ),
        ("建邺区河西万达广场地下车库", "鼓楼区金鹰世界地下停车场"),
        (
            ("南京东风日产江宁4S店", RepairShopKind.DEALER_4S, "日产", "江宁区将军大道 168 号"),
            ("南京广汽本田建邺4S店", RepairShopKind.DEALER_4S, "本田", "建邺区应天大街 888 号"),
            ("南京安达汽车维修有限公司", RepairShopKind.CLASS_1, "", "栖霞区马群街道百水桥路 9 号"),
        ),
        districts=(
            ("玄武区", 32.0480, 118.7980),
            ("鼓楼区", 32.0660, 118.7700),
            ("秦淮区", 32.0340, 118.7870),
            ("建邺区", 32.0040, 118.7320),
            ("江宁区", 31.9530, 118.8400),
            ("雨花台区", 31.9920, 118.7790),
        ),
    ),
    City(
        "suzhou",
        "苏州",
        "jiangsu",
        "苏E",
        "320500",
        "0512",
        2,
        13,
        "工业园区苏州大道东 265 号现代传媒广场 18 楼",
        (
            "姑苏区人民路与干将西路交叉口",
            "工业园区星湖街与现代大道交叉口",
            "吴中区东吴北路与宝带西路交叉口",
            "虎丘区长江路与玉山路交叉口",
            "相城区阳澄湖西路与相城大道交叉口",
        ),
        ("工业园区圆融时代广场地下停车场", "姑苏区苏州中心地下车库"),
        (
            ("苏州上汽通用别克园区4S店", RepairShopKind.DEALER_4S, "别克", "工业园区南施街 18 号"),
            ("苏州比亚迪吴中4S店", RepairShopKind.DEALER_4S, "比亚迪", "吴中区吴中大道 1688 号"),
            ("苏州金桥汽车修理厂", RepairShopKind.CLASS_1, "", "虎丘区金山路 128 号"),
        ),
        districts=(
            ("姑苏区", 31.3110, 120.6170),
            ("工业园区", 31.3170, 120.7160),
            ("吴中区", 31.2710, 120.6310),
            ("虎丘区", 31.2960, 120.5660),
            ("相城区", 31.3690, 120.6420),
        ),
    ),
    City(
        "guangzhou",
        "广州",
        "guangdong",
        "粤A",
        "440100",
        "020",
        3,
        17,
        "天河区体育西路 191 号中石化大厦 B 座 15 楼",
        (
            "天河区天河路与体育东路交叉口",
            "越秀区环市东路与淘金路交叉口",
            "海珠区新港中路与广州大道南交叉口",
            "白云区机场路与云城西路交叉口",
            "番禺区番禺大道北与汉溪大道交叉口",
            "黄埔区开创大道与科学大道交叉口",
            "天河区广园快速路岑村立交东行方向",
        ),
        ("天河区正佳广场地下停车场", "海珠区琶洲保利世贸地下车库"),
        (
            ("广州广汽丰田天河4S店", RepairShopKind.DEALER_4S, "丰田", "天河区黄埔大道中 668 号"),
            ("广州广汽本田番禺4S店", RepairShopKind.DEALER_4S, "本田", "番禺区迎宾路 228 号"),
            ("广州穗安汽车维修有限公司", RepairShopKind.CLASS_1, "", "白云区增槎路 1035 号"),
        ),
        districts=(
            ("天河区", 23.1360, 113.3610),
            ("越秀区", 23.1290, 113.2990),
            ("海珠区", 23.0960, 113.3200),
            ("白云区", 23.1800, 113.2650),
            ("番禺区", 23.0010, 113.3500),
            ("黄埔区", 23.1720, 113.4450),
        ),
    ),
    City(
        "shenzhen",
        "深圳",
        "guangdong",
        "粤B",
        "440300",
        "0755",
        2,
        13,
        "福田区深南大道 7888 号东海国际中心 A 座 20 楼",
        (
            "南山区深南大道与科苑路交叉口",
            "福田区福华三路与金田路交叉口",
            "罗湖区东门北路与爱国路交叉口",
            "宝安区宝安大道与创业一路交叉口",
            "龙岗区龙翔大道与爱联路交叉口",
            "龙华区民治大道与梅龙路交叉口",
        ),
        ("福田区COCO Park地下停车场", "南山区海岸城地下停车场"),
        (
            ("深圳比亚迪南山4S店", RepairShopKind.DEALER_4S, "比亚迪", "南山区北环大道 9018 号"),
            ("深圳北京奔驰福田4S店", RepairShopKind.DEALER_4S, "奔驰", "福田区泰然九路 6 号"),
            (
                "深圳鹏城汽车维修有限公司",
                RepairShopKind.CLASS_1,
                "",
                "宝安区新安街道创业二路 32 号",
            ),
        ),
        districts=(
            ("南山区", 22.5400, 113.9500),
            ("福田区", 22.5400, 114.0550),
            ("罗湖区", 22.5480, 114.1230),
            ("宝安区", 22.5560, 113.8830),
            ("龙岗区", 22.7200, 114.2470),
            ("龙华区", 22.6550, 114.0300),
        ),
    ),
)
CITY_BY_CODE = {city.code: city for city in CITIES}
PROVINCE_NAME = {code: province for code, _, province, _, _ in PROVINCES}

# Staff names with their pinyin, which becomes the username.
STAFF_NAMES = (
    ("张伟", "zhangwei"),
    ("王芳", "wangfang"),
    ("李娜", "lina"),
    ("刘洋", "liuyang"),
    ("陈静", "chenjing"),
    ("杨帆", "yangfan"),
    ("赵磊", "zhaolei"),
    ("黄勇", "huangyong"),
    ("周杰", "zhoujie"),
    ("吴敏", "wumin"),
    ("徐强", "xuqiang"),
    ("孙丽", "sunli"),
    ("马超", "machao"),
    ("朱婷", "zhuting"),
    ("胡军", "hujun"),
    ("郭鹏", "guopeng"),
    ("何欢", "hehuan"),
    ("高峰", "gaofeng"),
    ("林涛", "lintao"),
    ("罗斌", "luobin"),
    ("郑浩", "zhenghao"),
    ("梁晨", "liangchen"),
    ("谢飞", "xiefei"),
    ("宋佳", "songjia"),
    ("唐亮", "tangliang"),
    ("许文", "xuwen"),
    ("韩雪", "hanxue"),
    ("冯刚", "fenggang"),
    ("邓辉", "denghui"),
    ("曹阳", "caoyang"),
    ("彭程", "pengcheng"),
    ("曾敏", "zengmin"),
    ("肖磊", "xiaolei"),
    ("田甜", "tiantian"),
    ("董明", "dongming"),
    ("袁野", "yuanye"),
    ("潘婷", "panting"),
    ("于洋", "yuyang"),
    ("蒋涛", "jiangtao"),
    ("蔡琳", "cailin"),
    ("余杰", "yujie"),
    ("杜鹏", "dupeng"),
    ("叶青", "yeqing"),
    ("程鑫", "chengxin"),
    ("苏婷", "suting"),
    ("魏东", "weidong"),
    ("吕超", "lvchao"),
    ("丁宁", "dingning"),
    ("任杰", "renjie"),
    ("沈佳", "shenjia"),
    ("姚远", "yaoyuan"),
    ("卢俊", "lujun"),
    ("姜楠", "jiangnan"),
    ("崔浩", "cuihao"),
    ("钟诚", "zhongcheng"),
    ("谭明", "tanming"),
    ("陆毅", "luyi"),
    ("汪洋", "wangyang"),
    ("范伟", "fanwei"),
    ("金鑫", "jinxin"),
    ("石磊", "shilei"),
    ("廖凯", "liaokai"),
    ("贾琳", "jialin"),
    ("夏雨", "xiayu"),
    ("方圆", "fangyuan"),
    ("邹凯", "zoukai"),
    ("熊伟", "xiongwei"),
    ("孟飞", "mengfei"),
    ("秦岚", "qinlan"),
    ("白杨", "baiyang"),
)

# Who works where: (position code, how many). Admins sit at HQ with access to the admin site.
HQ_STAFF = (("branch_manager", 1), ("finance", 1))
ADMIN_STAFF = ("system_admin", "security_admin", "auditor")
PROVINCE_STAFF = (("branch_manager", 1), ("reviewer", 1))
CITY_STAFF = (("branch_manager", 1), ("reviewer", 1), ("dispatcher", 1), ("assessor", 1))

POSITION_ORDER = (
    "branch_manager",
    "reviewer",
    "dispatcher",
    "assessor",
    "surveyor",
    "finance",
    "system_admin",
    "security_admin",
    "auditor",
)

# ---------------------------------------------------------------------------------------
# Insurers
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Insurer:
    code: str
    name: str
    short_name: str
    threshold: Decimal
    weight: int
    claim_no: str  # format with area, year, serial
    ctpl_no: str
    commercial_no: str


INSURERS = (
    Insurer(
        "picc",
        "中国人民财产保险股份有限公司",
        "人保财险",
        Decimal("50000.00"),
        30,
        "RDAA{year}{area}{serial:06d}",
        "PDZA{year}{area}{serial:08d}",
        "PDAA{year}{area}{serial:08d}",
    ),
    Insurer(
        "pingan",
        "中国平安财产保险股份有限公司",
        "平安产险",
        Decimal("50000.00"),
        27,
        "9{area}{year}{serial:08d}",
        "1{area}9{year}{serial:07d}",
        "1{area}0{year}{serial:07d}",
    ),
    Insurer(
        "cpic",
        "中国太平洋财产保险股份有限公司",
        "太保产险",
        Decimal("50000.00"),
        20,
        "AHAZ{area}{year}{serial:06d}",
        "AHAZJ{area}{year}{serial:07d}",
        "AHAZD{area}{year}{serial:07d}",
    ),
    Insurer(
        "chinalife",
        "中国人寿财产保险股份有限公司",
        "国寿财险",
        Decimal("50000.00"),
        13,
        "8{area}{year}{serial:07d}",
        "80{area}{year}{serial:07d}",
        "81{area}{year}{serial:07d}",
    ),
    # A low threshold, so that some of its cases need a second review (二级审核).
    Insurer(
        "ccic",
        "中国大地财产保险股份有限公司",
        "大地保险",
        Decimal("8000.00"),
        10,
        "DCA{area}{year}{serial:06d}",
        "DDZA{area}{year}{serial:07d}",
        "DDAA{area}{year}{serial:07d}",
    ),
)
SECOND_REVIEW_INSURER = "ccic"
CONTACT_TITLES = ("理赔部经理", "车险理赔室主任", "理赔专员", "公估业务对接人", "车物定损岗")

# ---------------------------------------------------------------------------------------
# Vehicles and parts
# ---------------------------------------------------------------------------------------


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
WEATHERS = ("晴", "晴", "多云", "阴", "小雨", "中雨")
CUSTOMER_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
    "许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
CUSTOMER_GIVEN = (  # noqa: SIM905 (a list literal would be 45 lines)
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 霞 平 刚 桂英 "
    "建华 志强 海燕 晓东 文博 子涵 雨轩 浩然 欣怡 梓萱 俊杰 宇航 晨曦 思远 "
    "佳琪 建国 国平 玉兰 春梅 立新"
).split()
MOBILE_PREFIXES = tuple(
    [f"13{d}" for d in range(10)]
    + ["150", "151", "152", "153", "155", "156", "157", "158", "159"]
    + [f"18{d}" for d in range(10)]
)

# State mix of the cases (per 100); every state gets at least one case when there are enough.
# Issuing a report renders a PDF (≈1-2 s each), which dominates the run time.
STATE_WEIGHTS = {
    S.REGISTERED: 4,
    S.DISPATCHED: 4,
    S.SURVEYING: 7,
    S.ASSESSING: 11,
    S.IN_REVIEW: 8,
    S.IN_SECOND_REVIEW: 4,
    S.APPROVED: 6,
    S.AWAITING_DOCUMENTS: 7,
    S.REPORT_ISSUED: 6,
    S.CLOSED: 26,
    S.CANCELLED: 17,
}
# How long a case has been sitting in its current state (minutes): recent for the early
# states, longer further along.
DWELL_MINUTES = {
    S.REGISTERED: (10, 150),
    S.DISPATCHED: (10, 45),
    S.SURVEYING: (15, 300),
    S.ASSESSING: (60, 4 * 1440),
    S.IN_REVIEW: (30, 2 * 1440),
    S.IN_SECOND_REVIEW: (60, 2 * 1440),
    S.APPROVED: (60, 3 * 1440),
    S.AWAITING_DOCUMENTS: (120, 8 * 1440),
    S.REPORT_ISSUED: (120, 10 * 1440),
}
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
# Steps done at a desk, which wait for office hours (local time, from/until the hour).
DESK_ACTIONS = frozenset(
    {
        "sheets",
        "submit",
        "review",
        "second_review",
        "request_documents",
        "fulfil_documents",
        "issue",
        "close",
        "cancel",
    }
    | property_demo.DESK_ACTIONS
    | injury_demo.DESK_ACTIONS
)
OFFICE_HOURS = (8, 20)
DISPATCH_NOTES = (
    "",
    "",
    "",
    "客户在现场等候，请尽快联系。",
    "高架出口，注意安全。",
    "三者车已驶离，先联系本车驾驶员。",
)
REDISPATCH_NOTES = ("原查勘员在处理另一现场，改派。", "就近改派。")
# Re-surveys (复勘) between the first sheets and the submission, on the first report-issued
# and the first closed case without a feature role (the tour's city first), so their fees
# show the re-survey charge: (target, reason, note, recorded by the assessor).
RESURVEYS = (
    (
        S.REPORT_ISSUED,
        ResurveyReason.HIDDEN_DAMAGE,
        "修理厂拆检后发现右前大灯支架断裂、水箱框架变形，补拍照片并核对定损项目。",
        False,
    ),
    (S.CLOSED, ResurveyReason.CLIENT_REQUEST, "保险公司要求复勘，核实损失部位与更换项目。", True),
)

# ---------------------------------------------------------------------------------------
# Intake and dispatch (docs/dispatch.md)
# ---------------------------------------------------------------------------------------

# The roster: days before and after today, day and night shifts (a night shift ends the next
# morning). Surveyors rotate day → night → rest (with two: day ↔ night), each in one district.
ROSTER_DAYS = (-3, 7)
SHIFTS = {"day": (time(8), time(20)), "night": (time(20), time(8))}
ROTATION = ("day", "night", "rest")
# What a city's first, second and third surveyor can survey besides vehicles.
SURVEYOR_SKILLS = ({"skill_property": True, "skill_injury": True}, {"skill_property": True}, {})
# Coordinates come with most reports (insurer API, hotline); the rest are "not located".
LOCATED_SHARE = 0.9
# This branch dispatches automatically (Branch.auto_dispatch), switched on when the roster
# began, so its recent reports were dispatched by the system.
AUTO_DISPATCH_CITY = "shenzhen"
# The branch the README's tour logs in to.
TOUR_CITY = "hangzhou"
ACCEPT_DEADLINE = Branch._meta.get_field("accept_deadline_minutes").default
# Now and then the dispatcher passes over the top candidate, for a reason.
OVERRIDE_SHARE = 0.08
OVERRIDE_REASONS = (
    "客户指定熟悉该车型的查勘员。",
    "推荐人员今日限行，改派次优人员。",
    "推荐人员连续出险多起，均衡工作量。",
)
DECLINE_REASONS = (
    "正在处理另一起现场，预计一小时后才能结束。",
    "车辆故障，暂时无法前往现场。",
    "距离太远，建议调度就近查勘员。",
    "身体不适，请改派他人。",
)
PASSED_OVER = {"decline": "原查勘员拒单，改派。", "time_out": "原查勘员超时未接单，改派。"}
# Plans that show the intake features: each role takes a plan of the first of its target
# states that has one left (the targets are shuffled); the second list from 100 cases on.
FEATURE_ROLES = (
    ("decline", (S.REGISTERED,)),
    ("item_delegation", (S.ASSESSING, S.SURVEYING, S.IN_REVIEW)),
    ("delegation_accepted", (S.CLOSED, S.SURVEYING, S.ASSESSING)),
    ("delegation_refused", (S.APPROVED, S.REPORT_ISSUED, S.ASSESSING, S.CLOSED)),
    ("delegation_returned", (S.IN_REVIEW, S.SURVEYING, S.ASSESSING, S.CLOSED)),
    ("time_out", (S.CLOSED,)),
    ("duplicate", (S.CANCELLED,)),
)
MORE_FEATURE_ROLES = (
    ("decline", (S.REGISTERED,)),
    ("delegation_accepted", (S.SURVEYING, S.ASSESSING)),
    ("duplicate", (S.CANCELLED,)),
)
# Whole-case delegations (委托异地): the accident happened in the receiving branch's city.
CASE_DELEGATIONS = frozenset({"delegation_accepted", "delegation_refused", "delegation_returned"})
DELEGATION_NOTE = "本车在{scene}出险，车辆停放于当地，请{to}就近查勘定损。"
ITEM_DELEGATION_NOTE = "三者车 {plate} 已拖回{scene}修理，请{to}就近定损。"
ACCEPT_NOTES = ("已接收，安排本机构查勘员。", "")
REFUSE_REASONS = (
    "本机构查勘员均在外支援，今日无法安排，请另行处理。",
    "出险地位于所辖县级市，超出本机构服务范围。",
)
RETURN_REASONS_DELEGATION = (
    "事故车已拖回{home}维修，退回委托机构就近查勘。",
    "客户要求回{home}定损，退回委托。",
)
# Callbacks (客户回访) after closing: by SMS link or by phone; ratings 5 … 1.
CALLBACK_SMS_SHARE = 0.6
LINK_ANSWER_SHARE = 0.55
RATING_WEIGHTS = (50, 28, 12, 6, 4)
CALL_RESULTS = (
    (CallbackStatus.COMPLETED, 75),
    (CallbackStatus.UNREACHABLE, 15),
    (CallbackStatus.DECLINED, 10),
)
COMMENTS = {
    5: (
        "查勘员到场很快，处理专业，非常满意。",
        "定损公道，全程有人跟进。",
        "态度很好，解释得很清楚。",
        "",
    ),
    4: ("整体满意，就是等定损结果等了两天。", "查勘员很耐心，修理厂对接稍慢。", ""),
    3: ("到场时间比短信说的晚了半小时。", "流程有点繁琐，资料交了好几次。"),
    2: ("定损金额比修理厂报价低，协商了很久。", "电话一直打不通，催了好几次。"),
    1: ("等了两个多小时才有人到现场，很不满意。", "对定损结果不认可。"),
}
CALL_NOTES = {
    CallbackStatus.COMPLETED: ("按回访话术完成回访。", "客户表示无其他意见。"),
    CallbackStatus.UNREACHABLE: ("两次拨打无人接听。", "客户手机关机，改日再拨。"),
    CallbackStatus.DECLINED: ("客户表示正在开车，不便回访。", "客户拒绝回访。"),
}


# ---------------------------------------------------------------------------------------
# Plans
# ---------------------------------------------------------------------------------------


@dataclass
class Vehicle:
    plate: str
    model: Model
    year: int
    vin: str
    zone: str
    lines: list[dict] = field(default_factory=list)


@dataclass
class Step:
    delay: timedelta
    action: str
    options: dict


@dataclass
class CasePlan:
    target: str
    city: City
    insurer: Insurer
    scenario: Scenario
    vehicles: list[Vehicle]
    liability: str
    property_loss: bool
    injured: int
    place: str
    people: dict[str, Staff | None]
    scene: City  # where the accident happened: the receiving city of a whole-case delegation
    location: tuple[float, float]  # of the accident
    located: bool  # whether the report carries the location
    role: str | None = None  # FEATURE_ROLES
    remote: City | None = None  # the receiving city of a delegation
    duplicate_of: CasePlan | None = None  # the plan whose accident this one reports again
    late_report: bool = False  # reported days after the accident (demo.quality)
    steps: list[Step] = field(default_factory=list)
    times: list[datetime] = field(default_factory=list)  # when each step happens
    case: Case | None = None
    requests: list = field(default_factory=list)
    accident_time: datetime | None = None
    auto_dispatched: bool = False  # by the system at registration, not yet seen by a step
    passed_over: dict[int, str] = field(default_factory=dict)  # declined / timed out: why
    delegation: Delegation | None = None
    property_plan: property_demo.PropertyPlan | None = None  # its property loss, if any
    injury_plan: injury_demo.InjuryPlan | None = None  # its injured person, if any

    @property
    def work_city(self) -> City:
        """Whose surveyors and repair shops work the case: the receiving branch's once it
        accepted the delegation."""
        return self.remote if self.role == "delegation_accepted" else self.city


@dataclass
class DemoResult:
    staff: list[Staff]
    branches: int
    clients: int
    repair_shops: int
    cases: int
    by_status: Counter
    photos: int
    reports: int
    roster_shifts: int
    delegations: Counter
    declined: int
    timed_out: int
    auto_dispatched: int
    open_alerts: int
    callbacks: Counter
    average_rating: float | None
    duplicates: int
    seconds: float


class DemoDataExists(Exception):
    """The database already holds the demo firm (or names it would use)."""

    def __init__(self, conflicts: list[str]):
        super().__init__("; ".join(conflicts))
        self.conflicts = conflicts


class DemoBuildError(Exception):
    """A service refused a demo step: a bug in the builder or changed business rules."""


class DemoClock:
    """Stands in for `django.utils.timezone.now` while the demo is built, so that services,
    auto_now fields and the numbering all stamp the simulated moment."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._real = None

    def __enter__(self) -> DemoClock:
        self._real = timezone.now
        timezone.now = lambda: self.now
        return self

    def __exit__(self, *exc) -> None:
        timezone.now = self._real


# ---------------------------------------------------------------------------------------
# The builder
# ---------------------------------------------------------------------------------------


class DemoBuilder(
    property_demo.PropertyDemo,
    injury_demo.InjuryDemo,
    billing_demo.BillingDemo,
    quality_demo.QualityDemo,
):
    def __init__(
        self,
        *,
        seed: int = DEFAULT_SEED,
        cases: int = DEFAULT_CASES,
        password: str = DEFAULT_PASSWORD,
        progress=None,
    ) -> None:
        self.rng = random.Random(seed)
        self.case_count = cases
        self.password = password
        self.progress = progress or (lambda message: None)
        self.now = timezone.now()
        self.written_files: list[str] = []
        self.staff_plan = self._plan_staff()
        self.claim_serials: Counter = Counter()
        self.used_plates: set[str] = set()
        self.photo_count = 0
        self.report_count = 0

    # -- refusing to run twice ---------------------------------------------------------

    def conflicts(self) -> list[str]:
        """What already exists that this run would create; empty when it may run."""
        found = []
        if Branch.objects.filter(code=HQ_CODE).exists():
            found.append(f"机构代码 {HQ_CODE} 已存在 / branch code '{HQ_CODE}' exists")
        codes = [HQ_CODE] + [p[0] for p in PROVINCES] + [c.code for c in CITIES]
        names = ["总部"] + [p[1] for p in PROVINCES] + [f"{c.name}分公司" for c in CITIES]
        branches = (
            Branch.objects.filter(Q(code__in=codes) | Q(name__in=names))
            .exclude(code=HQ_CODE)
            .values_list("name", flat=True)
        )
        if branches:
            found.append(f"机构已存在 / branches exist: {', '.join(sorted(branches))}")
        usernames = Staff.objects.filter(
            username__in=[s["username"] for s in self.staff_plan]
        ).values_list("username", flat=True)
        if usernames:
            found.append(f"用户名已存在 / usernames exist: {', '.join(sorted(usernames))}")
        clients = Client.objects.filter(
            Q(code__in=[i.code for i in INSURERS]) | Q(name__in=[i.name for i in INSURERS])
        ).values_list("short_name", flat=True)
        if clients:
            found.append(f"委托方已存在 / clients exist: {', '.join(sorted(clients))}")
        return found

    # -- the run -------------------------------------------------------------------------

    def _written(self, attachment) -> None:
        """Remember an attachment's files (the original and its derivatives) for the cleanup
        of a failed build."""
        for stored in (attachment.file, attachment.display, attachment.thumbnail):
            if stored:
                self.written_files.append(stored.name)

    def build(self) -> DemoResult:
        started = monotonic()
        try:
            with transaction.atomic():
                conflicts = self.conflicts()
                if conflicts:
                    raise DemoDataExists(conflicts)
                self._build_org()
                self._build_depreciation_rules()
                self._build_roster()
                self._build_fee_contracts()  # before any report is issued (demo/billing.py)
                plans = self._plan_cases()
                self._mark_late_reports(plans)  # demo/quality.py
                self._run_cases(plans)
                self._build_receivables()  # demo/billing.py
                commission_demo.build_commissions(self)  # an approved commission month
                self._build_alerts(plans)  # demo/quality.py
                self._build_staff_quality(plans)  # demo/quality.py
        except BaseException:
            for name in self.written_files:  # the rows are gone; remove their files too
                default_storage.delete(name)
            raise
        ids = [p.case.pk for p in plans]
        cases = Case.objects.filter(pk__in=ids)
        dispatches = Counter(Dispatch.objects.filter(case__in=ids).values_list("status", flat=True))
        callbacks = Callback.objects.filter(case__in=ids)
        ratings = [r for r in callbacks.values_list("rating", flat=True) if r is not None]
        return DemoResult(
            staff=self.staff,
            branches=len(self.branches),
            clients=len(INSURERS),
            repair_shops=sum(len(shops) for shops in self.shops.values()),
            cases=len(plans),
            by_status=Counter(cases.values_list("status", flat=True)),
            photos=self.photo_count,
            reports=self.report_count,
            roster_shifts=self.shift_count,
            delegations=Counter(
                Delegation.objects.filter(case__in=ids).values_list("status", flat=True)
            ),
            declined=dispatches[DispatchStatus.DECLINED],
            timed_out=dispatches[DispatchStatus.TIMED_OUT],
            auto_dispatched=Dispatch.objects.filter(case__in=ids, auto=True).count(),
            open_alerts=DispatchAlert.objects.filter(
                case__in=ids, resolved_at__isnull=True
            ).count(),
            callbacks=Counter(callbacks.values_list("status", flat=True)),
            average_rating=sum(ratings) / len(ratings) if ratings else None,
            duplicates=cases.filter(report__possible_duplicate_of__isnull=False).count(),
            seconds=monotonic() - started,
        )

    # -- organisation ----------------------------------------------------------------------

    def _plan_staff(self) -> list[dict]:
        slots: list[tuple[str, str, bool]] = []
        slots += [(HQ_CODE, code, False) for code, n in HQ_STAFF for _ in range(n)]
        slots += [(HQ_CODE, code, True) for code in ADMIN_STAFF]
        for province, *_ in PROVINCES:
            slots += [(province, code, False) for code, n in PROVINCE_STAFF for _ in range(n)]
        for city in CITIES:
            slots += [(city.code, code, False) for code, n in CITY_STAFF for _ in range(n)]
            slots += [(city.code, "surveyor", False)] * city.surveyors
        covered = {position for _, position, _ in slots}
        # Positions added later (e.g. by another app) get one person at HQ.
        slots += [(HQ_CODE, code, False) for code in STANDARD_POSITIONS if code not in covered]
        names = self.rng.sample(STAFF_NAMES, len(slots))
        plan = []
        for number, ((branch, position, is_staff), (full_name, pinyin)) in enumerate(
            zip(slots, names, strict=True), start=1
        ):
            plan.append(
                {
                    "username": pinyin,
                    "full_name": full_name,
                    "branch": branch,
                    "position": position,
                    "is_staff": is_staff,
                    "employee_no": f"LD{number:04d}",
                    "mobile": self._mobile(),
                    "joined_days": self.rng.randint(120, 2200),
                }
            )
        return plan

    def _build_org(self) -> None:
        rng = self.rng
        hq = Branch.objects.create(
            code=HQ_CODE,
            name="总部",
            level=BranchLevel.HQ,
            province="浙江",
            city="杭州",
            address="杭州市西湖区文三路 90 号东部软件园 6 号楼",
            phone="0571-88210000",
        )
        self.branches = {HQ_CODE: hq}
        for code, name, province, address, tel in PROVINCES:
            self.branches[code] = Branch.objects.create(
                code=code,
                name=name,
                level=BranchLevel.PROVINCE,
                parent=hq,
                province=province,
                address=address,
                phone=f"{tel}-{rng.randint(81000000, 89999999)}",
            )
        for city in CITIES:
            self.branches[city.code] = Branch.objects.create(
                code=city.code,
                name=f"{city.name}分公司",
                level=BranchLevel.CITY,
                parent=self.branches[city.province],
                province=PROVINCE_NAME[city.province],
                city=city.name,
                address=f"{city.name}市{city.office}",
                phone=f"{city.tel}-{rng.randint(81000000, 89999999)}",
            )

        positions = {p.code: p for p in Position.objects.all()}
        missing = {s["position"] for s in self.staff_plan} - set(positions)
        if missing:
            raise DemoBuildError(f"缺少标准岗位 / missing positions: {', '.join(sorted(missing))}")
        encoded = make_password(self.password)  # one hash for everyone: hashing is slow
        self.staff = []
        for spec in self.staff_plan:
            user = Staff(
                username=spec["username"],
                full_name=spec["full_name"],
                branch=self.branches[spec["branch"]],
                position=positions[spec["position"]],
                is_staff=spec["is_staff"],
                mobile=spec["mobile"],
                employee_no=spec["employee_no"],
                email=f"{spec['username']}@lossdesk.example",
                password=encoded,
                date_joined=self.now - timedelta(days=spec["joined_days"]),
            )
            user.full_clean(exclude=["password"])
            user.save()
            self.staff.append(user)
        self.people: dict[tuple[str, str], list[Staff]] = {}
        for user in self.staff:
            self.people.setdefault((user.branch.code, user.position.code), []).append(user)
        self.staff_by_id = {user.pk: user for user in self.staff}
        for city in CITIES:
            surveyors = self.people[(city.code, "surveyor")]
            for user, skills in zip(surveyors, SURVEYOR_SKILLS, strict=False):
                if skills:
                    for name, value in skills.items():
                        setattr(user, name, value)
                    user.save(update_fields=list(skills))

        self.client_branches: dict[tuple[str, str], ClientBranch] = {}
        self.clients: dict[str, Client] = {}
        for insurer in INSURERS:
            client = self.clients[insurer.code] = Client.objects.create(
                code=insurer.code,
                name=insurer.name,
                short_name=insurer.short_name,
                second_review_threshold=insurer.threshold,
            )
            insurer_branches = [
                (f"{PROVINCE_NAME[code]}省分公司", PROVINCE_NAME[code], "", code)
                for code, *_ in PROVINCES
            ] + [(f"{c.name}市分公司", PROVINCE_NAME[c.province], c.name, c.code) for c in CITIES]
            for name, province, city_name, key in insurer_branches:
                branch = ClientBranch.objects.create(
                    client=client, name=name, province=province, city=city_name
                )
                self.client_branches[(insurer.code, key)] = branch
                ClientContact.objects.create(
                    client_branch=branch,
                    name=self._customer_name(),
                    title=rng.choice(CONTACT_TITLES),
                    mobile=self._mobile(),
                    email=f"{insurer.code}.{key}@example.com",
                )

        self.shops: dict[str, list[RepairShop]] = {}
        for city in CITIES:
            self.shops[city.code] = [
                RepairShop.objects.create(
                    name=name,
                    kind=kind,
                    brand=brand,
                    branch=self.branches[city.code],
                    address=f"{city.name}市{address}",
                    contact=self._customer_name(),
                    phone=f"{city.tel}-{rng.randint(81000000, 89999999)}",
                )
                for name, kind, brand, address in city.shops
            ]
        self.progress(
            f"机构 {len(self.branches)} 个，员工 {len(self.staff)} 人，委托方 {len(INSURERS)} 家。"
        )

    def _build_roster(self) -> None:
        """Shifts of every city's surveyors from a few days back to a week ahead, each
        surveyor in a district of their own (片区), as the dispatchers keep them on /roster/."""
        today = timezone.localdate(self.now)
        days = [today + timedelta(days=n) for n in range(ROSTER_DAYS[0], ROSTER_DAYS[1] + 1)]
        self.roster_start = datetime.combine(
            days[0], SHIFTS["day"][0], tzinfo=timezone.get_current_timezone()
        )
        self.zones: dict[int, tuple[str, float, float]] = {}
        self.duty: dict[int, list[tuple[datetime, datetime]]] = {}
        shifts = []
        for city in CITIES:
            surveyors = self.people[(city.code, "surveyor")]
            rotation = ROTATION[: max(2, len(surveyors))]
            zones = self.rng.sample(city.districts, len(surveyors))
            for index, (surveyor, zone) in enumerate(zip(surveyors, zones, strict=True)):
                self.zones[surveyor.pk] = zone
                for offset, day in enumerate(days):
                    kind = rotation[(offset + index) % len(rotation)]
                    if kind == "rest":
                        continue
                    start, end = SHIFTS[kind]
                    shifts.append(
                        RosterShift(
                            surveyor=surveyor,
                            branch=surveyor.branch,
                            zone=zone[0],
                            date=day,
                            start_time=start,
                            end_time=end,
                        )
                    )
                    self.duty.setdefault(surveyor.pk, []).append(shift_bounds(day, start, end))
        RosterShift.objects.bulk_create(shifts)
        self.shift_count = len(shifts)

    def _person(self, branch: str, position: str) -> Staff:
        return self.rng.choice(self.people[(branch, position)])

    # -- random but plausible values -------------------------------------------------------

    def _mobile(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randint(0, 99999999):08d}"
            try:
                validate_mobile(number)
            except ValidationError:
                continue
            return number

    def _customer_name(self) -> str:
        return self.rng.choice(CUSTOMER_SURNAMES) + self.rng.choice(CUSTOMER_GIVEN)

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

    def _near(self, lat: float, lng: float, spread: float) -> tuple[float, float]:
        """A point within `spread` degrees (0.01° ≈ 1 km) of the given one."""
        rng = self.rng
        return (
            round(lat + rng.uniform(-spread, spread), 6),
            round(lng + rng.uniform(-spread, spread), 6),
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

    # -- case plans -------------------------------------------------------------------------

    def _targets(self) -> list[str]:
        """The target state of every case: at least one per state when there are enough
        cases, the rest in proportion to STATE_WEIGHTS."""
        n = self.case_count
        states = list(STATE_WEIGHTS)
        if n < len(states):
            ranked = sorted(states, key=lambda s: -STATE_WEIGHTS[s])
            targets = ranked[:n]
        else:
            counts = dict.fromkeys(states, 1)
            rest = n - len(states)
            total = sum(STATE_WEIGHTS.values())
            shares = {s: rest * STATE_WEIGHTS[s] / total for s in states}
            for s in states:
                counts[s] += int(shares[s])
            leftover = n - sum(counts.values())
            for s in sorted(states, key=lambda s: -(shares[s] - int(shares[s])))[:leftover]:
                counts[s] += 1
            targets = [s for s in states for _ in range(counts[s])]
        self.rng.shuffle(targets)
        return targets

    def _plan_cases(self) -> list[CasePlan]:
        targets = self._targets()
        roles = self._roles(targets)
        showcases = property_demo.showcase_hosts(targets, roles)
        injuries = injury_demo.showcase_hosts(targets, roles, set(showcases))
        plans = [
            self._plan_case(target, role, showcases.get(i), injuries.get(i))
            for i, (target, role) in enumerate(zip(targets, roles, strict=True))
            if role != "duplicate"
        ]
        originals = [
            p
            for p in plans
            if p.target == S.CLOSED and p.role is None and p.city.code != AUTO_DISPATCH_CITY
        ]
        for _ in range(roles.count("duplicate")):
            if originals:
                original = originals.pop(self.rng.randrange(len(originals)))
                plans.append(self._plan_duplicate(original))
            else:
                plans.append(self._plan_case(S.CANCELLED))
        plans.sort(key=lambda p: p.times[0])  # numbers then follow the calendar
        self._plan_resurveys(plans)
        return plans

    @staticmethod
    def _plan_resurveys(plans: list[CasePlan]) -> None:
        """A re-survey step halfway between a plan's first sheets and the step after them,
        in a plan that submits after its sheets, whatever other lines' steps lie between
        (no random draw: the other plans stay as they were)."""

        def sheets_at(plan: CasePlan) -> int | None:
            actions = [step.action for step in plan.steps]
            if "sheets" not in actions or "submit" not in actions[actions.index("sheets") :]:
                return None
            return actions.index("sheets")

        for target, reason, note, by_author in RESURVEYS:
            hosts = sorted(
                (
                    p
                    for p in plans
                    if p.target == target and p.role is None and sheets_at(p) is not None
                ),
                key=lambda p: p.city.code != TOUR_CITY,
            )
            if not hosts:
                continue
            plan = hosts[0]
            at = sheets_at(plan)
            options = {"reason": reason, "note": note, "by_author": by_author}
            plan.steps.insert(at + 1, Step(timedelta(), "resurvey", options))
            plan.times.insert(at + 1, plan.times[at] + (plan.times[at + 1] - plan.times[at]) / 2)

    @staticmethod
    def _roles(targets: list[str]) -> list[str | None]:
        """The feature role of each target (FEATURE_ROLES), None for most."""
        roles: list[str | None] = [None] * len(targets)
        wanted = FEATURE_ROLES + (MORE_FEATURE_ROLES if len(targets) >= 100 else ())
        for role, states in wanted:
            free = (
                i
                for state in states
                for i, target in enumerate(targets)
                if target == state and roles[i] is None
            )
            index = next(free, None)
            if index is not None:
                roles[index] = role
        return roles

    def _plan_case(
        self,
        target: str,
        role: str | None = None,
        showcase: tuple[str, str] | None = None,
        injury_showcase: tuple[str, str] | None = None,
    ) -> CasePlan:
        rng = self.rng
        stage, pause_at, cancel_stage = self._stage(target)
        second_review = target == S.IN_SECOND_REVIEW
        insurer = (
            next(i for i in INSURERS if i.code == SECOND_REVIEW_INSURER)
            if second_review
            else rng.choices(INSURERS, [i.weight for i in INSURERS])[0]
        )
        # The branch that dispatches automatically would dispatch these at registration.
        manual = stage == S.REGISTERED or role in CASE_DELEGATIONS
        cities = [c for c in CITIES if not (manual and c.code == AUTO_DISPATCH_CITY)]
        city = rng.choices(cities, [c.weight for c in cities])[0]
        if showcase is not None or injury_showcase is not None:
            # Showcases in the branch the README's tour logs in to.
            city = next(c for c in CITIES if c.code == TOUR_CITY)
        remote = None
        if role in CASE_DELEGATIONS:
            remote = rng.choice([c for c in CITIES if c != city])
        elif role == "item_delegation":
            remote = next(c for c in CITIES if c.province == city.province and c != city)
        scene = remote if role in CASE_DELEGATIONS else city
        scenario = rng.choices(SCENARIOS, [s.weight for s in SCENARIOS])[0]
        if (second_review and scenario.zone != "front") or role == "item_delegation":
            scenario = SCENARIOS[0]  # heavy front damage; a third-party vehicle to delegate
        if showcase is not None:  # a property showcase: an accident that damages its kind
            scenario = next(s for s in SCENARIOS if s.property_kind == showcase[1])
        elif injury_showcase is not None:  # an injury showcase: a pedestrian is hit
            scenario = next(s for s in SCENARIOS if s.pedestrian)
        insured = self._vehicle(city.plate, scenario.zone)
        third_parties = []
        for n in range(rng.choice(scenario.third_parties)):
            if n == 0 and role == "item_delegation":
                prefix = remote.plate
            else:
                prefix = scene.plate if rng.random() < 0.75 else self._neighbour_prefix(scene)
            third_parties.append(self._vehicle(prefix, scenario.tp_zone))
        heavy = second_review or rng.random() < 0.05
        minimum = insurer.threshold + 500 if second_review else Decimal(0)
        insured.lines = self._lines(insured, heavy=heavy, minimum=minimum)
        for vehicle in third_parties:
            vehicle.lines = self._lines(vehicle)
        branch = city.code
        work = remote if role == "delegation_accepted" else city
        province = city.province
        reviewer = self._person(branch, "reviewer")
        manager = self._person(branch, "branch_manager")
        people = {
            "registrar": self._person(branch, "dispatcher") if rng.random() < 0.9 else manager,
            "dispatcher": self._person(work.code, "dispatcher"),
            "surveyor": None,  # the dispatcher's pick (_do_dispatch)
            # None: the surveyor writes the sheets
            "author": None if rng.random() < 0.6 else self._person(work.code, "assessor"),
            "reviewer1": reviewer if rng.random() < 0.8 else manager,
            "reviewer2": self._person(
                province, "reviewer" if rng.random() < 0.7 else "branch_manager"
            ),
            "issuer": rng.choices(
                [reviewer, manager, self._person(province, "reviewer")], (7, 2, 1)
            )[0],
            "closer": reviewer if rng.random() < 0.75 else manager,
            "canceller": self._person(branch, "dispatcher") if rng.random() < 0.8 else manager,
        }
        if remote is not None:
            people["delegator"] = self._person(branch, "dispatcher")
            people["receiver"] = self._person(
                remote.code, "dispatcher" if rng.random() < 0.8 else "branch_manager"
            )
        road = rng.choice(scene.parkings if scenario.parking else scene.roads)
        _, lat, lng = next(d for d in scene.districts if road.startswith(d[0]))
        plan = CasePlan(
            target=target,
            city=city,
            insurer=insurer,
            scenario=scenario,
            vehicles=[insured, *third_parties],
            liability=rng.choice(scenario.liabilities),
            property_loss=rng.random() < scenario.property_loss or showcase is not None,
            injured=1 if injury_showcase or (third_parties and rng.random() < 0.04) else 0,
            place=f"{scene.name}市{road}",
            people=people,
            scene=scene,
            location=self._near(lat, lng, 0.012),
            # The cases waiting in the queue carry it: a tour dispatches them.
            located=target == S.REGISTERED or rng.random() < LOCATED_SHARE,
            role=role,
            remote=remote,
        )
        plan.property_plan = self._plan_property(plan, stage, showcase)
        plan.injury_plan = self._plan_injury(plan, stage, injury_showcase)
        steps = self._script(plan, stage, pause_at, cancel_stage)
        plan.steps = self._with_injury_steps(plan, self._with_property_steps(plan, steps))
        plan.times = self._schedule(plan)
        return plan

    def _plan_duplicate(self, original: CasePlan) -> CasePlan:
        """The same accident reported again a little later, under another claim number:
        flagged as a likely duplicate (疑似重复报案) and cancelled as one."""
        rng, city = self.rng, original.city
        plan = CasePlan(
            target=S.CANCELLED,
            city=city,
            insurer=original.insurer,
            scenario=original.scenario,
            vehicles=original.vehicles,
            liability=original.liability,
            property_loss=original.property_loss,
            injured=original.injured,
            place=original.place,
            people={
                "registrar": self._person(city.code, "dispatcher"),
                "canceller": self._person(city.code, "dispatcher"),
            },
            scene=original.scene,
            location=original.location,
            located=original.located,
            role="duplicate",
            duplicate_of=original,
        )
        start = original.times[0] + timedelta(minutes=rng.uniform(20, 240))
        cancel = self._office_hours(start + timedelta(minutes=rng.uniform(30, 600)))
        cancel = min(cancel, self.now - timedelta(minutes=10))
        plan.steps = [
            Step(timedelta(), "register", {}),
            Step(cancel - start, "cancel", {"stage": S.REGISTERED}),
        ]
        plan.times = [start, cancel]
        return plan

    def _neighbour_prefix(self, city: City) -> str:
        same_province = [c.plate for c in CITIES if c.province == city.province and c != city]
        return self.rng.choice([*same_province, "沪A", "皖A", "赣A", "闽D"])

    def _stage(self, target: str) -> tuple[str, str | None, str | None]:
        """(state where forward progress stops, state paused for documents, cancel stage)."""
        rng = self.rng
        cancel_stage = None
        if target == S.CANCELLED:
            cancel_stage = rng.choices(list(CANCEL_REASONS), (4, 2, 3, 4, 1, 1))[0]
            if cancel_stage == S.AWAITING_DOCUMENTS:
                return rng.choice((S.SURVEYING, S.ASSESSING)), cancel_stage, cancel_stage
            return cancel_stage, None, cancel_stage
        if target == S.AWAITING_DOCUMENTS:
            pause_at = rng.choices(
                (S.SURVEYING, S.ASSESSING, S.IN_REVIEW, S.APPROVED), (3, 4, 2, 1)
            )[0]
            return pause_at, pause_at, None
        return target, None, None

    def _script(self, plan: CasePlan, stage: str, pause_at, cancel_stage) -> list[Step]:
        rng = self.rng
        steps: list[Step] = []

        def add(action: str, low: float, high: float, **options) -> None:
            steps.append(Step(timedelta(minutes=rng.uniform(low, high)), action, options))

        def finish() -> list[Step]:
            if pause_at:
                add("request_documents", 30, 1440, stage=stage)
                if rng.random() < 0.2:
                    add("request_documents", 30, 600, stage=stage, extra=True)
            if cancel_stage:
                add("cancel", 30, 3 * 1440, stage=cancel_stage)
            return steps

        role = plan.role
        add("register", 0, 0)
        if role in CASE_DELEGATIONS:
            add("delegate", 5, 40)
            if role == "delegation_refused":
                add("refuse_delegation", 15, 180)
            else:
                add("accept_delegation", 10, 120)
            if role == "delegation_returned":
                add("return_delegation", 60, 600)
        if stage == S.REGISTERED:
            if role == "decline":
                add("dispatch", 3, 25)
                add("decline", 2, 9)
            return finish()
        chance = rng.random()
        add("dispatch", 3, 25)
        if role == "time_out":
            add("time_out", ACCEPT_DEADLINE + 1, ACCEPT_DEADLINE + 5)
            add("dispatch", 1, 5)
        elif chance < 0.05:  # re-dispatched before anyone accepted
            add("dispatch", 10, 35)
        elif chance < 0.1:
            add("decline", 2, 9)
            add("dispatch", 3, 15)
        if stage == S.DISPATCHED:
            return finish()
        add("accept", 2, 15)
        add("arrive", 15, 70)
        if stage == S.SURVEYING:
            if role == "item_delegation":
                add("delegate", 20, 90, item=True)
            if rng.random() < 0.6:
                add("survey", 15, 45, photos=rng.randint(0, 2))
            return finish()
        add("survey", 15, 45, photos=rng.randint(1, 3))
        add("complete_survey", 5, 30)
        if role == "item_delegation":
            add("delegate", 20, 240, item=True)
        if stage == S.ASSESSING:
            mode = rng.choices(("none", "partial", "returned", "unsubmitted"), (3, 2, 2, 2))[0]
            if role == "item_delegation":
                mode = "partial"  # the delegated third-party vehicle is assessed elsewhere
            prop = plan.property_plan
            if mode == "returned" and prop and prop.stage == property_demo.SURVEY:
                mode = "unsubmitted"  # its property is still to be assessed
            if mode == "partial" and len(plan.vehicles) > 1:
                add("sheets", 60, 2 * 1440, only=1)
            elif mode in ("unsubmitted", "partial"):
                add("sheets", 60, 2 * 1440)
            elif mode == "returned":
                add("sheets", 60, 2 * 1440)
                add("submit", 10, 240)
                add("review", 60, 1.5 * 1440, decision=ReviewDecision.RETURNED)
            return finish()
        if pause_at is None and not cancel_stage and rng.random() < 0.12:
            add("request_documents", 60, 600, stage=S.ASSESSING)
            add("fulfil_documents", 1440, 4 * 1440)
        add("sheets", 60, 2 * 1440)
        add("submit", 10, 240)
        if plan.target != S.IN_SECOND_REVIEW and rng.random() < 0.12:
            add("review", 60, 1.5 * 1440, decision=ReviewDecision.RETURNED)
            add("sheets", 120, 1440, revise=True)
            add("submit", 10, 120)
        if stage == S.IN_REVIEW:
            return finish()
        add("review", 60, 1.5 * 1440, decision=ReviewDecision.APPROVED)
        if stage == S.IN_SECOND_REVIEW:
            return finish()
        add("second_review", 120, 2 * 1440)  # skipped unless level 1 sent it to level 2
        if stage == S.APPROVED:
            return finish()
        add("issue", 120, 3 * 1440)
        if stage == S.REPORT_ISSUED:
            return finish()
        add("close", 1440, 12 * 1440)
        return finish()

    def _start(self, plan: CasePlan) -> datetime:
        """When the report was registered: the whole script must end before now, open
        cases recently, finished ones anywhere in the last 90 days."""
        rng = self.rng
        total = sum((step.delay for step in plan.steps), timedelta())
        margin = timedelta(minutes=10)
        earliest = self.now - timedelta(days=HISTORY_DAYS)
        if plan.target in (S.CLOSED, S.CANCELLED):
            span = max(timedelta(), self.now - earliest - total - margin)
            start = earliest + span * rng.random()
        else:
            low, high = DWELL_MINUTES[plan.target]
            start = self.now - timedelta(minutes=rng.uniform(low, high)) - total
            start = max(start, earliest + timedelta(hours=rng.uniform(0, 48)))
        hour = timezone.localtime(start).hour
        shift = timedelta(hours=hour + 1 + rng.uniform(0, 10))
        if hour < 6 and rng.random() < 0.8 and start - shift >= earliest:
            start -= shift  # fewer reports in the small hours
        if start + total > self.now - margin:
            start = self.now - margin - total
        return start

    def _schedule(self, plan: CasePlan) -> list[datetime]:
        """The moment of every step. Field work (reports, dispatch, the survey) goes on
        round the clock; desk work (sheets, reviews, reports, documents) waits for office
        hours. The last step must still lie in the past."""
        start = self._start(plan)
        latest = self.now - timedelta(minutes=10)
        for _ in range(6):
            times, moment = [], start
            for step in plan.steps:
                moment += step.delay
                if step.action in DESK_ACTIONS:
                    moment = self._office_hours(moment)
                times.append(moment)
            if times[-1] <= latest:
                return times
            start -= times[-1] - latest + timedelta(minutes=self.rng.uniform(10, 120))
        moment, times = latest - sum((s.delay for s in plan.steps), timedelta()), []
        for step in plan.steps:  # give up on office hours rather than on the past
            moment += step.delay
            times.append(moment)
        return times

    def _office_hours(self, moment: datetime) -> datetime:
        local = timezone.localtime(moment)
        if OFFICE_HOURS[0] <= local.hour < OFFICE_HOURS[1]:
            return moment
        day = local.date() if local.hour < OFFICE_HOURS[0] else local.date() + timedelta(days=1)
        opening = datetime.combine(day, time(OFFICE_HOURS[0], 30), tzinfo=local.tzinfo)
        return opening + timedelta(minutes=self.rng.uniform(0, 180))

    # -- running the plans ------------------------------------------------------------------

    def _run_cases(self, plans: list[CasePlan]) -> None:
        with DemoClock(self.now) as clock:
            self.clock = clock
            for number, plan in enumerate(plans, start=1):
                self._switch_on_auto_dispatch(plan.times[0])
                for step, moment in zip(plan.steps, plan.times, strict=True):
                    clock.now = max(clock.now, moment) if plan.case else moment
                    if plan.case is not None:
                        plan.case.refresh_from_db()
                    try:
                        getattr(self, f"_do_{step.action}")(plan, **step.options)
                    except ServiceError as exc:
                        raise DemoBuildError(
                            f"案件 {number}（目标 {plan.target}）步骤 {step.action} 失败："
                            f"{exc.message} {exc.fields or ''}"
                        ) from exc
                plan.case.refresh_from_db()
                if plan.case.status != plan.target:
                    raise DemoBuildError(
                        f"案件 {plan.case.case_no} 应为 {plan.target}，实际为 {plan.case.status}。"
                    )
                if number % 25 == 0 or number == len(plans):
                    self.progress(f"案件 {number}/{len(plans)}")
            clock.now = self.now
            self._switch_on_auto_dispatch(self.now)
            self._report_positions(plans)

    def _switch_on_auto_dispatch(self, moment: datetime) -> None:
        """Plans run in the order they were registered, so from the first registration after
        the switch-on the system dispatches that branch's reports."""
        branch = self.branches[AUTO_DISPATCH_CITY]
        if not branch.auto_dispatch and moment >= self.roster_start:
            branch.auto_dispatch = True
            branch.save(update_fields=["auto_dispatch"])

    def _report_positions(self, plans: list[CasePlan]) -> None:
        """Where each surveyor's phone last reported: on duty a few minutes ago (at the scene
        while surveying there, otherwise in their district); off duty when the last shift
        ended, which the recommendation shows as out of date."""
        arrivals = [
            (moment, plan)
            for plan in plans
            if plan.target == S.SURVEYING and plan.scene is plan.work_city
            for step, moment in zip(plan.steps, plan.times, strict=True)
            if step.action == "arrive" and moment >= self.now - ON_SITE_WINDOW
        ]
        on_site = {  # the latest arrival wins
            plan.people["surveyor"].pk: plan.location
            for _, plan in sorted(arrivals, key=lambda arrival: arrival[0])
        }
        for surveyor_id, (_, lat, lng) in self.zones.items():
            surveyor = self.staff_by_id[surveyor_id]
            shifts = self.duty[surveyor_id]
            if any(start <= self.now < end for start, end in shifts):
                point = on_site.get(surveyor_id) or self._near(lat, lng, 0.03)
                at = self.now - timedelta(minutes=self.rng.uniform(1, 40))
            else:
                ended = max(end for _, end in shifts if end <= self.now)
                point, at = self._near(lat, lng, 0.03), ended - timedelta(minutes=5)
            do_record_position(surveyor, lat=point[0], lng=point[1], actor=surveyor, at=at)

    def _do_register(self, plan: CasePlan) -> None:
        rng, insurer, city = self.rng, plan.insurer, plan.city
        insured, third_parties = plan.vehicles[0], plan.vehicles[1:]
        reported_at = self.clock.now - timedelta(minutes=rng.uniform(1, 20))
        if plan.duplicate_of:
            accident_time = plan.duplicate_of.accident_time
        else:
            lag = rng.choices(((5, 120), (120, 720), (720, 2160)), (70, 25, 5))[0]
            if plan.late_report:  # the same draws either way: the other cases stay as they were
                lag = quality_demo.LATE_MINUTES
            accident_time = reported_at - timedelta(minutes=rng.uniform(*lag))
        year = timezone.localtime(reported_at).year
        self.claim_serials[insurer.code] += 1
        policy_year = year if rng.random() < 0.6 else year - 1

        def number(fmt: str, serial: int, y: int = year) -> str:
            return fmt.format(area=city.area, year=y, serial=serial)

        driver, driver_phone = self._customer_name(), self._mobile()
        if rng.random() < 0.8:
            reporter, reporter_phone = driver, driver_phone
        else:
            reporter, reporter_phone = self._customer_name(), self._mobile()
        if len(third_parties) == 1:
            tp_words = f"{third_parties[0].plate}号车"
        else:
            tp_words = "、".join(v.plate for v in third_parties) + "两车"
        description = injury_demo.injury_description(
            (plan.duplicate_of or plan).injury_plan,
            plan.scenario.report.format(place=plan.place, tp=tp_words),
        )
        data = {
            "client": self.clients[insurer.code],
            "client_branch": self.client_branches[(insurer.code, city.code)],
            "client_claim_no": number(insurer.claim_no, self.claim_serials[insurer.code]),
            "policy_no_ctpl": number(insurer.ctpl_no, rng.randint(1, 9999999), policy_year),
            "policy_no_commercial": (
                number(insurer.commercial_no, rng.randint(1, 9999999), policy_year)
                if rng.random() < 0.85
                else ""
            ),
            "plate": insured.plate,
            "vin": insured.vin if rng.random() < 0.95 else "",
            "reporter_name": reporter,
            "reporter_phone": reporter_phone,
            "driver_name": driver,
            "driver_phone": driver_phone,
            "accident_time": accident_time,
            "accident_place": plan.place,
            "description": description,
            "reported_at": reported_at,
            "third_party_vehicles": len(third_parties),
            "third_party_plates": ",".join(v.plate for v in third_parties),
            "property_loss": plan.property_loss,
            "injured_persons": plan.injured,
        }
        if plan.located:
            lat, lng = plan.location
            data.update(accident_lat=Decimal(str(lat)), accident_lng=Decimal(str(lng)))
        plan.case = do_register_report(data, actor=plan.people["registrar"])
        plan.accident_time = accident_time
        if plan.case.status == S.DISPATCHED:  # by the system (Branch.auto_dispatch)
            plan.auto_dispatched = True
            plan.people["surveyor"] = self.staff_by_id[plan.case.surveyor_id]

    def _do_dispatch(self, plan: CasePlan) -> None:
        """The dispatcher sends the top of the recommendation, now and then someone else for
        a reason; never again the one just re-dispatched, declined or timed out."""
        if plan.auto_dispatched:  # the system has done this step
            plan.auto_dispatched = False
            return
        rng, case = self.rng, plan.case
        passed = dict(plan.passed_over)
        if case.surveyor_id:
            passed[case.surveyor_id] = rng.choice(REDISPATCH_NOTES)
        ranking = recommend_surveyors(case)
        candidates = [r for r in ranking if r.candidate.id not in passed] or ranking
        chosen, reason = candidates[0], passed.get(ranking[0].candidate.id, "")
        if len(candidates) > 1 and rng.random() < OVERRIDE_SHARE:
            chosen, reason = candidates[1], rng.choice(OVERRIDE_REASONS)
        surveyor = self.staff_by_id[chosen.candidate.id]
        do_dispatch_case(
            case,
            surveyor=surveyor,
            note=passed.get(case.surveyor_id) or rng.choice(DISPATCH_NOTES),
            override_reason=reason,  # kept only when the pick scored below the top
            actor=plan.people["dispatcher"],
        )
        plan.people["surveyor"] = surveyor

    def _do_decline(self, plan: CasePlan) -> None:
        surveyor = plan.people["surveyor"]
        do_decline_dispatch(plan.case, reason=self.rng.choice(DECLINE_REASONS), actor=surveyor)
        plan.passed_over[surveyor.pk] = PASSED_OVER["decline"]

    def _do_time_out(self, plan: CasePlan) -> None:
        # Earlier plans left no dispatch pending this long ago, so only this one times out.
        if sweep_dispatch_timeouts() != 1:
            raise DemoBuildError(f"案件 {plan.case.case_no}：超时扫描退回了其他案件的调度。")
        plan.passed_over[plan.people["surveyor"].pk] = PASSED_OVER["time_out"]

    def _do_delegate(self, plan: CasePlan, item: bool = False) -> None:
        to_branch = self.branches[plan.remote.code]
        loss_item = None
        if item:
            plate = plan.vehicles[1].plate
            loss_item = plan.case.loss_items.get(plate=plate)
            note = ITEM_DELEGATION_NOTE.format(plate=plate, scene=plan.remote.name, to=to_branch)
        else:
            note = DELEGATION_NOTE.format(scene=plan.remote.name, to=to_branch)
        plan.delegation = do_request_delegation(
            plan.case,
            to_branch=to_branch,
            loss_item=loss_item,
            note=note,
            actor=plan.people["delegator"],
        )

    def _do_accept_delegation(self, plan: CasePlan) -> None:
        do_accept_delegation(
            plan.delegation, note=self.rng.choice(ACCEPT_NOTES), actor=plan.people["receiver"]
        )

    def _do_refuse_delegation(self, plan: CasePlan) -> None:
        do_refuse_delegation(
            plan.delegation, reason=self.rng.choice(REFUSE_REASONS), actor=plan.people["receiver"]
        )

    def _do_return_delegation(self, plan: CasePlan) -> None:
        reason = self.rng.choice(RETURN_REASONS_DELEGATION).format(home=plan.city.name)
        do_return_delegation(plan.delegation, reason=reason, actor=plan.people["receiver"])

    def _do_accept(self, plan: CasePlan) -> None:
        do_accept_dispatch(plan.case, actor=plan.people["surveyor"])

    def _do_arrive(self, plan: CasePlan) -> None:
        surveyor = plan.people["surveyor"]
        do_record_arrival(plan.case, actor=surveyor)
        if plan.scene is plan.work_city:  # else the car was surveyed back home
            lat, lng = self._near(*plan.location, 0.002)
            do_record_position(surveyor, lat=lat, lng=lng, actor=surveyor)

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

    def _callback(self, plan: CasePlan) -> None:
        """The callback closing creates (claims.signals.case_closed runs after the commit, so
        it is created here already, on the simulated clock) and its outcome so far: the
        customer answers the SMS link, or the call centre phones (once the link expired)."""
        rng = self.rng
        method = CallbackMethod.SMS if rng.random() < CALLBACK_SMS_SHARE else CallbackMethod.PHONE
        callback = do_create_callback(plan.case, method=method)
        latest = self.now - timedelta(minutes=10)
        if callback.status == CallbackStatus.SENT:
            if rng.random() < LINK_ANSWER_SHARE:
                answered = self.clock.now + timedelta(minutes=rng.uniform(10, 2 * 1440))
                if answered <= latest:
                    self.clock.now = answered
                    rating = self._rating()
                    do_submit_callback_feedback(
                        self._link_token(plan.case),
                        rating=rating,
                        comment=rng.choice(COMMENTS[rating]),
                    )
                return
            call = callback.token_expires_at
        else:
            call = self.clock.now
        caller = self._person(plan.city.code, "dispatcher")
        call = self._office_hours(call + timedelta(minutes=rng.uniform(60, 3 * 1440)))
        for _ in range(2):  # a customer not reached is tried once more
            if call > latest:
                return
            self.clock.now = call
            result = rng.choices([r for r, _ in CALL_RESULTS], [w for _, w in CALL_RESULTS])[0]
            rating = self._rating() if result == CallbackStatus.COMPLETED else None
            do_record_callback_call(
                callback,
                status=result,
                rating=rating,
                comment=rng.choice(COMMENTS[rating]) if rating else "",
                note=rng.choice(CALL_NOTES[result]),
                actor=caller,
            )
            if result != CallbackStatus.UNREACHABLE:
                return
            call = self._office_hours(call + timedelta(minutes=rng.uniform(240, 1440)))

    def _rating(self) -> int:
        return self.rng.choices((5, 4, 3, 2, 1), RATING_WEIGHTS)[0]

    @staticmethod
    def _link_token(case: Case) -> str:
        """The callback link's token, as the customer finds it in the SMS."""
        sms = SmsMessage.objects.filter(case=case, template__code=intake_sms.CALLBACK_LINK)
        return sms.latest("id").params["url"].rstrip("/").rsplit("/", 1)[-1]

    def _do_cancel(self, plan: CasePlan, stage: str) -> None:
        reason, note = self.rng.choice(CANCEL_REASONS[stage])
        if plan.duplicate_of:
            first = plan.duplicate_of.case.report.report_no
            reason, note = CancelReason.DUPLICATE, f"与报案 {first} 为同一事故，保留先报案件。"
        claims_services.do_cancel_case(
            plan.case, reason=reason, note=note, actor=plan.people["canceller"]
        )


# ---------------------------------------------------------------------------------------
# Pictures
# ---------------------------------------------------------------------------------------

FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
)
SKY = ((176, 196, 222), (200, 210, 220), (150, 170, 190), (215, 222, 228))
ROAD = ((90, 90, 95), (110, 108, 104), (70, 72, 78))
TRUNK = (95, 72, 50)
PAINT = (
    (190, 30, 45),
    (240, 240, 240),
    (30, 30, 35),
    (40, 80, 160),
    (150, 150, 155),
    (200, 170, 60),
)


@cache
def _font(size: int):
    """A CJK font when the machine has one (Debian: fonts-noto-cjk); Pillow's own otherwise
    (Chinese characters then show as boxes, which is fine for demo pictures)."""
    for path in FONT_FILES:
        if not Path(path).exists():
            continue
        for index in range(5):
            try:
                font = ImageFont.truetype(path, size, index=index)
            except OSError:
                break
            if "SC" in " ".join(font.getname()) or path.endswith(("hei.ttc", "PingFang.ttc")):
                return font
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def distinct_photo(case: Case, rng: random.Random, **drawing) -> SimpleUploadedFile:
    """demo_photo, drawn again while another case holds a near-duplicate of it (the
    perceptual hash and search of an upload, claims.photos). The drawings are random, and
    now and then two cases' photos came out alike and the demo showed a false finding. A
    redraw uses the case's own generator, so the shared one's sequence stays as it was."""
    upload = demo_photo(rng, **drawing)
    redraw = random.Random(f"{case.case_no}-{drawing['index']}")
    for _attempt in range(10):
        phash = prepare_photo(upload.read(), lambda exif: []).phash
        upload.seek(0)
        if nearest_in_other_cases(phash, case.pk) is None:
            break
        upload = demo_photo(redraw, **drawing)
    return upload


def demo_photo(
    rng: random.Random,
    *,
    plate: str,
    zone: str,
    new_energy: bool,
    when: datetime,
    caption: str,
    index: int,
    total: int,
) -> SimpleUploadedFile:
    """A small JPEG that looks like a survey photo: a car outline with the damage ringed,
    the plate and a camera time stamp. The scene (street, car size and place) and the
    framing (zoom, aim, side) are each photo's own, as a hand-held camera's would be, so
    the near-duplicate search does not take every demo case's photos for one another."""
    width, height = 480, 360
    scene_w, scene_h = 800, 600
    horizon = rng.randint(280, 380)
    image = Image.new("RGB", (scene_w, scene_h), rng.choice(SKY))
    draw = ImageDraw.Draw(image)
    x = rng.randint(-60, 0)
    while x < scene_w:  # buildings and trees along the street
        w, h = rng.randint(40, 150), rng.randint(40, 240)
        if rng.random() < 0.3:
            green = (rng.randint(40, 80), rng.randint(95, 145), rng.randint(40, 80))
            draw.rectangle((x + w // 2 - 5, horizon - h // 2, x + w // 2 + 5, horizon), fill=TRUNK)
            draw.ellipse((x, horizon - h, x + w, horizon - h + w), fill=green)
        else:
            grey = rng.randint(95, 205)
            draw.rectangle((x, horizon - h, x + w, horizon), fill=(grey, grey, grey + 12))
        x += w + rng.randint(0, 70)
    draw.rectangle((0, horizon, scene_w, scene_h), fill=rng.choice(ROAD))
    lane = rng.randint(horizon + 150, scene_h - 20)
    for x in range(rng.randint(0, 60), scene_w, 110):
        draw.rectangle((x, lane, x + 55, lane + 7), fill=(235, 235, 235))

    scale = rng.uniform(0.8, 1.35)
    left = rng.randint(20, max(21, int(scene_w - 340 * scale) - 20))
    top = horizon + rng.randint(10, 90) - int(80 * scale)

    def at(dx: float, dy: float) -> tuple[int, int]:
        """A point of the car (body 340 × 80 from its top-left corner) in the scene."""
        return (int(left + dx * scale), int(top + dy * scale))

    colour = PAINT[sum(map(ord, plate)) % len(PAINT)]  # the same car in every photo
    outline = (25, 25, 25)
    draw.polygon([at(75, 0), at(120, -58), at(215, -58), at(280, 0)], fill=colour, outline=outline)
    draw.polygon([at(92, -4), at(126, -48), at(210, -48), at(262, -4)], fill=(175, 205, 225))
    draw.line((at(160, -50), at(160, -2)), fill=colour, width=max(3, int(6 * scale)))
    body = (*at(0, 0), *at(340, 80))
    draw.rounded_rectangle(body, radius=int(22 * scale), fill=colour, outline=outline, width=3)
    for cx in (72, 268):
        draw.ellipse((*at(cx - 33, 48), *at(cx + 33, 114)), fill=(35, 35, 35))
        draw.ellipse((*at(cx - 14, 67), *at(cx + 14, 95)), fill=(170, 170, 170))
    if zone == "flood":
        water = Image.new("RGB", (scene_w, scene_h - horizon), (60, 90, 120))
        flooded = image.crop((0, horizon, scene_w, scene_h))
        image.paste(Image.blend(flooded, water, 0.55), (0, horizon))
        draw = ImageDraw.Draw(image)
        aim = at(170, 40)
    else:
        dx = {"front": 305, "rear": 35}.get(zone, 170 + rng.randint(-60, 60))
        aim = at(dx, rng.randint(15, 45))
        ring = (aim[0] - 40 * scale, aim[1] - 30 * scale, aim[0] + 40 * scale, aim[1] + 30 * scale)
        draw.ellipse(ring, outline=(225, 20, 20), width=4)
        for _ in range(4):
            draw.line(
                (
                    (aim[0] + rng.randint(-25, 25), aim[1] + rng.randint(-18, 18)),
                    (aim[0] + rng.randint(-25, 25), aim[1] + rng.randint(-18, 18)),
                ),
                fill=(60, 60, 60),
                width=2,
            )
    # The framing: the first photo shows the whole scene, the others move in on the damage.
    frame_w = rng.randint(560, 760) if index == 1 else rng.randint(320, 600)
    frame_h = frame_w * height // width
    cx = (scene_w // 2 + rng.randint(-80, 80)) if index == 1 else aim[0] + rng.randint(-90, 90)
    cy = (scene_h // 2 + rng.randint(-40, 40)) if index == 1 else aim[1] + rng.randint(-60, 60)
    x0 = min(max(cx - frame_w // 2, 0), scene_w - frame_w)
    y0 = min(max(cy - frame_h // 2, 0), scene_h - frame_h)
    image = image.crop((x0, y0, x0 + frame_w, y0 + frame_h)).resize((width, height))
    if rng.random() < 0.5:
        image = ImageOps.mirror(image)  # photographed from the other side
    draw = ImageDraw.Draw(image)
    plate_bg, plate_fg = (
        ((90, 190, 110), (0, 0, 0)) if new_energy else ((20, 70, 170), (255, 255, 255))
    )
    draw.rounded_rectangle(
        (12, 12, 200, 50), radius=5, fill=plate_bg, outline=(240, 240, 240), width=2
    )
    draw.text((22, 15), plate, font=_font(24), fill=plate_fg)
    stamp = f"{when:%Y-%m-%d %H:%M:%S}"
    draw.text((width - 210, height - 30), stamp, font=_font(17), fill=(255, 210, 0))
    draw.text((12, height - 30), f"{caption} {index}/{total}", font=_font(17), fill=(255, 255, 255))
    buffer = BytesIO()
    image.save(buffer, format="JPEG", quality=72)
    return SimpleUploadedFile(
        f"IMG_{when:%Y%m%d_%H%M%S}_{index}.jpg", buffer.getvalue(), content_type="image/jpeg"
    )


def demo_document(rng: random.Random, title: str, plan: CasePlan) -> SimpleUploadedFile:
    """A scanned-looking page for a supplied document (资料补充)."""
    image = Image.new("RGB", (420, 560), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((15, 15, 405, 545), outline=(120, 120, 120), width=2)
    draw.text((40, 40), title, font=_font(26), fill=(20, 20, 20))
    rows = (
        f"车牌号：{plan.vehicles[0].plate}",
        f"车辆识别代号：{plan.vehicles[0].vin}",
        f"出险地点：{plan.place[:14]}",
        f"委托方：{plan.insurer.short_name}",
    )
    for i, row in enumerate(rows):
        draw.text((40, 110 + 40 * i), row, font=_font(16), fill=(40, 40, 40))
    for y in range(300, 500, 24):
        draw.line((40, y, 40 + rng.randint(200, 340), y), fill=(170, 170, 170), width=2)
    draw.ellipse((280, 440, 380, 540), outline=(200, 30, 30), width=3)
    buffer = BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return SimpleUploadedFile(f"{title}扫描件.jpg", buffer.getvalue(), content_type="image/jpeg")
