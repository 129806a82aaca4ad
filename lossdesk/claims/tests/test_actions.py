"""One declaration per case action builds both its page (panel, own page, URL) and its API
endpoint: a fake action contributed by a fake app gets all of them from the declaration
alone, runs the same service from either side, and stays out of reach of another branch."""

import types

import pytest
from django import forms
from django.urls import clear_url_caches, include, path, reverse
from rest_framework import serializers

from lossdesk import urls as real_urls
from lossdesk.claims import registry
from lossdesk.claims.actions import CaseAction, case_actions
from lossdesk.claims.api.serializers import VersionSerializer
from lossdesk.claims.api.views import action_urls
from lossdesk.claims.forms import VersionedForm
from lossdesk.claims.views import page_urls
from lossdesk.claims.workflow import Action
from lossdesk.testing import client_for

stamped: list[tuple] = []


class StampForm(VersionedForm):
    note = forms.CharField(label="说明", max_length=20)


class StampSerializer(VersionSerializer):
    note = serializers.CharField(max_length=20)


class StampCase(CaseAction):
    actions = (Action.ADD_ATTACHMENT,)  # any open case its viewers may add to
    title = "盖章"
    page_name, page_path = "fake:case-stamp", "stamp/"
    api_name, api_path = "case-stamp", "stamp"
    form, serializer = StampForm, StampSerializer
    submit_label = "盖章"

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        stamped.append((case.case_no, data["note"], actor.username, version))
        return case

    @classmethod
    def message(cls, case, result):
        return "已盖章。"


@pytest.fixture
def stamp_app(monkeypatch, settings):
    monkeypatch.setattr(registry, "_CONTRIBUTIONS", dict(registry._CONTRIBUTIONS))
    registry.register_case_contribution(
        registry.CaseContribution(app="fake", actions=lambda: [StampCase])
    )
    endpoints = [p for p in action_urls() if p.callback.view_class.declaration is StampCase]
    urlconf = types.ModuleType("fake_urls")
    urlconf.urlpatterns = [
        *real_urls.urlpatterns,
        path("", include((page_urls("fake"), "fake"))),
        path("fake-api/", include((endpoints, "fake-api"))),
    ]
    settings.ROOT_URLCONF = urlconf
    clear_url_caches()
    stamped.clear()
    yield
    clear_url_caches()


def test_the_declaration_gives_a_page_and_an_endpoint(stamp_app):
    assert StampCase in case_actions()
    assert [p.name for p in page_urls("fake")] == ["case-stamp"]
    assert reverse("fake:case-stamp", args=["C1"]) == "/cases/C1/stamp/"
    assert reverse("fake-api:case-stamp", args=["C1"]) == "/fake-api/cases/C1/stamp"


def test_the_case_page_offers_its_panel_and_its_page_runs_it(firm, stamp_app, client):
    case = firm.surveying_case()
    client.force_login(firm.zhangsan)

    page = client.get(reverse("claims:case-detail", args=[case.case_no])).content.decode()
    assert 'data-testid="action-case-stamp"' in page

    url = reverse("fake:case-stamp", args=[case.case_no])
    response = client.post(url, {"note": "页面", "version": case.version})

    assert response.status_code == 302
    assert stamped == [(case.case_no, "页面", "zhangsan", case.version)]


def test_the_endpoint_runs_the_same_action(firm, stamp_app):
    case = firm.surveying_case()

    response = client_for(firm.zhangsan).post(
        f"/fake-api/cases/{case.case_no}/stamp", {"note": "接口"}
    )

    assert response.status_code == 200, response.content
    assert response.json()["case_no"] == case.case_no
    assert stamped == [(case.case_no, "接口", "zhangsan", None)]


def test_both_refuse_bad_input_the_same_way(firm, stamp_app, client):
    case = firm.surveying_case()
    client.force_login(firm.zhangsan)

    page = client.post(reverse("fake:case-stamp", args=[case.case_no]), {"note": "长" * 21})
    api = client_for(firm.zhangsan).post(
        f"/fake-api/cases/{case.case_no}/stamp", {"note": "长" * 21}
    )

    assert page.status_code == 400 and api.status_code == 400
    assert stamped == []


def test_another_branch_gets_404_from_both(firm, stamp_app, client):
    case = firm.surveying_case()
    client.force_login(firm.wangwu)

    page = client.post(reverse("fake:case-stamp", args=[case.case_no]), {"note": "x"})
    api = client_for(firm.wangwu).post(f"/fake-api/cases/{case.case_no}/stamp", {"note": "x"})

    assert page.status_code == 404 and api.status_code == 404
    assert stamped == []
