"""The quality committee's books as Excel (core.excel): the monthly register (月度登记表)
and the quarterly report (季度报告), from the reads in `queries`."""

from django.utils import timezone

from lossdesk.core.excel import Column, Workbook
from lossdesk.quality.staff.choices import Severity

REGISTER_COLUMNS = [
    Column("登记日期", 12),
    Column("机构", 14),
    Column("被登记人", 12),
    Column("岗位", 10),
    Column("违规项目", 30),
    Column("情节", 8),
    Column("违规日期", 12),
    Column("扣分"),
    Column("生效扣分"),
    Column("状态"),
    Column("相关案件", 22),
    Column("登记人", 12),
]
COMPLAINT_COLUMNS = [
    Column("受理时间", 17),
    Column("机构", 14),
    Column("来源"),
    Column("投诉人", 12),
    Column("保险公司", 12),
    Column("相关案件", 22),
    Column("被投诉人", 12),
    Column("投诉内容", 40),
    Column("状态", 12),
    Column("处理结论", 30),
]
REPORT_COLUMNS = [
    Column("受理时间", 17),
    Column("机构", 14),
    Column("举报人", 12),
    Column("被举报人", 12),
    Column("举报内容", 40),
    Column("处理决定", 12),
    Column("奖励金额", 12, "#,##0.00"),
    Column("查处意见", 30),
]


def _local(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def month_workbook(books: dict, month: str) -> bytes:
    book = Workbook()
    book.add_sheet(
        f"违规登记 {month}",
        REGISTER_COLUMNS,
        [
            [
                f"{r.registered_at:%Y-%m-%d}",
                str(r.branch),
                str(r.person),
                r.person.position.name if r.person.position else "",
                r.item.title,
                r.item.get_severity_display(),
                r.occurred_on,
                r.points,
                r.final_points,
                r.get_status_display(),
                r.case.case_no if r.case else "",
                str(r.registered_by),
            ]
            for r in books["records"]
        ],
    )
    book.add_sheet(
        f"投诉 {month}",
        COMPLAINT_COLUMNS,
        [
            [
                _local(c.received_at),
                str(c.branch),
                c.get_source_display(),
                c.complainant,
                str(c.client) if c.client else "",
                c.case.case_no if c.case else "",
                str(c.staff) if c.staff else "",
                c.summary,
                c.get_status_display(),
                c.conclusion,
            ]
            for c in books["complaints"]
        ],
    )
    book.add_sheet(
        f"举报 {month}",
        REPORT_COLUMNS,
        [
            [
                _local(w.received_at),
                str(w.branch),
                w.reporter_name or "匿名",
                str(w.subject) if w.subject else "",
                w.content,
                w.get_status_display(),
                w.reward,
                w.decision_reason,
            ]
            for w in books["reports"]
        ],
    )
    return book.content()


def quarter_workbook(report: dict, quarter: str) -> bytes:
    book = Workbook()
    people = report["people"]
    book.add_sheet(
        f"人员扣分 {quarter}",
        [
            Column("机构", 14),
            Column("姓名", 12),
            Column("岗位", 10),
            Column("违规条数"),
            Column("生效扣分"),
            Column("投诉属实"),
            Column("奖励"),
        ],
        [[p.branch, p.name, p.post, p.entries, p.points, p.complaints, p.awards] for p in people],
        footer=[
            "合计",
            "",
            "",
            sum(p.entries for p in people),
            sum(p.points for p in people),
            sum(p.complaints for p in people),
            sum(p.awards for p in people),
        ],
    )
    book.add_sheet(
        f"违规项目 {quarter}",
        [Column("代码"), Column("违规项目", 30), Column("情节"), Column("条数"), Column("扣分")],
        [
            [
                i["item__code"],
                i["item__title"],
                Severity(i["item__severity"]).label,
                i["entries"],
                i["points"] or 0,
            ]
            for i in report["items"]
        ],
    )
    book.add_sheet(
        f"扣分处理 {quarter}",
        [
            Column("触发时间", 17),
            Column("机构", 14),
            Column("扣分人", 12),
            Column("累计扣分"),
            Column("承担人", 12),
            Column("处理措施", 20),
        ],
        [
            [
                _local(c.raised_at),
                str(c.branch),
                str(c.about),
                c.points,
                f"{c.person}（{c.threshold.get_subject_display()}）",
                c.threshold.consequence,
            ]
            for c in report["consequences"]
        ],
    )
    return book.content()
