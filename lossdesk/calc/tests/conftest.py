import pytest
from rest_framework.test import APIClient

from lossdesk.testing import api_token

API = "/api/v1"


def api_client_for(user) -> APIClient:
    """An API client that authenticates like the phone app: `Authorization: Bearer <token>`."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token(user)}")
    return client


@pytest.fixture
def surveyor(db):
    """One business user (a surveyor, like 张三): every staff member may calculate. Cheaper
    than the whole `firm` cast, which the permission tests use."""
    from lossdesk.org.models import Position, Staff
    from lossdesk.testing import PASSWORD

    user = Staff(
        username="calc-user", full_name="计算员", position=Position.objects.get(code="surveyor")
    )
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def api(surveyor) -> APIClient:
    return api_client_for(surveyor)


@pytest.fixture
def post(api):
    """post("ctpl", body) → the response of POST /api/v1/calc/ctpl with a JSON body."""

    def _post(endpoint: str, body):
        return api.post(f"{API}/calc/{endpoint}", body, format="json")

    return _post
