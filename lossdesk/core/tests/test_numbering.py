"""Business numbers: prefix, local date, running counter per prefix; unique, and on
PostgreSQL issued without making a second transaction wait (decision 0010)."""

import re
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, connections, transaction

from lossdesk.core.numbering import PREFIXES, WIDTH, next_number, next_numbers, sequence_name

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def split(number: str, prefix: str) -> tuple[str, int]:
    match = re.fullmatch(rf"{prefix}(\d{{8}})(\d{{{WIDTH},}})", number)
    assert match, number
    return match[1], int(match[2])


@pytest.mark.parametrize("prefix", sorted(PREFIXES))
def test_every_prefix_issues_increasing_numbers_with_the_local_date(prefix):
    # 23:30 on 1 March in China is still 28 February in UTC: the local date counts.
    moment = datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=False), transaction.atomic():
        first, second = next_number(prefix), next_number(prefix)
    day1, n1 = split(first, prefix)
    day2, n2 = split(second, prefix)
    assert day1 == day2 == "20260301"
    assert n2 > n1 >= 1


def test_the_counter_runs_on_across_days_so_numbers_never_repeat():
    with time_machine.travel(datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI), tick=False):
        monday = next_number("R")
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI), tick=False):
        tuesday = next_number("R")
    assert split(monday, "R")[0] == "20260301" and split(tuesday, "R")[0] == "20260302"
    assert split(tuesday, "R")[1] > split(monday, "R")[1]


def test_numbers_for_several_prefixes_come_together():
    report_no, case_no = next_numbers("R", "C")
    assert split(next_number("R"), "R")[1] == split(report_no, "R")[1] + 1
    assert split(next_number("C"), "C")[1] == split(case_no, "C")[1] + 1
    with pytest.raises(ValueError, match="ZZ"):
        next_numbers("R", "ZZ")


def test_prefixes_count_separately():
    r1, c1, r2 = next_number("R"), next_number("C"), next_number("R")
    assert split(r2, "R")[1] == split(r1, "R")[1] + 1
    assert c1.startswith("C")


def test_an_unknown_prefix_is_a_programming_error():
    with pytest.raises(ValueError, match="PREFIXES"):
        next_number("ZZ")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL sequences")
def test_every_prefix_has_its_sequence():
    with connection.cursor() as cursor:
        cursor.execute("SELECT sequencename FROM pg_sequences")
        names = {row[0] for row in cursor.fetchall()}
    assert {sequence_name(p) for p in PREFIXES} <= names


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL sequences")
def test_an_open_transaction_holding_a_number_does_not_block_another():
    """The old per-day counter row kept its lock until commit, so intake processes queued
    on it. A second connection must get its number while the first is still open."""
    got = []

    def other_connection():
        try:
            with transaction.atomic():
                got.append(next_number("R"))
        finally:
            connections.close_all()

    with transaction.atomic():
        mine = next_number("R")
        thread = threading.Thread(target=other_connection)
        thread.start()
        thread.join(timeout=10)
        assert not thread.is_alive(), "the second transaction waited for the first"
    assert len(got) == 1 and got[0] != mine
