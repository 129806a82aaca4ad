"""The intake benchmark command registers and dispatches through the services and prints
one JSON line (the figures in docs/benchmarks.md come from it on PostgreSQL)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

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
