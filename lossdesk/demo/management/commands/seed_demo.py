"""`manage.py seed_demo`: fill an empty database with a believable demo firm and a small parts
catalogue (lossdesk.parts.seeding, as `seed_parts`), and print the demo logins last. Refuses
(exit status 1, nothing changed) when the demo data is already there."""

import logging
import unicodedata
from contextlib import contextmanager

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from lossdesk.claims.choices import CaseStatus
from lossdesk.demo.builder import DEFAULT_CASES, DEFAULT_PASSWORD, DEFAULT_SEED, DemoBuilder
from lossdesk.demo.errors import DemoBuildError, DemoDataExists
from lossdesk.demo.firm import POSITION_ORDER
from lossdesk.intake.choices import CallbackStatus, DelegationStatus
from lossdesk.parts import seeding

# Enough parts for every demo make's series to turn up in a search, loaded in seconds.
DEMO_PARTS = 3000


def display_width(text: str) -> int:
    """Terminal columns: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(display_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    rule = "  ".join("-" * w for w in widths)
    lines = ["  ".join(pad(cell, w) for cell, w in zip(header, widths, strict=True)), rule]
    lines += ["  ".join(pad(cell, w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    return [line.rstrip() for line in lines]


@contextmanager
def quiet(*logger_names: str):
    """Raise the given loggers to WARNING for a while (WeasyPrint logs every layout step,
    the task backend a line per SMS task; "" is the root logger)."""
    loggers = [logging.getLogger(name) for name in logger_names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


class Command(BaseCommand):
    help = (
        "生成演示数据：机构、员工、委托方、修理厂和覆盖全部状态的案件，并打印演示账号。"
        " / Build demo data (firm, staff, insurers, repair shops, cases in every state)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"所有演示账号的密码 / password of every demo login (default {DEFAULT_PASSWORD})",
        )
        parser.add_argument(
            "--cases",
            type=int,
            default=DEFAULT_CASES,
            help=f"案件数量 / number of cases (default {DEFAULT_CASES})",
        )
        parser.add_argument(
            "--parts",
            type=int,
            default=DEMO_PARTS,
            help=f"配件目录的配件数量 / parts in the catalogue (default {DEMO_PARTS}; 0: none)",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"随机种子 / random seed (default {DEFAULT_SEED})",
        )

    def handle(self, *args, password: str, cases: int, parts: int, seed: int, **options):
        verbosity = options["verbosity"]
        if cases < 0:
            raise CommandError("案件数量不能为负数。/ --cases must not be negative.")
        if parts < 0:
            raise CommandError("配件数量不能为负数。/ --parts must not be negative.")
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError(
                f"密码不符合要求 / password rejected: {' '.join(exc.messages)}"
            ) from exc

        def progress(message: str) -> None:
            if verbosity >= 1:
                self.stdout.write(message)

        builder = DemoBuilder(seed=seed, cases=cases, password=password, progress=progress)
        conflicts = builder.conflicts()
        if conflicts:
            raise self.refusal(conflicts)
        progress(f"正在生成演示数据（{cases} 个案件，种子 {seed}）…")
        try:
            with quiet("", "weasyprint", "weasyprint.progress", "fontTools", "django.tasks"):
                result = builder.build()
        except DemoDataExists as exc:  # someone else seeded meanwhile
            raise self.refusal(exc.conflicts) from exc
        except DemoBuildError as exc:
            raise CommandError(
                f"生成演示数据失败，未保存任何数据。/ Demo build failed, nothing saved: {exc}"
            ) from exc
        with quiet("", "django.tasks"):
            catalogue, catalogue_seconds = self.seed_catalogue(parts, seed, progress, verbosity)

        rank = {code: i for i, code in enumerate(POSITION_ORDER)}
        branch_order = {}
        for user in result.staff:
            branch_order.setdefault(user.branch_id, len(branch_order))
        staff = sorted(
            result.staff,
            key=lambda u: (branch_order[u.branch_id], rank.get(u.position.code, 99), u.username),
        )
        rows = [
            (
                u.username,
                u.full_name,
                u.position.name + ("（管理后台）" if u.is_staff else ""),
                u.branch.name,
            )
            for u in staff
        ]
        out = self.stdout
        counts = "，".join(
            f"{status.label} {result.by_status.get(status.value, 0)}" for status in CaseStatus
        )
        out.write(
            f"机构 {result.branches}，员工 {len(result.staff)}，委托方 {result.clients}，"
            f"修理厂 {result.repair_shops}，案件 {result.cases}（{counts}），"
            f"照片 {result.photos}，公估报告 {result.reports}。"
        )
        delegations = "，".join(
            f"{status.label} {result.delegations[status.value]}"
            for status in DelegationStatus
            if result.delegations[status.value]
        )
        callbacks = "，".join(
            f"{status.label} {result.callbacks[status.value]}"
            for status in CallbackStatus
            if result.callbacks[status.value]
        )
        average = (
            f"，平均评分 {result.average_rating:.1f}" if result.average_rating is not None else ""
        )
        out.write(
            f"排班 {result.roster_shifts} 班次，委托异地 {result.delegations.total()}"
            f"（{delegations or '无'}），拒单 {result.declined}，超时未接单 {result.timed_out}，"
            f"待改派 {result.open_alerts}，系统自动调度 {result.auto_dispatched}，"
            f"客户回访 {result.callbacks.total()}（{callbacks or '无'}{average}），"
            f"疑似重复报案 {result.duplicates}。"
        )
        out.write(catalogue)
        seconds = result.seconds + catalogue_seconds
        out.write(self.style.SUCCESS(f"完成，用时 {seconds:.1f} 秒。/ Done in {seconds:.1f} s."))
        # The logins come last, so they are on screen when the server starts.
        out.write("")
        out.write(self.style.SUCCESS("演示账号 / demo logins"))
        for line in table(("用户名", "姓名", "岗位", "机构"), rows):
            out.write(line)
        out.write("")
        out.write(f"所有演示账号的密码 / password for every demo login: {password}")
        out.write("管理后台 / admin site: /admin/  （系统管理员、安全管理员、审计员）")
        out.write("")

    @staticmethod
    def seed_catalogue(parts: int, seed: int, progress, verbosity: int) -> tuple[str, float]:
        """The parts catalogue for the demo's makes, unless one is loaded already (e.g. by
        `seed_parts`): (the summary line, seconds)."""
        if not parts:
            return "配件目录：未生成（--parts 0）。", 0.0
        if not seeding.catalogue_is_empty():
            return "配件目录：已有数据，保留现有目录。", 0.0
        progress(f"正在生成配件目录（{parts} 个配件）…")
        log = progress if verbosity >= 2 else (lambda message: None)
        result = seeding.Seeder(parts, seed=seed, log=log).run()
        line = (
            f"配件目录：品牌 {result.makes}，车系 {result.series}，车型 {result.models}，"
            f"配件 {result.parts}，价格 {result.prices}，适用关系 {result.fitments}。"
        )
        return line, result.seconds

    @staticmethod
    def refusal(conflicts: list[str]) -> CommandError:
        details = "；".join(conflicts)
        return CommandError(
            "演示数据已存在，未做任何修改。/ Demo data already exists; nothing was changed.\n"
            f"{details}"
        )
