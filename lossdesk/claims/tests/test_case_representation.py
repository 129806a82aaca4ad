"""The case list row and the case detail read their fields directly (decision 0025); what
they answer must stay exactly what DRF's generic field-by-field path answers, for cases in
each state (no surveyor yet, amounts unset and set, closed) and through the API."""

import pytest
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from lossdesk.claims.api.serializers import CaseDetailSerializer, CaseListSerializer
from lossdesk.claims.models import Case
from lossdesk.testing import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(firm):
    firm.registered_case()
    firm.assessing_case()
    firm.closed_case()
    return list(Case.objects.select_related("report", "client", "branch", "surveyor"))


def generic(serializer_class, case, request):
    """What DRF's own Serializer.to_representation makes of the same declared fields."""
    serializer = serializer_class(case, context={"request": request})
    return serializers.Serializer.to_representation(serializer, case)


@pytest.mark.parametrize("serializer_class", [CaseListSerializer, CaseDetailSerializer])
def test_direct_reading_equals_the_generic_path(firm, cases, serializer_class):
    request = Request(APIRequestFactory().get("/api/v1/cases"))
    request.user = firm.zhoujiu
    states = {case.status for case in cases}
    assert len(states) == 3 and any(c.surveyor_id is None for c in cases)
    assert any(c.closed_at and c.approved_amount is not None for c in cases)
    for case in cases:
        direct = serializer_class(case, context={"request": request}).data
        assert dict(direct) == generic(serializer_class, case, request)
        assert list(direct) == list(serializer_class(context={"request": request}).fields)


def test_the_list_page_answers_each_row_with_its_own_url(firm, cases):
    body = client_for(firm.zhoujiu).get("/api/v1/cases").json()
    urls = {row["case_no"]: row["url"] for row in body["results"]}
    assert set(urls) == {case.case_no for case in cases}
    for case_no, url in urls.items():
        assert url == f"http://testserver/api/v1/cases/{case_no}"
