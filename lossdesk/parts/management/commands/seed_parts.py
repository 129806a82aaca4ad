"""manage.py seed_parts --parts N [--seed S] [--reset]: the demo catalogue (see
lossdesk/parts/seeding.py). The same N and seed always give the same catalogue."""

from django.core.management.base import BaseCommand, CommandError

from lossdesk.parts import seeding


class Command(BaseCommand):
    help = "生成确定性的演示配件目录（品牌、车系、车型、VIN 规则、配件、价格、适用车型）。"

    def add_arguments(self, parser):
        parser.add_argument("--parts", type=int, default=10_000, help="配件数量（默认 10000）")
        parser.add_argument("--seed", type=int, default=20261127, help="随机种子")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="先清空现有目录及其询价单、人工报价、本地价（仅用于演示库）",
        )

    def handle(self, *args, parts: int, seed: int, reset: bool, **options):
        if parts < 0 or parts > 10_000_000:
            raise CommandError("--parts 应在 0 到 10000000 之间。")
        if not seeding.catalogue_is_empty():
            if not reset:
                raise CommandError("目录已有数据。加 --reset 清空后重新生成。")
            self.stdout.write("清空现有目录……")
            seeding.reset_catalogue()
        result = seeding.Seeder(parts, seed=seed, log=self.stdout.write).run()
        self.stdout.write(
            self.style.SUCCESS(
                f"完成：品牌 {result.makes}，车系 {result.series}，车型 {result.models}，"
                f"标准名称 {result.names}，配件 {result.parts}，价格 {result.prices}，"
                f"适用关系 {result.fitments}，用时 {result.seconds:.1f} 秒。"
            )
        )
