import pytest


@pytest.fixture
def catalogue(db):
    from lossdesk.parts.testing import Catalogue

    return Catalogue()
