import pytest
from rest_framework.test import APIClient

from lossdesk.testing import Firm


@pytest.fixture
def catalogue(db):
    from lossdesk.parts.testing import Catalogue

    return Catalogue()


@pytest.fixture
def price_desk(firm):
    """郑十一, the price desk (报价员) of 浙江分公司 (sees 杭州 and 宁波)."""
    return Firm.staff("zhengshiyi", "郑十一", "price_desk", firm.zhejiang)


@pytest.fixture
def api():
    def client_for(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return client_for
