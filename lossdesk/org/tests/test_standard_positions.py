"""The table of standard positions, composed from org's own rights and the grants the feature
apps register: the same rights per position as when org imported the feature apps' lists
(snapshot below, taken from that code), on a new database too."""

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from lossdesk.org.models import Position
from lossdesk.org.permissions import grant_missing_permissions, register_grants
from lossdesk.org.positions import (
    ADMIN_POSITIONS,
    STANDARD_POSITIONS,
    admin_permissions,
    permission_name,
    standard_permissions,
)

STANDARD_PERMISSIONS_BEFORE = {
    "system_admin": {
        "billing.add_feecontract",
        "billing.view_feecontract",
        "calc.add_compensationstandard",
        "calc.add_ctpllimittable",
        "calc.add_depreciationrate",
        "calc.add_depreciationtable",
        "calc.add_wmientry",
        "calc.change_compensationstandard",
        "calc.change_ctpllimittable",
        "calc.change_depreciationrate",
        "calc.change_depreciationtable",
        "calc.change_wmientry",
        "calc.delete_compensationstandard",
        "calc.delete_ctpllimittable",
        "calc.delete_depreciationrate",
        "calc.delete_depreciationtable",
        "calc.delete_wmientry",
        "calc.view_compensationstandard",
        "calc.view_ctpllimittable",
        "calc.view_depreciationrate",
        "calc.view_depreciationtable",
        "calc.view_wmientry",
        "notify.change_smstemplate",
        "notify.view_smsmessage",
        "notify.view_smstemplate",
        "org.add_branch",
        "org.add_client",
        "org.add_clientbranch",
        "org.add_clientcontact",
        "org.add_repairshop",
        "org.add_staff",
        "org.change_branch",
        "org.change_client",
        "org.change_clientbranch",
        "org.change_clientcontact",
        "org.change_repairshop",
        "org.change_staff",
        "org.reset_password",
        "org.view_branch",
        "org.view_client",
        "org.view_clientbranch",
        "org.view_clientcontact",
        "org.view_repairshop",
        "org.view_staff",
        "quality.add_calendarday",
        "quality.change_calendarday",
        "quality.delete_calendarday",
        "quality.view_calendarday",
        "quality.add_deadlinerule",
        "quality.change_deadlinerule",
        "quality.delete_deadlinerule",
        "quality.view_deadlinerule",
        "quality.add_misconductitem",
        "quality.change_misconductitem",
        "quality.delete_misconductitem",
        "quality.view_misconductitem",
        "quality.add_pointthreshold",
        "quality.change_pointthreshold",
        "quality.delete_pointthreshold",
        "quality.view_pointthreshold",
    },
    "security_admin": {
        "axes.delete_accessattempt",
        "axes.view_accessattempt",
        "org.add_position",
        "org.assign_position",
        "org.change_position",
        "org.view_position",
        "org.view_staff",
    },
    "auditor": {
        "admin.view_logentry",
        "audit.view_piiaccess",
        "axes.view_accessattempt",
        "axes.view_accessfailurelog",
        "axes.view_accesslog",
        "claims.view_caseevent",
        "notify.view_smsmessage",
        "org.view_audit_log",
        "parts.view_pricechange",
    },
    "branch_manager": {
        "billing.approve_commissionrun",
        "billing.decide_feeadjustment",
        "billing.view_casefee",
        "billing.view_clientsheetmapping",
        "billing.view_commissionrule",
        "billing.view_commissionrun",
        "billing.view_feecontract",
        "billing.view_payment",
        "billing.view_reconciliation",
        "billing.view_statement",
        "claims.cancel_case",
        "claims.close_case",
        "claims.dispatch_case",
        "claims.issue_report",
        "claims.request_documents",
        "claims.review_case",
        "claims.review_case_second",
        "claims.view_case",
        "intake.add_report",
        "intake.change_callback",
        "intake.change_importmapping",
        "notify.resend_smsmessage",
        "notify.view_smsmessage",
        "org.view_pii",
        "parts.add_localpriceoverride",
        "parts.approve_manualquote",
        "parts.change_localpriceoverride",
        "parts.delete_localpriceoverride",
        "parts.view_catalogueimport",
        "parts.view_localpriceoverride",
        "parts.view_manualquote",
        "parts.view_part",
        "parts.view_pricechange",
        "parts.view_pricequery",
        "parts.view_vehiclemodel",
        "reports.view_statistics",
        "quality.resolve_alert",
        "quality.view_alert",
        "quality.receive_escalation",
        "quality.view_casedeadline",
        "quality.view_misconductrecord",
        "quality.add_misconductrecord",
        "quality.decide_misconduct_appeal",
        "quality.view_conductevaluation",
        "quality.add_conductevaluation",
        "quality.view_award",
        "quality.add_award",
        "quality.view_complaint",
        "quality.add_complaint",
        "quality.conclude_complaint",
        "quality.view_whistleblowerreport",
        "quality.add_whistleblowerreport",
        "quality.decide_report_reward",
    },
    "dispatcher": {
        "claims.cancel_case",
        "claims.dispatch_case",
        "claims.view_case",
        "intake.add_report",
        "intake.change_callback",
        "notify.resend_smsmessage",
        "notify.view_smsmessage",
        "org.view_pii",
        "reports.view_statistics",
        "quality.view_alert",
        "quality.view_casedeadline",
        "quality.view_complaint",
        "quality.add_complaint",
    },
    "surveyor": {
        "claims.assess_case",
        "claims.request_documents",
        "claims.survey_case",
        "claims.view_case",
        "org.view_pii",
        "parts.add_manualquote",
        "parts.add_pricequery",
        "parts.add_vehicleidentification",
        "parts.view_manualquote",
        "parts.view_part",
        "parts.view_pricequery",
        "parts.view_vehiclemodel",
        "quality.view_alert",
    },
    "assessor": {
        "claims.assess_case",
        "claims.request_documents",
        "claims.view_case",
        "parts.add_manualquote",
        "parts.add_pricequery",
        "parts.add_vehicleidentification",
        "parts.view_manualquote",
        "parts.view_part",
        "parts.view_pricequery",
        "parts.view_vehiclemodel",
        "quality.view_alert",
    },
    "reviewer": {
        "claims.close_case",
        "claims.issue_report",
        "claims.request_documents",
        "claims.review_case",
        "claims.review_case_second",
        "claims.view_case",
        "notify.view_smsmessage",
        "parts.view_manualquote",
        "parts.view_part",
        "parts.view_pricequery",
        "parts.view_vehiclemodel",
        "reports.view_statistics",
        "quality.resolve_alert",
        "quality.view_alert",
        "quality.view_casedeadline",
        "quality.view_misconductrecord",
        "quality.add_misconductrecord",
        "quality.view_complaint",
    },
    "price_desk": {
        "parts.add_catalogueimport",
        "parts.add_localpriceoverride",
        "parts.answer_manualquote",
        "parts.change_localpriceoverride",
        "parts.delete_localpriceoverride",
        "parts.view_catalogueimport",
        "parts.view_localpriceoverride",
        "parts.view_manualquote",
        "parts.view_part",
        "parts.view_pricechange",
        "parts.view_pricequery",
        "parts.view_vehiclemodel",
    },
    "quality_committee": {
        "claims.view_case",
        "quality.view_misconductrecord",
        "quality.add_misconductrecord",
        "quality.decide_misconduct_appeal",
        "quality.view_conductevaluation",
        "quality.add_conductevaluation",
        "quality.view_award",
        "quality.add_award",
        "quality.view_complaint",
        "quality.add_complaint",
        "quality.conclude_complaint",
        "quality.view_whistleblowerreport",
        "quality.add_whistleblowerreport",
        "quality.decide_report_reward",
    },
    "finance": {
        "billing.add_commissionrule",
        "billing.add_commissionrun",
        "billing.add_feeadjustment",
        "billing.add_feecontract",
        "billing.add_payment",
        "billing.add_reconciliation",
        "billing.add_statement",
        "billing.change_clientsheetmapping",
        "billing.change_statement",
        "billing.view_casefee",
        "billing.view_clientsheetmapping",
        "billing.view_commissionrule",
        "billing.view_commissionrun",
        "billing.view_feecontract",
        "billing.view_payment",
        "billing.view_reconciliation",
        "billing.view_statement",
        "claims.view_case",
        "reports.view_statistics",
    },
}


def held(code: str) -> set[str]:
    position = Position.objects.get(code=code)
    return {permission_name(p) for p in position.permissions.select_related("content_type")}


def test_the_composed_table_gives_each_standard_position_the_rights_it_had():
    table = {code: standard_permissions(code) for code in STANDARD_POSITIONS}
    assert table == STANDARD_PERMISSIONS_BEFORE


@pytest.mark.parametrize("code", ADMIN_POSITIONS)
def test_an_administrator_position_may_hold_exactly_the_rights_it_had(code):
    assert admin_permissions(code) == STANDARD_PERMISSIONS_BEFORE[code]


@pytest.mark.django_db
@pytest.mark.parametrize("code", list(STANDARD_PERMISSIONS_BEFORE))
def test_a_new_database_gives_each_standard_position_the_rights_it_had(code):
    assert held(code) == STANDARD_PERMISSIONS_BEFORE[code]


@pytest.mark.django_db
def test_an_existing_position_receives_a_feature_app_s_rights_once():
    dispatcher = Position.objects.get(code="dispatcher")
    dispatcher.permissions.remove(*dispatcher.permissions.filter(content_type__app_label="notify"))
    grant_missing_permissions(sender=apps.get_app_config("notify"))
    assert {n for n in held("dispatcher") if n.startswith("notify.")} == {
        "notify.resend_smsmessage",
        "notify.view_smsmessage",
    }
    # An administrator's edit (one notify right taken away) survives the next migrate.
    dispatcher.permissions.remove(*dispatcher.permissions.filter(codename="resend_smsmessage"))
    grant_missing_permissions(sender=apps.get_app_config("notify"))
    assert {n for n in held("dispatcher") if n.startswith("notify.")} == {"notify.view_smsmessage"}


@pytest.mark.parametrize(
    ("grants", "admin", "problem"),
    [
        ({"auditor": ["notify.view_smsmessage"]}, {}, "auditor is an administrator position"),
        ({}, {"dispatcher": ["notify.view_smsmessage"]}, "dispatcher is not an administrator"),
        ({"dispatcher": ["claims.view_case"]}, {}, "claims.view_case is not a right on notify"),
        ({"nobody": ["notify.view_smsmessage"]}, {}, "nobody is not a standard position"),
    ],
)
def test_a_grant_an_app_may_not_make_is_refused_at_start_up(grants, admin, problem):
    before = standard_permissions("dispatcher") | standard_permissions("auditor")
    with pytest.raises(ImproperlyConfigured, match=problem):
        register_grants("notify", grants, admin=admin)
    assert standard_permissions("dispatcher") | standard_permissions("auditor") == before
