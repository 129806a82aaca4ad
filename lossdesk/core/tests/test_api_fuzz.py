"""The whole API against its own OpenAPI schema: schemathesis generates requests for every
operation of /api/v1/openapi.json (valid and invalid input), sends them through the WSGI
application with a dispatcher's and a surveyor's token, and every answer must be a
documented status, content type and body — never a server error.

Bounded and deterministic: a fixed number of examples per operation, derandomised, no example
database, one set of rows per user (all operations run in one test, so the rows are built
twice, not once per operation). Path parameters are mapped onto those rows — cases in several
states and branches, and each case's own attachments, requests, delegations and sheets — so
requests reach the services; random values alone would almost never name an existing case."""

import zlib
from contextlib import contextmanager

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lossdesk.claims import services as claims_services
from lossdesk.intake.services.delegation import do_request_delegation
from lossdesk.intake.services.reports import do_register_report
from lossdesk.testing import PASSWORD
from lossdesk.wsgi import application

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 4
# Revoking the caller's own token would turn every later request into a 401.
SKIPPED = {("DELETE", "/api/v1/auth/token")}
# Sub-resources of a case, by the path segment before their {id} or {seq}.
CHILDREN = ("attachments", "document-requests", "delegations", "loss-items")


@contextmanager
def connection_kept_open():
    """Requests straight into the WSGI application run inside the test's transaction: as
    Django's test client does, keep request_started/finished from closing the connection
    (PostgreSQL would lose the transaction). No test client call may happen inside: it
    reconnects the handlers when it is done."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def token_for(username: str) -> str:
    """Through the token endpoint, as a client logs in (whatever the token model is)."""
    response = APIClient().post(
        "/api/v1/auth/token", {"username": username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def build_rows(firm) -> dict:
    """Cases in several states, one in another branch, and the objects their sub-paths name:
    {"case_no": [...], "attachments": [(case_no, id), ...], ...}."""
    registered = firm.registered_case()
    surveying = firm.surveying_case()
    assessed = firm.assessed_case()
    ningbo = do_register_report(firm.report_data(client_claim_no="NB-1"), actor=firm.wushi)
    request = claims_services.do_request_documents(assessed, items="驾驶证", actor=firm.lisi)
    delegation = do_request_delegation(registered, to_branch=firm.nanjing, actor=firm.zhaoliu)
    return {
        "case_no": [c.case_no for c in (registered, surveying, assessed, ningbo)] + ["C0"],
        "attachments": [
            (assessed.case_no, pk) for pk in assessed.attachments.values_list("pk", flat=True)
        ],
        "document-requests": [(assessed.case_no, request.pk)],
        "delegations": [(registered.case_no, delegation.pk)],
        "loss-items": [(assessed.case_no, item.seq) for item in assessed.loss_items.all()],
        "verb": ["accept", "refuse", "cancel", "return"],
    }


def pick(options: list, generated):
    """The same generated value always picks the same option (crc32: no per-process seed)."""
    return options[zlib.crc32(repr(generated).encode()) % len(options)]


def map_path(case, rows: dict) -> None:
    """Point the generated path at the rows; values of the wrong type (invalid input) stay."""
    params = case.path_parameters
    if not params:
        return
    child = next((c for c in CHILDREN if f"/{c}/" in case.operation.path), None)
    key = "seq" if child == "loss-items" else "id"
    if child and isinstance(params.get(key), int):
        params["case_no"], params[key] = pick(rows[child], params[key])
    elif isinstance(params.get("case_no"), str):
        params["case_no"] = pick(rows["case_no"], params["case_no"])
    if isinstance(params.get("verb"), str):
        params["verb"] = pick(rows["verb"], params["verb"])


@pytest.mark.parametrize("username", ["zhaoliu", "zhangsan"])  # dispatcher, surveyor
def test_every_operation_answers_as_documented_and_never_with_a_server_error(firm, username):
    rows = build_rows(firm)
    headers = {"Authorization": f"Bearer {token_for(username)}"}
    with connection_kept_open():
        failures = check_every_operation(rows, headers)
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)


def check_every_operation(rows: dict, headers: dict) -> list[str]:
    api_schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    failures = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        strategy = st.one_of(
            operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE),
        )

        @hypothesis.settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            # No shrinking: the failing example is reported as found (and found again).
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
            suppress_health_check=list(hypothesis.HealthCheck),
        )
        @hypothesis.given(case=strategy)
        def check(case):
            map_path(case, rows)
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except (Exception, FailureGroup) as exc:  # every operation's failure, not the first
            failures.append(f"{operation.label}: {exc}")
    return failures
