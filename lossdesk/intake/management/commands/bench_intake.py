"""`manage.py bench_intake --reports N`: register and dispatch N reports through the services,
in batched transactions as a busy intake desk would, and print the rate as one JSON line.

It builds (or reuses) a bench firm of its own: branches `bench-01`…, a dispatcher and
surveyors per branch with positions, skills and a full-day roster, and a bench client. With
`--dispatch auto` (the default) the branches have automatic dispatch on and registering a
report dispatches the top-ranked surveyor in the same transaction; with `--dispatch manual`
the dispatcher asks for the recommendation and confirms its top candidate. SMS are written
to the outbox as in production; their delivery is background work, which the bench leaves
queued unless `--deliver-sms` (then the configured task backend runs it).

`--workers N` runs N intake processes side by side (forked after the set-up, each with its
own database connection), as a deployment runs several; the rate is for all of them.

On a PostgreSQL server with autovacuum off, the bench vacuums and analyses the tables it
writes every VACUUM_EVERY reports, inside the timed run, as autovacuum would: without it
the statistics stay those of empty tables and every index look-up visits the heap."""

import json
import multiprocessing
import random
import sys
import time
from datetime import time as clock
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction
from django.test.utils import override_settings
from django.utils import timezone

from lossdesk.claims.models import Case, CaseEvent, LossItem
from lossdesk.intake.models import Dispatch, Report, RosterShift
from lossdesk.intake.services.dispatch import do_dispatch_case, recommend_surveyors
from lossdesk.intake.services.reports import do_register_report
from lossdesk.notify.models import SmsMessage
from lossdesk.org.choices import BranchLevel
from lossdesk.org.models import Branch, Client, Position, Staff

LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
ZONES = ("西湖区", "上城区", "拱墅区", "滨江区", "萧山区")
DUMMY_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
VACUUM_EVERY = 5000


class Command(BaseCommand):
    help = "Register and dispatch N reports through the services; print the rate as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--reports", type=int, default=1000)
        parser.add_argument("--batch", type=int, default=1, help="reports per transaction")
        parser.add_argument("--workers", type=int, default=1, help="intake processes")
        # 200 × 25 surveyors: 50,000 reports leave each about ten open dispatches (the bench
        # never accepts them), as busy as a real surveyor gets; with 20 it would be a hundred.
        parser.add_argument("--branches", type=int, default=200)
        parser.add_argument("--surveyors", type=int, default=25, help="per branch")
        parser.add_argument("--dispatch", choices=("auto", "manual"), default="auto")
        parser.add_argument("--deliver-sms", action="store_true")
        parser.add_argument("--seed", type=int, default=5)

    def handle(self, *args, **options):
        n = options["reports"]
        counts = ("reports", "batch", "workers", "branches", "surveyors")
        if any(options[name] < 1 for name in counts):
            raise CommandError(f"{', '.join('--' + name for name in counts)} must be ≥ 1")
        if options["workers"] > 1 and connection.vendor != "postgresql":
            raise CommandError("--workers > 1 needs PostgreSQL (SQLite has one writer at a time)")
        # The run stamp goes into the seed: reports of an earlier run (same plates) would
        # otherwise all be flagged as duplicates.
        self.run_id = timezone.now().strftime("%m%d%H%M%S")
        self.random = random.Random(f"{options['seed']}-{self.run_id}")
        firm = self.setup(options["branches"], options["surveyors"], options["dispatch"])
        self.vacuum = self.autovacuum_off()
        tasks = settings.TASKS if options["deliver_sms"] else DUMMY_TASKS
        with override_settings(TASKS=tasks):
            result = self.run(n, options["batch"], options["workers"], firm, options["dispatch"])
        result.update(
            {
                "dispatch_mode": options["dispatch"],
                "batch": options["batch"],
                "workers": options["workers"],
                "branches": options["branches"],
                "surveyors_per_branch": options["surveyors"],
                "sms_delivery": "inline" if options["deliver_sms"] else "queued",
                "vacuum": f"every {VACUUM_EVERY} reports" if self.vacuum else "autovacuum",
                "database": connection.vendor,
            }
        )
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    # ------------------------------------------------------------------------- set-up

    def setup(self, branch_count: int, surveyor_count: int, mode: str) -> dict:
        codes = ["dispatcher", "surveyor"]
        positions = {p.code: p for p in Position.objects.filter(code__in=codes)}
        if len(positions) != 2:
            raise CommandError("Standard positions missing: run `manage.py migrate` first.")
        hq, _ = Branch.objects.get_or_create(
            code="bench", defaults={"name": "压测总部", "level": BranchLevel.HQ}
        )
        client, _ = Client.objects.get_or_create(
            code="bench", defaults={"name": "压测保险股份有限公司", "short_name": "压测保险"}
        )
        today = timezone.localdate()
        now = timezone.now()
        branches = []
        for b in range(1, branch_count + 1):
            branch, _ = Branch.objects.get_or_create(
                code=f"bench-{b:02d}",
                defaults={
                    "name": f"压测{b:02d}分公司",
                    "level": BranchLevel.CITY,
                    "parent": hq,
                    "province": "浙江",
                    "city": f"压测{b:02d}",
                },
            )
            branch.auto_dispatch = mode == "auto"
            branch.region = f"BENCH{b:02d}"
            branch.save(update_fields=["auto_dispatch", "region"])
            dispatcher = self.staff(
                f"bench-d-{b:02d}", f"调度{b:02d}", positions["dispatcher"], branch
            )
            centre = (30.0 + b * 0.1, 120.0 + b * 0.1)
            surveyors = []
            for s in range(1, surveyor_count + 1):
                name = f"查勘{b:02d}-{s:02d}"
                person = self.staff(f"bench-s-{b:02d}-{s:02d}", name, positions["surveyor"], branch)
                person.skill_property = s % 3 == 0
                person.skill_injury = s % 4 == 0
                person.last_lat = Decimal(str(round(centre[0] + self.random.uniform(-0.1, 0.1), 6)))
                person.last_lng = Decimal(str(round(centre[1] + self.random.uniform(-0.1, 0.1), 6)))
                person.last_position_at = now
                person.save()
                RosterShift.objects.get_or_create(
                    surveyor=person,
                    date=today,
                    start_time=clock(0, 0),
                    defaults={"end_time": clock(0, 0), "zone": ZONES[s % len(ZONES)]},
                )
                surveyors.append(person)
            branches.append(
                {"branch": branch, "dispatcher": dispatcher, "centre": centre, "staff": surveyors}
            )
        staff = {p.pk: p for b in branches for p in b["staff"]}
        return {"client": client, "branches": branches, "staff": staff}

    @staticmethod
    def staff(username, full_name, position, branch) -> Staff:
        person, created = Staff.objects.get_or_create(
            username=username,
            defaults={"full_name": full_name, "position": position, "branch": branch},
        )
        if created:
            person.set_unusable_password()
            person.mobile = f"139{person.pk:08d}"[-11:]
            person.save()
        return person

    # --------------------------------------------------------------------------- run

    @staticmethod
    def autovacuum_off() -> bool:
        if connection.vendor != "postgresql":
            return False
        with connection.cursor() as cursor:
            cursor.execute("SHOW autovacuum")
            return cursor.fetchone()[0] == "off"

    @staticmethod
    def vacuum_tables() -> None:
        models = (Report, Case, LossItem, CaseEvent, Dispatch, SmsMessage)
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {tables}")

    def report(self, i: int, run: str, firm: dict, entry: dict) -> dict:
        rnd = self.random
        now = timezone.now()
        lat, lng = entry["centre"]
        return {
            "client": firm["client"],
            "client_claim_no": f"B{run}-{i:07d}",
            "plate": f"浙{rnd.choice(LETTERS)}{rnd.randrange(100000):05d}",
            "reporter_name": "压测客户",
            "reporter_phone": f"138{rnd.randrange(10**8):08d}",
            "accident_time": now - timedelta(minutes=rnd.randrange(10, 120)),
            "reported_at": now,
            "accident_place": f"{entry['branch'].city}{rnd.choice(ZONES)}文三路{i % 500}号",
            "accident_lat": Decimal(str(round(lat + rnd.uniform(-0.1, 0.1), 6))),
            "accident_lng": Decimal(str(round(lng + rnd.uniform(-0.1, 0.1), 6))),
            "description": "压测报案",
            "third_party_vehicles": rnd.choice((0, 0, 1)),
            "property_loss": rnd.random() < 0.1,
            "injured_persons": 1 if rnd.random() < 0.05 else 0,
        }

    def run(self, n: int, batch: int, workers: int, firm: dict, mode: str) -> dict:
        started = time.perf_counter()
        if workers == 1:
            dispatched = self.work(0, 1, n, batch, firm, mode)
        else:
            connections.close_all()  # each forked worker opens its own connection
            context = multiprocessing.get_context("fork")
            results = context.SimpleQueue()
            processes = [
                context.Process(
                    target=lambda w=w: results.put(self.work(w, workers, n, batch, firm, mode))
                )
                for w in range(workers)
            ]
            for process in processes:
                process.start()
            for process in processes:
                process.join()
            if any(process.exitcode for process in processes):
                raise CommandError("An intake worker failed (its traceback is above).")
            dispatched = sum(results.get() for _ in processes)
        seconds = time.perf_counter() - started
        return {
            "bench": "intake",
            "reports": n,
            "dispatched": dispatched,
            "seconds": round(seconds, 2),
            "reports_per_second": round(n / seconds, 1),
            "projected_seconds_for_50000": round(50000 * seconds / n, 1),
        }

    def work(self, worker: int, workers: int, n: int, batch: int, firm: dict, mode: str) -> int:
        """Register reports worker, worker + workers, … below n; the number dispatched."""
        from django.tasks import task_backends

        if workers > 1:
            self.random = random.Random(f"{self.run_id}-{worker}")
        branches = firm["branches"]
        mine = range(worker, n, workers)
        dispatched = 0
        started = time.perf_counter()
        for first in range(0, len(mine), batch):
            with transaction.atomic():
                for i in mine[first : first + batch]:
                    entry = branches[i % len(branches)]
                    data = self.report(i, self.run_id, firm, entry)
                    case = do_register_report(
                        data, actor=entry["dispatcher"], branch=entry["branch"]
                    )
                    if mode == "manual":
                        ranking = recommend_surveyors(case)
                        if ranking:
                            do_dispatch_case(
                                case,
                                surveyor=firm["staff"][ranking[0].candidate.id],
                                actor=entry["dispatcher"],
                            )
                            dispatched += 1
                    elif case.status == "dispatched":
                        dispatched += 1
            backend = task_backends["default"]
            if hasattr(backend, "clear"):
                backend.clear()
            done = min(first + batch, len(mine))
            every = max(VACUUM_EVERY // workers, 1)
            if self.vacuum and worker == 0 and done // every > first // every:
                self.vacuum_tables()
            if worker == 0 and (done * 10 // len(mine) > first * 10 // len(mine)):
                elapsed = time.perf_counter() - started
                print(f"worker 0: {done}/{len(mine)} in {elapsed:.1f}s", file=sys.stderr)
        if workers > 1:
            connection.close()  # a forked worker's own connection
        return dispatched
