"""The demo firm (公估机构): head office, three provincial and six city branches, their
staff (one password for all, hashed once), the five insurers (委托方) with a branch and a
contact in every province and city, and each city's repair shops. `FirmDemo` is a part of
DemoBuilder: it plans the staff (the same seed gives the same people), refuses to build over
an existing firm, builds the organisation, and draws the people's names, mobiles and places
the rest of the demo uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db.models import Q

from lossdesk.core.validators import validate_mobile
from lossdesk.demo.errors import DemoBuildError
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

HQ_CODE = "hq"

# ---------------------------------------------------------------------------------------
# Branches and staff
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
# What a city's first, second and third surveyor can survey besides vehicles.
SURVEYOR_SKILLS = ({"skill_property": True, "skill_injury": True}, {"skill_property": True}, {})

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
# Customers
# ---------------------------------------------------------------------------------------

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


class FirmDemo:
    # -- refusing to run twice ---------------------------------------------------------------

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

    # -- organisation ------------------------------------------------------------------------

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

    def _person(self, branch: str, position: str) -> Staff:
        return self.rng.choice(self.people[(branch, position)])

    # -- random but plausible values ---------------------------------------------------------

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

    def _near(self, lat: float, lng: float, spread: float) -> tuple[float, float]:
        """A point within `spread` degrees (0.01° ≈ 1 km) of the given one."""
        rng = self.rng
        return (
            round(lat + rng.uniform(-spread, spread), 6),
            round(lng + rng.uniform(-spread, spread), 6),
        )
