"""Query-count baselines (NetBox's query_counts.json): every list and detail view, page and
API, runs exactly the number of queries recorded for a fixed world in
`lossdesk/<app>/tests/query_counts.json`. A change in either direction fails, so an N+1 or a
lost prefetch shows up in review as a changed number.

`LOSSDESK_UPDATE_QUERY_BASELINES=1 scripts/test.sh lossdesk/core/tests/test_query_counts.py`
rewrites the files instead of failing. A view whose count differs by database keeps one number
per vendor ({"postgresql": n, "sqlite": m}); run the update on each vendor then."""

import json
import os
from datetime import date
from functools import cached_property
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client as PageClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lossdesk.billing.commissions import do_create_commission_rule
from lossdesk.billing.services import do_create_fee_contract
from lossdesk.core.tests.test_scope_harness import (
    World,
    all_routes,
    handled_methods,
    user_for,
)
from lossdesk.field.views import PHONE_ACTIONS
from lossdesk.reports.statistics import STATISTICS
from lossdesk.testing import client_for

UPDATE = os.environ.get("LOSSDESK_UPDATE_QUERY_BASELINES") == "1"
ROOT = Path(__file__).resolve().parents[2]

# {route name: (viewer, the World attribute holding the URL kwargs, or "?query", or None)},
# by app.
VIEWS: dict[str, dict[str, tuple[str, str | None]]] = {
    "claims": {
        "claims:case-list": ("zhoujiu", None),
        "claims:case-detail": ("zhoujiu", "case"),
        "api:case-list": ("zhoujiu", None),
        "api:case-detail": ("zhoujiu", "case"),
        "api:case-events": ("zhoujiu", "case"),
    },
    "intake": {
        "intake:case-dispatch": ("zhaoliu", "registered"),
        "intake:callback-list": ("zhaoliu", None),
        "intake:callback-detail": ("zhaoliu", "callback"),
        "intake:import": ("zhaoliu", None),
        "intake:import-detail": ("zhaoliu", "import_batch"),
        "intake:roster": ("zhaoliu", None),
        "api:case-surveyors": ("zhaoliu", "registered"),
        "api:case-recommendations": ("zhaoliu", "registered"),
        "api:case-delegations": ("zhaoliu", "delegated_case"),
    },
    "motor": {
        "motor:sheet-edit": ("zhangsan", "sheet"),
    },
    "property": {
        "property:item": ("zhangsan", "property_item"),
        # An assessor without the survey or PII permission: the survey read-only.
        "property:item[assessor]": ("qianqi", "property_item"),
    },
    "injury": {
        "injury:item": ("zhangsan", "injury_item"),
        # An assessor without the PII permission: the ID number masked.
        "injury:item[assessor]": ("qianqi", "injury_item"),
    },
    "notify": {
        "notify:outbox": ("zhaoliu", None),
        "notify:message-detail": ("zhaoliu", "sms"),
        "notify-api:sms-list": ("zhaoliu", None),
        "notify-api:sms-detail": ("zhaoliu", "sms"),
    },
    "reports": {
        "reports:index": ("zhoujiu", None),
        **{f"reports:statistic[{slug}]": ("zhoujiu", f"slug:{slug}") for slug in STATISTICS},
        "api:statistics": ("zhoujiu", None),
        **{f"api:statistic[{slug}]": ("zhoujiu", f"slug:{slug}") for slug in STATISTICS},
        "reports:kpis": ("zhoujiu", None),
        "api:kpis": ("zhoujiu", None),
    },
    "parts": {
        "parts:search": ("zhangsan", "?q=前保险杠"),
        "parts:part-detail": ("zhangsan", "part"),
        "parts:identify": ("zhangsan", None),
        "parts:query-list": ("zhangsan", None),
        "parts:query-detail": ("zhangsan", "price_query"),
        "parts:quote-list": ("zhangsan", None),
        "parts:quote-detail": ("zhangsan", "manual_quote"),
        "parts:local-prices": ("hz_price_desk", None),
        "parts:import-list": ("hz_price_desk", None),
        "parts:import-detail": ("hz_price_desk", "catalogue_import"),
        "parts-vehicle-makes": ("zhangsan", None),
        "parts-vehicle-models": ("zhangsan", "?make=大众"),
        "parts-search": ("zhangsan", "?q=前保险杠"),
        "parts-detail": ("zhangsan", "part"),
        "parts-price-queries": ("zhangsan", None),
        "parts-price-query": ("zhangsan", "price_query"),
        "parts-manual-quotes": ("zhangsan", None),
        "parts-manual-quote": ("zhangsan", "manual_quote"),
        "parts-local-prices": ("hz_price_desk", None),
        "parts-price-changes": ("hz_price_desk", None),
        "parts-imports": ("hz_price_desk", None),
        "parts-import": ("hz_price_desk", "catalogue_import"),
    },
    "org": {
        "api:branch-list": ("sysadmin", None),
        "api:branch-detail": ("sysadmin", "hangzhou"),
        "api:staff-list": ("sysadmin", None),
        "api:staff-detail": ("sysadmin", "staff"),
        "api:position-list": ("secadmin", None),
        "api:position-detail": ("secadmin", "position"),
        "api:client-list": ("sysadmin", None),
        "api:client-detail": ("sysadmin", "client_pk"),
        "api:client-branch-list": ("sysadmin", None),
        "api:client-branch-detail": ("sysadmin", "client_branch"),
        "api:client-contact-list": ("sysadmin", None),
        "api:repair-shop-list": ("sysadmin", None),
        "api:repair-shop-detail": ("sysadmin", "repair_shop"),
        "api:auth-tokens": ("zhangsan", None),
    },
    "audit": {
        "api:audit-pii-access": ("auditor", None),
    },
    "quality": {
        "api:alert-list": ("zhoujiu", None),
        "api:alert-detail": ("zhoujiu", "alert"),
        "api:alert-statistics": ("zhoujiu", None),
        "quality:alert-board": ("zhoujiu", None),
        "quality:shop-ranking": ("zhoujiu", None),
        "quality:shop-detail": ("zhoujiu", "repair_shop"),
        "api:shop-ranking": ("zhoujiu", None),
        "api:repair-shop-statistics": ("zhoujiu", "repair_shop"),
        "monitoring:board": ("zhoujiu", None),
        "monitoring:cases": ("zhoujiu", None),
        "monitoring:notices": ("zhoujiu", None),
        "api:monitoring-board": ("zhoujiu", None),
        "api:monitoring-list": ("zhoujiu", None),
        "api:monitoring-overdue": ("zhoujiu", None),
        "api:monitoring-statistics": ("zhoujiu", None),
        "quality:misconduct-register": ("zhoujiu", None),
        "quality:misconduct-detail": ("zhoujiu", "misconduct"),
        "quality:person": ("zhoujiu", "quality_person"),
        "quality:my-record": ("zhangsan", None),
        "quality:complaint-list": ("zhoujiu", None),
        "quality:complaint-detail": ("zhoujiu", "complaint"),
        "quality:whistleblower-report-list": ("zhoujiu", None),
        "quality:whistleblower-report": ("zhoujiu", "whistleblower_report"),
        "api:misconduct-list": ("zhoujiu", None),
        "api:misconduct-detail": ("zhoujiu", "misconduct"),
        "api:misconduct-items": ("zhoujiu", None),
        "api:quality-person": ("zhoujiu", "quality_person"),
        "api:complaint-list": ("zhoujiu", None),
        "api:complaint-detail": ("zhoujiu", "complaint"),
        "api:whistleblower-report-list": ("zhoujiu", None),
        "api:whistleblower-report-detail": ("zhoujiu", "whistleblower_report"),
    },
    "billing": {
        "api:fee-contract-list": ("finance", None),
        "api:fee-contract-detail": ("finance", "fee_contract"),
        "billing:commission-run-list": ("finance", None),
        "billing:commission-rule-list": ("finance", None),
        "billing:commission-run-detail": ("zhoujiu", "commission_run"),
        "billing:commission-sheet": ("zhoujiu", "commission_sheet"),
        "api:commission-rule-list": ("finance", None),
        "api:commission-rule-detail": ("finance", "commission_rule"),
        "api:commission-run-list": ("finance", None),
        "api:commission-run-detail": ("zhoujiu", "commission_run"),
        "api:case-fee": ("zhoujiu", "fee"),
        "billing:statement-list": ("finance", None),
        "billing:statement-detail": ("hz_finance", "statement"),
        "billing:reconciliation-detail": ("hz_finance", "reconciliation"),
        "billing:payment-list": ("finance", None),
        "billing:contract-list": ("finance", None),
        "billing:sheet-mapping-list": ("finance", None),
        "billing:sheet-mapping-edit": ("finance", "sheet_mapping"),
        "billing:payment-detail": ("hz_finance", "payment"),
        "billing:ageing": ("finance", None),
        "api:statement-list": ("finance", None),
        "api:statement-detail": ("hz_finance", "statement"),
        "api:payment-list": ("finance", None),
        "api:payment-detail": ("hz_finance", "payment"),
        "api:reconciliation-list": ("finance", None),
        "api:reconciliation-detail": ("hz_finance", "reconciliation"),
        "api:receivables-ageing": ("finance", None),
        "api:client-sheet-mapping": ("finance", "sheet_mapping"),
    },
    "field": {
        "field:inbox": ("zhangsan", None),
        "field:case": ("zhangsan", "surveying"),
        "field:photos": ("zhangsan", "surveying"),
        "field:assessment": ("zhangsan", "case"),
        "api:case-rescues": ("zhangsan", "surveying"),
    },
}

# GET routes that are neither a list nor a detail view, with the reason.
NOT_LISTS = {
    "home": "a redirect",
    "login": "the login form",
    "logout": "POST only",
    "password_change": "a form",
    "set_language": "POST only",
    "intake:report-new": "a form",
    "intake:client-branches": "the options of one select (htmx)",
    "intake:import-mapping": "a form",
    "intake:import-template": "a file download",
    "intake:callback-public": "the customer's form, no login",
    "claims:attachment": "a file download",
    "claims:attachment-display": "a file download",
    "claims:attachment-thumbnail": "a file download",
    "claims:report-pdf": "a PDF rendering",
    "parts:query-create": "a form",
    "parts:quote-create": "a form",
    "parts:quote-photo": "a file download",
    "parts:import-template": "a file download",
    "parts-manual-quote-photo": "a file download",
    "reports:export-all": "an Excel export",
    "reports:export": "an Excel export",
    "reports:kpis-export": "an Excel export",
    "api:case-attachment-file": "a file download",
    "api:case-attachment-display": "a file download",
    "api:case-attachment-thumbnail": "a file download",
    "api:case-report-pdf": "a PDF rendering",
    "api:case-sheet": "one sheet, checked with its case by the motor view",
    "property:sheet": "POST only: the property page's sheet save",
    "injury:save": "POST only: the injury page's save",
    "api:schema": "the OpenAPI document",
    "api:my-position": "the caller's own position",
    "api:client-contact-detail": "no contact in the fixed world; the list is counted",
    "calc-vin": "a VIN decoder, no stored rows",
    "field:manifest": "the web app manifest",
    "field:service-worker": "the service worker script",
    "field:offline": "the phone's offline page, no stored rows",
    "billing:statement-export": "an Excel export",
    "billing:commission-run-export": "an Excel export",
    "api:commission-run-export": "an Excel export",
    "billing:commission-run-approve": "POST only: the approval (佣金审批)",
    "billing:reconciliation-export": "an Excel export",
    "api:statement-export": "an Excel export",
    "api:reconciliation-export": "an Excel export",
    "billing:statement-action": "POST only: a statement's status change",
    "billing:statement-reconcile": "POST only: the settlement-sheet upload",
    "quality:misconduct-new": "a form",
    "quality:misconduct-evidence": "a file download",
}
NOT_LISTS.update(
    {
        f"calc:{name}": "a calculator or its reference page, no stored rows"
        for name in ("index", "vin", "actual-value", "ctpl", "commercial", "injury", "standards")
    }
)
NOT_LISTS.update(
    {
        name: "a form or an action (its GET shows the form): scope is in test_scope_harness"
        for name in (
            "intake:case-accept",
            "intake:case-decline",
            "intake:case-arrival",
            "intake:case-delegate",
            "intake:case-delegation-accept",
            "intake:case-delegation-refuse",
            "intake:case-delegation-cancel",
            "intake:case-delegation-return",
            "claims:case-survey",
            "claims:case-complete-survey",
            "claims:case-resurvey",
            "claims:case-upload",
            "claims:case-submit",
            "claims:case-review",
            "claims:case-request-documents",
            "claims:case-fulfil-documents",
            "claims:case-issue",
            "claims:case-close",
            "claims:case-cancel",
            "property:survey",
            "property:negotiation",
            "property:offer",
            "injury:survey",
            "injury:visit",
            "injury:appraisal",
            "injury:flag",
            "injury:flag-decision",
            "billing:case-fee-adjust",
            "billing:case-fee-decide",
            "quality:alert-resolve",
            "parts:identify-save",
            "parts:query-apply",
            "parts:import-confirm",
            "parts:import-cancel",
            "notify:message-resend",
            "field:case-rescue",
            *(f"field:m-{slug}" for slug in PHONE_ACTIONS),
        )
    }
)


class Counts(World):
    """The scope harness's world, touched whole, plus the reference rows the org views show."""

    def kwargs(self, attr: str | None) -> dict:
        if attr is None or attr.startswith("?"):
            return {}
        if attr.startswith("slug:"):
            return {"slug": attr.removeprefix("slug:")}
        return getattr(self, attr)

    def build(self) -> None:
        for attr in {attr for views in VIEWS.values() for _, attr in views.values() if attr}:
            self.kwargs(attr)

    @property
    def delegated_case(self):
        return {"case_no": self.delegation["case_no"]}

    @property
    def part(self):
        return {"pk": self.catalogue.fog.pk}

    @property
    def hangzhou(self):
        return {"pk": self.firm.hangzhou.pk}

    @property
    def position(self):
        return {"pk": self.firm.zhangsan.position_id}

    @property
    def client_pk(self):
        return {"pk": self.firm.client.pk}

    @property
    def client_branch(self):
        return {"pk": self.firm.client_branch.pk}

    @property
    def repair_shop(self):
        return {"pk": self.firm.repair_shop.pk}

    @cached_property
    def fee_contract(self):
        # Two versions of one line and one of another, so the list shows a superseded one.
        made = [
            do_create_fee_contract(
                client=self.firm.client,
                line=line,
                effective_from=date(2026, 1, 1),
                terms={"mode": "per_case", "amount": "200"},
                actor=self.firm.finance,
            )
            for line in ("motor", "motor", "property")
        ]
        return {"pk": made[0].pk}

    @cached_property
    def commission_rule(self):
        # Two versions of one role and one of another, so the list shows a superseded one.
        made = [
            do_create_commission_rule(
                role=role,
                effective_from=date(2020, 1, 1),
                terms={"rate": "0.1"},
                actor=self.firm.finance,
            )
            for role in ("surveyor", "surveyor", "assessor")
        ]
        return {"pk": made[0].pk}


def route_name(key: str) -> str:
    return key.split("[")[0]


def count_queries(world: Counts, key: str, viewer: str, attr: str | None) -> int:
    user = user_for(world, viewer)
    path = reverse(route_name(key), kwargs=world.kwargs(attr))
    if attr and attr.startswith("?"):
        path += attr
    if route_name(key).startswith(("api:", "notify-api:", "parts-")):
        client = client_for(user)
    else:
        client = PageClient()
        client.force_login(user)
    # The first request warms the per-process caches (content types, SMS templates), so the
    # count does not depend on which test ran before.
    assert client.get(path).status_code == 200, key
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, key
    return len(queries.captured_queries)


def baseline_file(app: str) -> Path:
    return ROOT / app / "tests" / "query_counts.json"


def expected_for(entry, vendor: str) -> int | None:
    return entry.get(vendor) if isinstance(entry, dict) else entry


def updated(entry, vendor: str, count: int):
    """The entry after measuring `count` on `vendor`: one number while every vendor agrees."""
    if entry is None or entry == count:
        return count
    per_vendor = dict(entry) if isinstance(entry, dict) else {"postgresql": entry, "sqlite": entry}
    per_vendor[vendor] = count
    values = set(per_vendor.values())
    return values.pop() if len(values) == 1 else dict(sorted(per_vendor.items()))


def test_every_list_and_detail_view_has_a_baseline():
    counted = {route_name(key) for views in VIEWS.values() for key in views}
    gets = {
        name
        for name, callback in all_routes().items()
        if (methods := handled_methods(callback)) is None or "get" in methods
    }
    missing = gets - counted - set(NOT_LISTS)
    assert not missing, f"new view without a query baseline: {sorted(missing)}"
    assert not (counted | set(NOT_LISTS)) - set(all_routes()), "stale entries"
    assert set(VIEWS["reports"]) >= {f"reports:statistic[{slug}]" for slug in STATISTICS}


@pytest.fixture
def counts_world(firm, catalogue):
    world = Counts(firm, catalogue)
    world.build()
    return world


@pytest.mark.django_db
@pytest.mark.parametrize("app", sorted(VIEWS))
def test_query_counts_match_the_baseline(counts_world, app):
    path = baseline_file(app)
    baseline = json.loads(path.read_text()) if path.exists() else {}
    vendor = connection.vendor
    measured = {
        key: count_queries(counts_world, key, viewer, attr)
        for key, (viewer, attr) in VIEWS[app].items()
    }
    if UPDATE:
        entries = {key: updated(baseline.get(key), vendor, n) for key, n in measured.items()}
        path.write_text(json.dumps(dict(sorted(entries.items())), indent=2) + "\n")
        return
    assert set(baseline) == set(measured), f"{path} is out of date: update the baselines"
    changed = {
        key: (expected_for(baseline[key], vendor), n)
        for key, n in measured.items()
        if expected_for(baseline[key], vendor) != n
    }
    assert not changed, f"query counts changed (baseline, now) on {vendor}: {changed}"


def test_an_update_keeps_one_number_while_the_vendors_agree():
    assert updated(None, "sqlite", 7) == 7
    assert updated(7, "sqlite", 7) == 7
    assert updated(7, "sqlite", 8) == {"postgresql": 7, "sqlite": 8}
    assert updated({"postgresql": 8, "sqlite": 7}, "sqlite", 8) == 8
    assert expected_for({"postgresql": 8, "sqlite": 7}, "sqlite") == 7
    assert expected_for(7, "postgresql") == 7
