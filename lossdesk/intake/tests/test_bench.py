"""The intake benchmark command registers and dispatches through the services and prints
one JSON line (the figures in docs/benchmarks.md come from it on PostgreSQL)."""

import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from lossdesk.claims.models import Case
from lossdesk.intake.models import Dispatch, Report

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("mode", ["auto", "manual"])
def test_bench_intake_registers_and_dispatches_every_report_and_prints_the_rate(mode):
    out = StringIO()
    call_command(
        "bench_intake", reports=7, batch=3, branches=2, surveyors=3, dispatch=mode, stdout=out
    )
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["bench"] == "intake" and result["dispatch_mode"] == mode
    assert result["reports"] == result["dispatched"] == 7
    assert result["reports_per_second"] > 0
    assert Report.objects.filter(client__code="bench").count() == 7
    assert Case.objects.filter(status="dispatched").count() == 7
    assert Dispatch.objects.filter(auto=(mode == "auto")).count() == 7


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel intake needs PostgreSQL")
def test_bench_intake_workers_share_the_reports_without_clashing_numbers():
    # Its own process: forking the workers from a multi-threaded test runner could deadlock.
    db = connection.settings_dict
    login = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    url = f"postgres://{login}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    run = subprocess.run(
        [sys.executable, "manage.py", "bench_intake", "--reports=9", "--workers=2", "--branches=2"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["workers"] == 2 and result["reports"] == result["dispatched"] == 9
    numbers = list(Report.objects.values_list("report_no", flat=True))
    assert len(numbers) == len(set(numbers)) == 9
    assert Case.objects.filter(status="dispatched").count() == 9


def test_bench_intake_refuses_parallel_workers_on_sqlite():
    if connection.vendor == "postgresql":
        pytest.skip("SQLite only")
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("bench_intake", reports=2, workers=2, stdout=StringIO())
