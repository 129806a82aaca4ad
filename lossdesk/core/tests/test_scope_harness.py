"""The scope harness: every route that takes an object id, page or API, proves that a user of
宁波 with the same position as the owner gets exactly 404 for a 杭州 object, and that the owner
gets the route's own answer (never 404, never 5xx).

The routes come from the URL configuration itself (`get_resolver()`), so a new route with an
id that is not in ROUTES (or, by design, in UNSCOPED) fails
`test_every_route_with_an_id_has_scope_coverage`: nothing can be forgotten."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as PageClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from lossdesk.billing import commissions as billing_commissions
from lossdesk.billing import reconciliations as billing_reconciliations
from lossdesk.billing import services as billing_services
from lossdesk.billing import statements as billing_statements
from lossdesk.claims import services as claims_services
from lossdesk.claims.models import Case, CaseEvent, LossItem
from lossdesk.injury.services import assessment as injury_assessment
from lossdesk.injury.services import investigation as injury_investigation
from lossdesk.intake.choices import ImportStatus
from lossdesk.intake.models import ImportBatch
from lossdesk.intake.services.callbacks import do_create_callback
from lossdesk.intake.services.delegation import do_request_delegation
from lossdesk.intake.services.dispatch import do_accept_dispatch, do_dispatch_case
from lossdesk.notify.models import SmsMessage
from lossdesk.org.models import AuthToken
from lossdesk.parts import services as parts_services
from lossdesk.property import services as property_services
from lossdesk.quality.services import evaluate_case
from lossdesk.quality.staff import services as staff_services
from lossdesk.quality.staff.models import MisconductItem
from lossdesk.testing import Firm, client_for, error_of, photo

METHODS = ("get", "post", "put", "patch", "delete")
CATALOGUE_CSV = (
    "oe_number,name,make,category,price_4s,price_market,price_brand,aliases,region,"
    "effective_from,models\n2GM 807 999,前保险杠,大众,body,1000,800,500,,,,\n"
)

PROPERTY_SURVEY = {
    "category": "road_facility",
    "owner_type": "organisation",
    "owner_name": "杭州市公路管理局",
    "owner_phone": "13912345678",
    "location": "文三路",
    "description": "护栏板撞弯。",
}
PROPERTY_LINES = [
    {
        "treatment": "replace",
        "name": "波形护栏板",
        "quantity": "2",
        "unit_price": "5000",
        "months_used": "36",
        "useful_life_years": "8",
    },
    {"treatment": "repair", "name": "立柱校正", "quantity": "3", "unit_price": "120"},
]

INJURED_PERSON = {"name": "李某", "relation": "pedestrian", "urban": True}
INJURED_ID = "11010519491231002X"  # GB 11643's own example
INJURY_CALCULATOR = {
    "outcome": "disability",
    "disability_grades": [10],
    "standard": {"urban_disposable_income": "30971", "label": "浙江 2012 城镇"},
    "hospital_days": 12,
    "hospital_food_daily": "100",
}
INJURY_BILLS = [
    {
        "invoice_no": "ZJ-0001",
        "hospital": "杭州市第一人民医院",
        "inpatient": True,
        "lines": [
            {
                "category": "drugs",
                "item": "头孢曲松钠",
                "claimed": "1280",
                "reasonable": "980",
                "deduction_reason": "non_insured_drug",
            },
            {"category": "examination", "item": "胸部CT", "claimed": "650", "reasonable": "650"},
        ],
    }
]


# --- the routes -------------------------------------------------------------------------


def _walk(resolver, prefix="", namespace=None):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue  # Django's admin: staff only, checked by the admin's own tests
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace, pattern


def _named_patterns():
    for _, namespace, pattern in _walk(get_resolver()):
        if pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern


def all_routes() -> dict[str, object]:
    """{route name: view callback} for every named route."""
    return {name: pattern.callback for name, pattern in _named_patterns()}


def routes_with_parameters() -> dict[str, object]:
    """{route name: view callback} for every named route with a path parameter."""
    return {
        name: pattern.callback
        for name, pattern in _named_patterns()
        if pattern.pattern.regex.groupindex
    }


def handled_methods(callback) -> set[str] | None:
    """The HTTP methods a class-based view answers (None for a function view)."""
    actions = getattr(callback, "actions", None)
    if actions:  # a DRF viewset route (HEAD is GET's, which DRF adds to the mapping)
        return set(actions) - {"head"}
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is None:
        return None
    allowed = view_class.http_method_names
    return {method for method in METHODS if method in allowed and hasattr(view_class, method)}


@dataclass(frozen=True)
class Route:
    """How to reach one route for the world's 杭州 object.

    `owner`: the Firm attribute (or World attribute) of the 杭州 user who may use it;
    `kwargs`: the world attribute holding the URL kwargs; `expect`: {method: the owner's
    exact status}; `body`: a minimal body for the writes (default empty); `refused`: the
    owner's status for every other method."""

    owner: str
    kwargs: str
    expect: dict[str, int]
    body: Callable[[dict], dict] | None = None
    multipart: bool = False
    refused: int = 405

    def body_for(self, method: str, kwargs: dict) -> dict:
        return self.body(kwargs) if self.body and method != "get" else {}


def R(owner, kwargs, body=None, multipart=False, refused=405, **expect) -> Route:
    return Route(owner, kwargs, expect, body, multipart, refused)


def versioned(kwargs: dict) -> dict:
    """The confirm form of a page action: the case version the user saw."""
    return {"version": Case.objects.get(case_no=kwargs["case_no"]).version}


def versioned_reason(kwargs: dict) -> dict:
    return {**versioned(kwargs), "reason": "客户撤回委托"}


# Page routes (HTML): the other branch gets the Chinese 404 page.
PAGES = {
    "billing:commission-run-detail": R("hz_finance", "commission_run", get=200),
    "billing:commission-sheet": R("hz_finance", "commission_sheet", get=200),
    "billing:commission-run-export": R("hz_finance", "commission_run", get=200),
    "billing:commission-run-approve": R("zhoujiu", "commission_run", post=302),
    "intake:import-detail": R("zhaoliu", "import_batch", get=200),
    "intake:import-run": R("zhaoliu", "import_batch", post=302),
    "intake:import-mapping": R("zhoujiu", "client", get=200, post=400),
    "intake:case-dispatch": R("zhaoliu", "registered", get=200, post=400),
    "intake:case-accept": R("zhangsan", "dispatched", versioned, get=200, post=302),
    "intake:case-decline": R("zhangsan", "dispatched", get=200, post=400),
    "intake:case-arrival": R("zhangsan", "accepted", versioned, get=200, post=302),
    "intake:case-delegate": R("zhaoliu", "registered", get=200, post=400),
    # The delegating branch may not answer its own delegation: the answer's page again with
    # the refusal and what was typed (403, decision 0007's fifth amendment).
    "intake:case-delegation-accept": R("zhaoliu", "delegation", get=200, post=403),
    "intake:case-delegation-refuse": R("zhaoliu", "delegation", get=200, post=403),
    "intake:case-delegation-cancel": R(
        "zhaoliu", "delegation", versioned_reason, get=200, post=302
    ),
    "intake:case-delegation-return": R("zhaoliu", "delegation", get=200, post=403),
    "intake:callback-detail": R("zhaoliu", "callback", get=200, post=400),
    "claims:case-detail": R("zhangsan", "case", get=200),
    "claims:attachment": R("zhangsan", "attachment", get=200),
    "claims:attachment-display": R("zhangsan", "attachment", get=200),
    "claims:attachment-thumbnail": R("zhangsan", "attachment", get=200),
    "claims:report-pdf": R("lisi", "issued", get=200),
    "claims:case-survey": R("zhangsan", "surveying", get=200, post=400),
    "claims:case-complete-survey": R("zhangsan", "surveying", versioned, get=200, post=302),
    "claims:case-resurvey": R("zhangsan", "case", get=200, post=400),
    "claims:case-upload": R("zhangsan", "surveying", get=200, post=400),
    "claims:case-submit": R("zhangsan", "case", versioned, get=200, post=302),
    "claims:case-review": R("lisi", "in_review", get=200, post=400),
    "claims:case-request-documents": R("lisi", "in_review", get=200, post=400),
    "claims:case-fulfil-documents": R("lisi", "document_request", get=200, post=302),
    "claims:case-issue": R("lisi", "approved", versioned, get=200, post=302),
    "claims:case-close": R("lisi", "issued", versioned, get=200, post=302),
    "claims:case-cancel": R("zhaoliu", "registered", get=200, post=400),
    "motor:sheet-edit": R("zhangsan", "sheet", get=200, post=400),
    "billing:case-fee-adjust": R("hz_finance", "issued", get=200, post=400),
    "billing:case-fee-decide": R("zhoujiu", "fee_adjustment", get=200, post=400),
    "billing:statement-detail": R("hz_finance", "statement", get=200),
    "billing:statement-export": R("hz_finance", "statement", get=200),
    "billing:statement-action": R("hz_finance", "statement_void", post=400),
    "billing:statement-reconcile": R("hz_finance", "statement", post=400),
    "billing:reconciliation-detail": R("hz_finance", "reconciliation", get=200),
    "billing:reconciliation-export": R("hz_finance", "reconciliation", get=200),
    "billing:payment-detail": R("hz_finance", "payment", get=200, post=400),
    "property:item": R("zhangsan", "property_item", get=200),
    "property:sheet": R("zhangsan", "property_item", post=400),
    "property:survey": R("zhangsan", "property_item", get=200, post=400),
    "property:negotiation": R("zhangsan", "property_item", get=200, post=400),
    "property:offer": R("zhangsan", "property_item", get=200, post=400),
    "injury:item": R("zhangsan", "injury_item", get=200),
    "injury:save": R("zhangsan", "injury_item", post=400),
    "injury:survey": R("zhangsan", "injury_item", get=200, post=400),
    "injury:visit": R("zhangsan", "injury_item", get=200, post=400),
    "injury:appraisal": R("zhangsan", "injury_item", get=200, post=400),
    "injury:flag": R("zhangsan", "injury_item", get=200, post=400),
    "injury:flag-decision": R("zhangsan", "injury_flag", get=200, post=400),
    "parts:query-detail": R("zhangsan", "price_query", get=200, post=302),
    "parts:query-apply": R("zhangsan", "price_query", post=200),
    "parts:quote-detail": R("zhangsan", "manual_quote", get=200, post=200),
    "parts:quote-photo": R("zhangsan", "manual_quote_photo", get=200),
    "parts:import-detail": R("hz_price_desk", "catalogue_import", get=200),
    "parts:import-confirm": R("hz_price_desk", "catalogue_import", post=302),
    "parts:import-cancel": R("hz_price_desk", "catalogue_import", post=302),
    "quality:alert-resolve": R("zhoujiu", "alert", get=200, post=400),
    "quality:misconduct-detail": R("lisi", "misconduct", get=200, post=400),
    "quality:misconduct-evidence": R("lisi", "misconduct_evidence", get=200),
    "quality:person": R("zhoujiu", "quality_person", get=200, post=400),
    "quality:complaint-detail": R("zhoujiu", "complaint", get=200, post=400),
    "quality:whistleblower-report": R("zhoujiu", "whistleblower_report", get=200, post=400),
    "field:case-rescue": R("zhangsan", "surveying", get=200, post=400),
    "field:case": R("zhangsan", "surveying", get=200),
    "field:photos": R("zhangsan", "surveying", get=200),
    "field:assessment": R("zhangsan", "case", get=200),
    "field:m-accept": R("zhangsan", "dispatched", versioned, get=200, post=302),
    "field:m-decline": R("zhangsan", "dispatched", get=200, post=400),
    "field:m-arrival": R("zhangsan", "accepted", versioned, get=200, post=302),
    "field:m-survey": R("zhangsan", "surveying", get=200, post=400),
    "field:m-complete-survey": R("zhangsan", "surveying", versioned, get=200, post=302),
    "field:m-rescue": R("zhangsan", "surveying", get=200, post=400),
    "field:m-resurvey": R("zhangsan", "case", get=200, post=400),
    "field:m-document-requests": R("lisi", "in_review", get=200, post=400),
    "notify:message-detail": R("zhaoliu", "sms", get=200),
    "notify:message-resend": R("zhaoliu", "sms", post=302),
}

# API routes: the other branch gets the JSON 404 error body.
API = {
    "api:commission-run-detail": R("hz_finance", "commission_run", get=200),
    "api:commission-run-export": R("hz_finance", "commission_run", get=200),
    "api:commission-run-approve": R("zhoujiu", "commission_run", post=200),
    "api:case-detail": R("zhangsan", "case", get=200),
    "api:case-events": R("zhangsan", "case", get=200),
    "api:case-surveyors": R("zhaoliu", "registered", get=200),
    "api:case-dispatch": R("zhaoliu", "registered", post=400),
    "api:case-accept": R("zhangsan", "dispatched", post=200),
    "api:case-decline": R("zhangsan", "dispatched", post=400),
    "api:case-recommendations": R("zhaoliu", "registered", get=200),
    "api:case-delegations": R("zhaoliu", "registered", get=200, post=400),
    "api:case-delegation-action": R("zhaoliu", "delegation_action", post=400),
    "api:case-arrival": R("zhangsan", "accepted", post=200),
    "api:case-survey": R("zhangsan", "surveying", put=400),
    "api:case-complete-survey": R("zhangsan", "surveying", post=409),
    "api:case-resurveys": R("zhangsan", "case", post=400),
    "api:case-attachments": R("zhangsan", "surveying", multipart=True, post=400),
    "api:case-rescues": R("zhangsan", "surveying", get=200, post=400),
    "api:case-attachment-file": R("zhangsan", "attachment", get=200),
    "api:case-attachment-display": R("zhangsan", "attachment", get=200),
    "api:case-attachment-thumbnail": R("zhangsan", "attachment", get=200),
    "api:case-sheet": R("zhangsan", "sheet", get=200, put=400),
    "api:case-property-survey": R("zhangsan", "property_item", put=400),
    "api:case-property-negotiation": R("zhangsan", "property_item", put=200),
    "api:case-property-offers": R("zhangsan", "property_item", post=400),
    "api:case-injury-survey": R("zhangsan", "injury_item", put=400),
    "api:case-hospital-visits": R("zhangsan", "injury_item", post=400),
    "api:case-disability-appraisals": R("zhangsan", "injury_item", post=400),
    "api:case-investigation-flags": R("zhangsan", "injury_item", post=400),
    "api:case-investigation-flag-decision": R("zhangsan", "injury_flag", put=400),
    "api:alert-detail": R("zhoujiu", "alert", get=200),
    "api:alert-resolve": R("zhoujiu", "alert", post=400),
    "api:misconduct-detail": R("lisi", "misconduct", get=200),
    "api:misconduct-reply": R("zhangsan", "misconduct", post=400),
    "api:misconduct-appeal": R("zhangsan", "misconduct", post=400),
    "api:misconduct-decision": R("zhoujiu", "misconduct", post=400),
    "api:misconduct-finalize": R("lisi", "misconduct", post=200),
    "api:misconduct-evidence": R("lisi", "misconduct", multipart=True, post=400),
    "api:quality-person": R("zhoujiu", "quality_person", get=200),
    "api:quality-person-evaluations": R("zhoujiu", "quality_person", post=400),
    "api:quality-person-awards": R("zhoujiu", "quality_person", post=400),
    "api:complaint-detail": R("zhoujiu", "complaint", get=200),
    "api:complaint-conclude": R("zhoujiu", "complaint", post=400),
    "api:whistleblower-report-detail": R("zhoujiu", "whistleblower_report", get=200),
    "api:whistleblower-report-decide": R("zhoujiu", "whistleblower_report", post=400),
    "api:case-submit-for-review": R("zhangsan", "case", post=200),
    "api:case-review": R("lisi", "in_review", post=400),
    "api:case-document-requests": R("lisi", "in_review", post=400),
    "api:case-document-request-fulfil": R("lisi", "document_request", post=200),
    "api:case-issue-report": R("lisi", "approved", post=200),
    "api:case-report-pdf": R("lisi", "issued", get=200),
    "api:case-close": R("lisi", "issued", post=200),
    "api:case-cancel": R("zhaoliu", "registered", post=400),
    # DRF checks the permission before the method: 403 for a branch manager either way.
    "api:staff-reset-password": R("zhoujiu", "staff", post=403, refused=403),
    "api:auth-token-detail": R("zhangsan", "token", delete=204),
    "parts-price-query": R("zhangsan", "price_query", get=200, put=400),
    "parts-price-query-apply": R("zhangsan", "price_query", post=400),
    "parts-manual-quote": R("zhangsan", "manual_quote", get=200),
    "parts-manual-quote-photo": R("zhangsan", "manual_quote_photo", get=200),
    "parts-manual-quote-answer": R("hz_price_desk", "manual_quote", post=400),
    "parts-manual-quote-approve": R("zhoujiu", "manual_quote", post=409),
    "parts-manual-quote-reject": R("zhoujiu", "manual_quote", post=409),
    "parts-local-price": R("hz_price_desk", "local_price", delete=400),
    "parts-import": R("hz_price_desk", "catalogue_import", get=200),
    "parts-import-confirm": R("hz_price_desk", "catalogue_import", post=409),
    "parts-import-cancel": R("hz_price_desk", "catalogue_import", post=200),
    "notify-api:sms-detail": R("zhaoliu", "sms", get=200),
    "api:case-fee": R("zhoujiu", "issued", get=200),
    "api:case-fee-adjustments": R("hz_finance", "issued", post=400),
    "api:case-fee-adjustment-decision": R("zhoujiu", "fee_adjustment", put=400),
    "api:statement-detail": R("hz_finance", "statement", get=200),
    "api:statement-export": R("hz_finance", "statement", get=200),
    "api:statement-action": R("hz_finance", "statement_void", post=400),
    "api:payment-detail": R("hz_finance", "payment", get=200),
    "api:payment-allocations": R("hz_finance", "payment", post=400),
    "api:reconciliation-detail": R("hz_finance", "reconciliation", get=200),
    "api:reconciliation-export": R("hz_finance", "reconciliation", get=200),
}

ROUTES = {**PAGES, **API}

# Routes with a parameter that is not a branch-scoped object, by design.
UNSCOPED = {
    "api:commission-rule-detail": "commission rules are the firm's, the same for every branch "
    "(reads: billing.view_commissionrule; writes: the head office, "
    "billing/tests/test_commissions.py)",
    "intake:callback-public": "the customer's public feedback page: the token is the secret",
    "intake:import-template": "an empty workbook in a client's layout; clients are firm-wide",
    "parts:part-detail": "the parts catalogue is shared by the whole firm",
    "parts-detail": "the parts catalogue is shared by the whole firm",
    "parts:import-template": "the parameter is a file format, not an object",
    "calc-vin": "the parameter is a VIN to decode, not an object",
    "reports:statistic": "the slug names a statistic; its figures are computed in scope",
    "reports:export": "the slug names a statistic; its figures are computed in scope",
    "api:statistic": "the slug names a statistic; its figures are computed in scope",
    "api:branch-detail": "branches are the firm's reference data (writes: administrators)",
    "api:position-detail": "positions are the firm's reference data (writes: administrators)",
    "api:client-detail": "clients are the firm's reference data (writes: administrators)",
    "api:client-branch-detail": "client branches are firm-wide reference data",
    "api:client-contact-detail": "client contacts are firm-wide reference data",
    "api:staff-detail": "administrators only (scope: the whole firm); branch staff get 403 "
    "before any lookup",
    "api:repair-shop-detail": "the repair-shop directory is shared by the whole firm",
    "quality:shop-detail": "the repair-shop directory is firm-wide; the figures are computed "
    "in the user's case scope (quality/tests/test_shop_statistics.py)",
    "api:repair-shop-statistics": "the repair-shop directory is firm-wide; the figures are "
    "computed in the user's case scope (quality/tests/test_shop_statistics.py)",
    "api:client-sheet-mapping": "a client's settlement-sheet layout is firm-wide reference data "
    "(reads: billing.view_clientsheetmapping; writes: finance)",
    "billing:sheet-mapping-edit": "a client's settlement-sheet layout is firm-wide reference "
    "data (reads: billing.view_clientsheetmapping; writes: finance; "
    "billing/tests/test_sheet_mapping_pages.py)",
    "api:fee-contract-detail": "fee contracts are the firm's terms with a client, the same for "
    "every branch (reads: billing.view_feecontract; writes: the head office, "
    "billing/tests/test_contracts.py)",
}


# --- the world --------------------------------------------------------------------------


class World:
    """One object of each kind, owned by 杭州, built lazily (a route builds only what it
    needs) through the real services. Each attribute is the URL kwargs of one route."""

    def __init__(self, firm: Firm, catalogue):
        self.firm = firm
        self.catalogue = catalogue

    # Users: the 杭州 owner and a 宁波 peer with the same position.
    @cached_property
    def hz_price_desk(self):
        return Firm.staff("hz_price", "杭州报价员", "price_desk", self.firm.hangzhou)

    @cached_property
    def hz_finance(self):
        # Finance of 杭州 (the cast's clerk is at the head office, which sees every branch).
        return Firm.staff("hz_finance", "杭州财务", "finance", self.firm.hangzhou)

    def peer(self, owner):
        """A 宁波 user with the owner's position (王五 and 吴十 where they exist)."""
        code = owner.position.code
        for person in (self.firm.wangwu, self.firm.wushi):
            if person.position.code == code:
                return person
        return Firm.staff(f"nb_{code}", f"宁波{owner.position.name}", code, self.firm.ningbo)

    # Cases, each in the state its routes act on.
    @cached_property
    def _commission_run(self):
        # A case of 杭州 whose fee was computed in January 2026, run by 杭州's finance.
        with time_machine.travel(datetime(2026, 1, 15, 10, tzinfo=UTC), tick=False):
            self.firm.issued_case(client_claim_no="PICC-COMMISSION")
        return billing_commissions.do_run_commissions(
            branch=self.firm.hangzhou, month=date(2026, 1, 1), actor=self.hz_finance
        )

    @cached_property
    def commission_run(self):
        return {"pk": self._commission_run.pk}

    @cached_property
    def commission_sheet(self):
        sheet = self._commission_run.sheets.order_by("pk").first()
        return {"pk": self._commission_run.pk, "staff_id": sheet.staff_id}

    @cached_property
    def _registered(self):
        return self.firm.registered_case(client_claim_no="PICC-REGISTERED")

    @cached_property
    def registered(self):
        return {"case_no": self._registered.case_no}

    @cached_property
    def dispatched(self):
        case = self.firm.registered_case(client_claim_no="PICC-DISPATCHED")
        do_dispatch_case(case, surveyor=self.firm.zhangsan, actor=self.firm.zhaoliu)
        return {"case_no": case.case_no}

    @cached_property
    def accepted(self):
        case = self.firm.registered_case(client_claim_no="PICC-ACCEPTED")
        do_dispatch_case(case, surveyor=self.firm.zhangsan, actor=self.firm.zhaoliu)
        do_accept_dispatch(case, actor=self.firm.zhangsan)
        return {"case_no": case.case_no}

    @cached_property
    def surveying(self):
        return {"case_no": self.firm.surveying_case(client_claim_no="PICC-SURVEY").case_no}

    @cached_property
    def _assessed(self):
        return self.firm.assessed_case(client_claim_no="PICC-ASSESSED")

    @cached_property
    def case(self):
        return {"case_no": self._assessed.case_no}

    @cached_property
    def attachment(self):
        return {"case_no": self._assessed.case_no, "pk": self._assessed.attachments.get().pk}

    @cached_property
    def sheet(self):
        return {"case_no": self._assessed.case_no, "seq": 1}

    @cached_property
    def property_item(self):
        # A property loss item surveyed, assessed and in negotiation, so its page shows all.
        case = self.firm.assessing_case(client_claim_no="PICC-PROPERTY", property_loss=True)
        item = case.loss_items.get(kind="property")
        actor = self.firm.zhangsan
        property_services.do_save_property_survey(item, PROPERTY_SURVEY, actor=actor)
        property_services.do_save_property_sheet(item, lines=PROPERTY_LINES, actor=actor)
        property_services.do_add_offer(
            item,
            offered_on=timezone.localdate(),
            party="owner",
            speaker="李科长",
            amount="8000",
            actor=actor,
        )
        return {"case_no": case.case_no, "seq": item.seq}

    @cached_property
    def injury_item(self):
        # An injured person assessed with one audited bill, so the page shows every section.
        case = self.firm.assessing_case(client_claim_no="PICC-INJURY", injured_persons=1)
        item = case.loss_items.get(kind="injury")
        actor, today = self.firm.zhangsan, timezone.localdate()
        injury_investigation.do_save_injury_survey(
            item,
            {"visited_on": today, "hospital": "杭州市第一人民医院", "diagnosis": "骨折"},
            actor=actor,
        )
        injury_investigation.do_record_hospital_visit(
            item, {"visited_on": today, "kind": "patrol", "findings": "在床"}, actor=actor
        )
        injury_assessment.do_save_injury_assessment(
            item,
            person={**INJURED_PERSON, "id_number": INJURED_ID},
            calculator=INJURY_CALCULATOR,
            bills=[{**bill, "date": today} for bill in INJURY_BILLS],
            actor=actor,
        )
        return {"case_no": case.case_no, "seq": item.seq}

    @cached_property
    def injury_flag(self):
        item = LossItem.objects.get(case__case_no=self.injury_item["case_no"], kind="injury")
        flag = injury_investigation.do_raise_investigation_flag(
            item, {"kind": "over_treatment", "evidence": "重复检查"}, actor=self.firm.zhangsan
        )
        return {"case_no": item.case.case_no, "pk": flag.pk}

    @cached_property
    def alert(self):
        # Reported three days after the accident: a late_report alert (among others).
        now = timezone.now()
        case = self.firm.registered_case(
            client_claim_no="PICC-ALERT",
            accident_time=now - timedelta(days=3),
            reported_at=now - timedelta(hours=1),
        )
        late = next(a for a in evaluate_case(case) if a.rule == "late_report")
        return {"pk": late.pk}

    # Staff quality: 张三's misconduct entry registered by 李四 with a photo as evidence, a
    # complaint and a whistle-blower report about him.
    @cached_property
    def _misconduct(self):
        item = MisconductItem.objects.get(code="S02")
        data = {
            "person": self.firm.zhangsan.pk,
            "item": item.pk,
            "points": 2,
            "occurred_on": timezone.localdate(),
            "description": "查勘照片缺漏。",
        }
        return staff_services.do_register_misconduct(
            data, evidence=[photo("现场.jpg")], actor=self.firm.lisi
        )

    @cached_property
    def misconduct(self):
        return {"pk": self._misconduct.pk}

    @cached_property
    def misconduct_evidence(self):
        return {"pk": self._misconduct.pk, "evidence_pk": self._misconduct.evidence.get().pk}

    @cached_property
    def quality_person(self):
        return {"pk": self.firm.zhangsan.pk}

    @cached_property
    def complaint(self):
        data = {"source": "customer", "complainant": "王先生", "staff": self.firm.zhangsan.pk}
        complaint = staff_services.do_receive_complaint(
            {**data, "summary": "态度恶劣。"}, actor=self.firm.zhoujiu
        )
        return {"pk": complaint.pk}

    @cached_property
    def whistleblower_report(self):
        report = staff_services.do_receive_report(
            {"subject": self.firm.zhangsan.pk, "content": "收受红包。"}, actor=self.firm.zhoujiu
        )
        return {"pk": report.pk}

    @cached_property
    def _in_review(self):
        return self.firm.in_review_case(client_claim_no="PICC-REVIEW")

    @cached_property
    def in_review(self):
        return {"case_no": self._in_review.case_no}

    @cached_property
    def document_request(self):
        case = self.firm.assessed_case(client_claim_no="PICC-DOCS")
        request = claims_services.do_request_documents(case, items="驾驶证", actor=self.firm.lisi)
        return {"case_no": case.case_no, "pk": request.pk}

    @cached_property
    def approved(self):
        return {"case_no": self.firm.approved_case(client_claim_no="PICC-APPROVED").case_no}

    @cached_property
    def issued(self):
        return {"case_no": self.firm.issued_case(client_claim_no="PICC-ISSUED").case_no}

    @cached_property
    def fee_adjustment(self):
        # The issued case's fee (computed by billing when the report was issued), adjusted.
        case = Case.objects.get(case_no=self.issued["case_no"])
        adjustment = billing_services.do_request_fee_adjustment(
            case, amount="50.00", reason="夜间查勘加收", actor=self.firm.finance
        )
        return {"case_no": case.case_no, "pk": adjustment.pk}

    @cached_property
    def _statement(self):
        self.issued  # noqa: B018 - a case of 杭州 billed today
        today = timezone.localdate()
        return billing_statements.do_create_statement(
            client=self.firm.client, period_start=today, period_end=today, actor=self.hz_finance
        )

    @cached_property
    def statement(self):
        return {"pk": self._statement.pk}

    @property
    def statement_void(self):
        return {"pk": self._statement.pk, "action": "void"}

    @cached_property
    def reconciliation(self):
        sheet = "赔案号,公估费\nPICC-ISSUED,1.00\n".encode()
        done = billing_reconciliations.do_reconcile_statement(
            self._statement, name="清单.csv", data=sheet, actor=self.hz_finance
        )
        return {"pk": done.pk}

    @cached_property
    def sheet_mapping(self):
        billing_reconciliations.do_set_sheet_mapping(
            self.firm.client,
            # The usual headers stay among them: the reconciliation above may be built after.
            columns={"client_claim_no": ["理赔案件号", "赔案号"], "amount": ["应付金额", "公估费"]},
            actor=self.firm.finance,
        )
        return {"client_id": self.firm.client.pk}

    @cached_property
    def payment(self):
        paid = billing_statements.do_record_payment(
            client=self.firm.client,
            paid_on=timezone.localdate(),
            amount="100.00",
            reference="HK-SCOPE",
            actor=self.hz_finance,
        )
        return {"pk": paid.pk}

    @property
    def fee(self):
        """The issued case, its fee with an adjustment."""
        return {"case_no": self.fee_adjustment["case_no"]}

    @cached_property
    def _delegation(self):
        # To 南京 (another province): a delegation to 宁波 would rightly show the case there.
        case = self.firm.registered_case(client_claim_no="PICC-DELEGATED")
        return do_request_delegation(case, to_branch=self.firm.nanjing, actor=self.firm.zhaoliu)

    @cached_property
    def delegation(self):
        return {"case_no": self._delegation.case.case_no, "pk": self._delegation.pk}

    @cached_property
    def delegation_action(self):
        return {**self.delegation, "verb": "cancel"}

    @cached_property
    def callback(self):
        case = self.firm.closed_case(client_claim_no="PICC-CLOSED")
        return {"pk": do_create_callback(case, method="phone").pk}

    @cached_property
    def import_batch(self):
        batch = ImportBatch.objects.create(
            client=self.firm.client,
            branch=self.firm.hangzhou,
            original_name="报案清单.xlsx",
            columns={},
            uploaded_by=self.firm.zhaoliu,
            status=ImportStatus.DONE,
        )
        return {"pk": batch.pk}

    @cached_property
    def client(self):
        self._registered  # noqa: B018 - the client has a case in 杭州 only
        return {"client_id": self.firm.client.pk}

    @cached_property
    def _price_query(self):
        return parts_services.do_save_price_query(
            {"lines": [{"part": self.catalogue.fog.pk}]}, actor=self.firm.zhangsan
        )

    @cached_property
    def price_query(self):
        return {"pk": self._price_query.pk}

    @cached_property
    def _manual_quote(self):
        return parts_services.do_request_manual_quote(
            {"part_name": "饰条", "vehicle_description": "途铠"},
            photos=[photo()],
            actor=self.firm.zhangsan,
        )

    @cached_property
    def manual_quote(self):
        return {"pk": self._manual_quote.pk}

    @cached_property
    def manual_quote_photo(self):
        return {"pk": self._manual_quote.pk, "photo_pk": self._manual_quote.photos.get().pk}

    @cached_property
    def local_price(self):
        override = parts_services.do_set_local_price(
            self.catalogue.fog,
            price_type="4s",
            price="250.00",
            reason="本地采购价",
            actor=self.hz_price_desk,
        )
        return {"pk": override.pk}

    @cached_property
    def catalogue_import(self):
        upload = SimpleUploadedFile(
            "catalogue.csv", CATALOGUE_CSV.encode("utf-8-sig"), content_type="text/csv"
        )
        imp = parts_services.do_start_catalogue_import(upload, actor=self.hz_price_desk)
        return {"pk": imp.pk}

    @cached_property
    def sms(self):
        from lossdesk.notify.services import send_sms

        case = self._registered
        send_sms(
            "13812345678",
            "callback_link",
            {"case_no": case.case_no, "url": "https://x"},
            case=case,
            actor=self.firm.zhaoliu,
        )
        return {"pk": SmsMessage.objects.filter(case=case).latest("pk").pk}

    @cached_property
    def staff(self):
        return {"pk": self.firm.zhangsan.pk}

    @cached_property
    def token(self):
        token, _ = AuthToken.objects.create(
            user=self.firm.zhangsan, password_hash=self.firm.zhangsan.get_session_auth_hash()
        )
        return {"token_id": token.public_id}


def user_for(world: World, name: str):
    return getattr(world.firm, name, None) or getattr(world, name)


@pytest.fixture
def world(firm, catalogue):
    return World(firm, catalogue)


def send(user, name: str, method: str, kwargs: dict):
    spec = ROUTES[name]
    path = reverse(name, kwargs=kwargs)
    body = spec.body_for(method, kwargs)
    if name in API:
        fmt = "multipart" if spec.multipart else "json"
        return getattr(client_for(user), method)(path, body, format=fmt)
    client = PageClient()
    client.force_login(user)
    return getattr(client, method)(path, body)


def test_every_route_with_an_id_has_scope_coverage():
    routes = routes_with_parameters()
    missing = set(routes) - set(ROUTES) - set(UNSCOPED)
    assert not missing, f"new route without scope coverage: {sorted(missing)}"
    assert not (set(ROUTES) | set(UNSCOPED)) - set(routes), "stale entries"
    assert not set(ROUTES) & set(UNSCOPED)
    mismatched = []
    for name, spec in ROUTES.items():
        methods = handled_methods(routes[name])
        if methods is not None and set(spec.expect) != methods:
            mismatched.append((name, sorted(methods)))
    assert not mismatched, f"methods without scope coverage: {mismatched}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_another_branch_gets_404_and_the_owner_gets_through(world, name):
    spec = ROUTES[name]
    kwargs = getattr(world, spec.kwargs)
    owner = user_for(world, spec.owner)
    other = world.peer(owner)
    assert owner.branch == world.firm.hangzhou
    assert (other.branch, other.position) == (world.firm.ningbo, owner.position)
    events, messages = CaseEvent.objects.count(), SmsMessage.objects.count()
    for method in spec.expect:
        response = send(other, name, method, kwargs)
        assert response.status_code == 404, (method, response.status_code)
        assert response.resolver_match.view_name == name  # not a catch-all 404
        if name not in API:
            assert "404 · 未找到" in response.content.decode()
            continue
        error = error_of(response)
        assert error["code"] == "not_found"
        if "case_no" in kwargs:
            assert error["message"] == "案件不存在或不在您的数据范围内。"
    assert (CaseEvent.objects.count(), SmsMessage.objects.count()) == (events, messages)
    # The owner second: a write may change the object the other user tried first.
    for method, status in spec.expect.items():
        response = send(owner, name, method, kwargs)
        assert response.status_code == status, (method, response.status_code)
    # Every other method is refused, so the table names all the ways in (function views too).
    for method in sorted(set(METHODS) - set(spec.expect)):
        response = send(owner, name, method, kwargs)
        assert response.status_code == spec.refused, (method, response.status_code)
