"""Fee contracts: versions made by the head office, read-only once made, the one in force on a
date; the API, the admin pages and who may do what."""

from datetime import date
from html import escape

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as PageClient
from django.urls import reverse

from lossdesk.billing import services
from lossdesk.billing.models import FeeContract
from lossdesk.core.errors import Conflict, PermissionDenied, ServiceError
from lossdesk.org.models import Position
from lossdesk.org.positions import permission_name
from lossdesk.testing import API, PASSWORD, Firm, client_for, error_of

pytestmark = pytest.mark.django_db

URL = f"{API}/fee-contracts"
PERCENTAGE = {"mode": "percentage", "rate": "0.03", "minimum": "300.00", "maximum": "5000.00"}
PROGRESSIVE = {
    "mode": "progressive",
    "brackets": [
        {"up_to": "10000.00", "rate": "0.04"},
        {"up_to": "50000.00", "rate": "0.03"},
        {"up_to": None, "rate": "0.02"},
    ],
}


def body(firm, **changes) -> dict:
    return {
        "client": firm.client.pk,
        "line": "motor",
        "effective_from": "2026-01-01",
        "terms": PERCENTAGE,
        "note": "2026 年度合作协议",
        **changes,
    }


def make(firm, terms=PERCENTAGE, line="motor", start=date(2026, 1, 1), end=None, **kw):
    return services.do_create_fee_contract(
        client=firm.client,
        line=line,
        effective_from=start,
        effective_to=end,
        terms=terms,
        actor=firm.finance,
        **kw,
    )


# --- the API -----------------------------------------------------------------------------


def test_hq_finance_makes_a_contract_and_a_change_is_the_next_version(firm):
    api = client_for(firm.finance)
    first = api.post(URL, body(firm), format="json")
    assert first.status_code == 201, first.content
    created = first.json()
    assert created["version"] == 1
    assert created["mode"] == "percentage"
    assert created["terms"] == PERCENTAGE
    assert created["latest"] is True
    assert created["created_by_name"] == "财务"
    assert created["client_name"] == "中国人民财产保险股份有限公司"
    assert "previous_version" not in created

    second = api.post(
        URL,
        body(firm, terms=PROGRESSIVE, effective_from="2026-07-01", previous_version=1),
        format="json",
    )
    assert second.status_code == 201, second.content
    assert second.json()["version"] == 2
    # The first version is kept as it was, no longer the latest.
    old = api.get(f"{URL}/{created['id']}").json()
    assert (old["version"], old["terms"], old["latest"]) == (1, PERCENTAGE, False)
    assert FeeContract.objects.count() == 2


def test_terms_are_stored_as_the_rules_read_them(firm):
    terms = {"mode": "percentage", "rate": 0.03, "minimum": "300", "maximum": "5,000"}
    response = client_for(firm.finance).post(URL, body(firm, terms=terms), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["terms"] == PERCENTAGE
    assert FeeContract.objects.get().terms == PERCENTAGE


def test_versions_are_numbered_per_client_and_line(firm):
    make(firm)
    make(firm)
    assert make(firm, line="property").version == 1
    assert make(firm).version == 3


def test_a_version_made_since_the_author_looked_is_a_409_and_nothing_is_saved(firm):
    make(firm)
    make(firm)
    response = client_for(firm.finance).post(URL, body(firm, previous_version=1), format="json")
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "conflict"
    assert error["current_version"] == 2
    assert FeeContract.objects.count() == 2
    # The first version of a line is made against 0.
    with pytest.raises(Conflict):
        make(firm, line="injury", previous_version=1)
    assert make(firm, line="injury", previous_version=0).version == 1


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        (
            {
                "terms": {
                    "mode": "progressive",
                    "brackets": [
                        {"up_to": "10000", "rate": "0.04"},
                        {"up_to": "8000", "rate": "0.03"},
                        {"up_to": None, "rate": "0.02"},
                    ],
                }
            },
            {"terms.brackets.1.up_to"},
        ),
        (
            {
                "terms": {
                    "mode": "flat_bracket",
                    "brackets": [
                        {"up_to": "10000", "rate": "0.04"},
                        {"from": "12000", "up_to": None, "rate": "0.02"},
                    ],
                }
            },
            {"terms.brackets.1.from"},
        ),
        (
            {"terms": {"mode": "percentage", "rate": "3", "amount": "1"}},
            {"terms.rate", "terms.amount"},
        ),
        ({"terms": []}, {"terms"}),
        ({"line": "marine"}, {"line"}),
        ({"effective_to": "2025-12-31"}, {"effective_to"}),
        ({"note": "长" * 501}, {"note"}),
        ({"client": 999999}, {"client"}),
        ({"previous_version": -1}, {"previous_version"}),
        ({"version": 7, "colour": 1}, set()),  # read-only and unknown keys are ignored
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_saves_nothing(firm, changes, fields):
    response = client_for(firm.finance).post(URL, body(firm, **changes), format="json")
    if not fields:
        assert response.status_code == 201
        assert response.json()["version"] == 1
        return
    assert response.status_code == 400, response.content
    assert set(error_of(response)["fields"]) == fields
    assert not FeeContract.objects.exists()


def test_an_inactive_client_gets_no_new_contract(firm):
    firm.client.active = False
    firm.client.save()
    response = client_for(firm.finance).post(URL, body(firm), format="json")
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"client"}


def test_a_contract_is_never_changed_or_deleted_through_the_api(firm):
    contract = make(firm)
    api = client_for(firm.finance)
    for method in ("put", "patch", "delete"):
        response = getattr(api, method)(f"{URL}/{contract.pk}", body(firm), format="json")
        assert response.status_code == 405, method
    assert FeeContract.objects.get().terms == PERCENTAGE


def test_only_the_head_office_writes_branches_read(firm):
    make(firm)
    hz_finance = Firm.staff("hz_finance", "杭州财务", "finance", firm.hangzhou)
    # 杭州's finance may read the firm's contracts but not make one.
    assert client_for(hz_finance).get(URL).json()["count"] == 1
    response = client_for(hz_finance).post(URL, body(firm), format="json")
    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"
    with pytest.raises(PermissionDenied):
        services.do_create_fee_contract(
            client=firm.client,
            line="motor",
            effective_from=date(2026, 1, 1),
            terms=PERCENTAGE,
            actor=hz_finance,
        )
    # A branch manager reads; the system administrator writes too.
    assert client_for(firm.zhoujiu).get(URL).status_code == 200
    assert client_for(firm.zhoujiu).post(URL, body(firm), format="json").status_code == 403
    response = client_for(firm.sysadmin).post(URL, body(firm), format="json")
    assert response.status_code == 201
    assert response.json()["version"] == 2
    assert FeeContract.objects.count() == 2


@pytest.mark.parametrize("username", ["zhangsan", "zhaoliu", "lisi", "secadmin", "auditor"])
def test_positions_without_the_right_get_403_for_every_method(firm, username):
    contract = make(firm)
    user = getattr(firm, username)
    api = client_for(user)
    assert api.get(URL).status_code == 403
    assert api.get(f"{URL}/{contract.pk}").status_code == 403
    assert api.post(URL, body(firm), format="json").status_code == 403
    assert FeeContract.objects.count() == 1


def test_login_is_needed(firm):
    assert client_for(None).get(URL).status_code == 401


def test_the_list_filters_by_client_line_and_the_date_in_force(firm):
    v1 = make(firm)  # from 2026-01-01
    v2 = make(firm, terms=PROGRESSIVE, start=date(2026, 7, 1))
    injury = make(firm, line="injury", start=date(2026, 3, 1), end=date(2026, 12, 31))
    api = client_for(firm.finance)

    def ids(query: str) -> list[int]:
        response = api.get(f"{URL}?{query}")
        assert response.status_code == 200, response.content
        return sorted(row["id"] for row in response.json()["results"])

    assert ids("line=motor") == sorted([v1.pk, v2.pk])
    assert ids(f"client={firm.client.pk}&line=injury") == [injury.pk]
    assert ids("in_force_on=2026-03-01") == sorted([v1.pk, injury.pk])
    assert ids("in_force_on=2026-08-01&line=motor") == [v2.pk]
    assert ids("in_force_on=2025-12-31") == []
    assert ids("in_force_on=2027-01-01") == [v2.pk]
    response = api.get(f"{URL}?in_force_on=明天")
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"in_force_on"}


# --- the contract in force ---------------------------------------------------------------


def test_the_contract_in_force_is_the_highest_version_covering_the_date(firm):
    v1 = make(firm)  # 2026-01-01, open-ended
    v2 = make(firm, terms=PROGRESSIVE, start=date(2026, 7, 1))
    v3 = make(firm, start=date(2026, 2, 1), end=date(2026, 2, 28))  # a correction for February

    def in_force(on: date, line: str = "motor"):
        return services.contract_in_force(firm.client, line, on)

    assert in_force(date(2025, 12, 31)) is None
    assert in_force(date(2026, 1, 1)) == v1
    assert in_force(date(2026, 1, 31)) == v1
    assert in_force(date(2026, 2, 1)) == v3
    assert in_force(date(2026, 2, 28)) == v3  # effective_to is inclusive
    assert in_force(date(2026, 3, 1)) == v1  # the older version still covers March to June
    assert in_force(date(2026, 6, 30)) == v1
    assert in_force(date(2026, 7, 1)) == v2  # superseded from the new version's date
    assert in_force(date(2030, 1, 1)) == v2
    assert in_force(date(2026, 8, 1), "property") is None
    assert v2.fee_terms.brackets[-1].up_to is None


def test_a_contract_row_is_append_only_and_its_terms_are_checked_on_save(firm):
    contract = make(firm)
    contract.note = "改"
    with pytest.raises(TypeError):
        contract.save()
    with pytest.raises(TypeError):
        FeeContract.objects.update(note="改")
    with pytest.raises(TypeError):
        contract.delete()
    with pytest.raises(TypeError):
        FeeContract.objects.all().delete()
    bad = FeeContract(
        client=firm.client,
        line="motor",
        version=9,
        effective_from=date(2026, 1, 1),
        terms={"mode": "flat_bracket", "brackets": [{"up_to": "100", "rate": "0.1"}]},
        created_by=firm.finance,
    )
    with pytest.raises(ValidationError) as caught:
        bad.save()
    assert caught.value.message_dict["terms"] == [
        "brackets.0.up_to：最后一档须不设上限（null），否则超出的金额无档可依"
    ]
    with pytest.raises(ServiceError) as refused:
        make(firm, terms={"mode": "per_case"})
    assert refused.value.fields == {"terms.amount": ["须填写"]}


# --- grants and the admin ----------------------------------------------------------------


def test_the_standard_positions_hold_the_billing_rights(firm):
    def rights(code: str) -> set[str]:
        position = Position.objects.get(code=code)
        names = {permission_name(p) for p in position.permissions.select_related("content_type")}
        return {name for name in names if name.startswith("billing.")}

    both = {"billing.view_feecontract", "billing.add_feecontract"}
    receivables = {
        "billing.view_statement",
        "billing.view_payment",
        "billing.view_reconciliation",
        "billing.view_clientsheetmapping",
    }
    commissions = {"billing.view_commissionrule", "billing.view_commissionrun"}
    assert rights("finance") == both | receivables | commissions | {
        "billing.view_casefee",
        "billing.add_feeadjustment",
        "billing.add_statement",
        "billing.change_statement",
        "billing.add_payment",
        "billing.add_reconciliation",
        "billing.change_clientsheetmapping",
        "billing.add_commissionrule",
        "billing.add_commissionrun",
    }
    assert rights("system_admin") == both
    assert rights("branch_manager") == receivables | commissions | {
        "billing.view_feecontract",
        "billing.view_casefee",
        "billing.decide_feeadjustment",
        "billing.approve_commissionrun",
    }
    assert rights("surveyor") == rights("auditor") == rights("security_admin") == set()


def admin_client(user) -> PageClient:
    client = PageClient()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_admin_adds_a_version_through_the_service_and_shows_versions_read_only(firm):
    make(firm)
    client = admin_client(firm.sysadmin)
    add = reverse("admin:billing_feecontract_add")
    form = {
        "client": firm.client.pk,
        "line": "motor",
        "effective_from": "2026-07-01",
        "effective_to": "",
        "terms": '{"mode": "per_case", "amount": "200"}',
        "note": "按件",
    }
    response = client.post(add, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = FeeContract.objects.get(version=2)
    assert (saved.terms, saved.created_by, saved.note) == (
        {"mode": "per_case", "amount": "200.00"},
        firm.sysadmin,
        "按件",
    )
    # Bad terms: the form names the key, nothing is saved.
    bad = {**form, "terms": '{"mode": "progressive", "brackets": [{"up_to": "1", "rate": "2"}]}'}
    response = client.post(add, bad)
    assert response.status_code == 200
    assert "brackets.0.rate" in response.content.decode()
    assert FeeContract.objects.count() == 2
    # The versions: listed, shown, never changed or deleted.
    changelist = client.get(reverse("admin:billing_feecontract_changelist"))
    assert changelist.status_code == 200
    assert "按件固定" in changelist.content.decode()
    change = reverse("admin:billing_feecontract_change", args=[saved.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert escape('"amount": "200.00"') in page.content.decode()
    assert client.post(change, form).status_code == 403
    delete = reverse("admin:billing_feecontract_delete", args=[saved.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert FeeContract.objects.count() == 2


def test_the_admin_add_page_is_only_for_who_may_write(firm):
    assert services.may_write_fee_contracts(firm.sysadmin)
    assert services.may_write_fee_contracts(firm.finance)
    assert not services.may_write_fee_contracts(firm.zhoujiu)
    client = admin_client(firm.sysadmin)
    assert client.get(reverse("admin:billing_feecontract_add")).status_code == 200
    auditor = admin_client(firm.auditor)
    assert auditor.get(reverse("admin:billing_feecontract_add")).status_code == 403
