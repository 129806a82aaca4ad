import pytest
from django.conf import settings as django_settings


def pytest_configure(config):
    # Real hashing costs ~0.5 s a password; the tests create a dozen staff per test.
    django_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def firm(db, settings, tmp_path):
    from lossdesk.core.testing import Firm

    settings.MEDIA_ROOT = tmp_path / "media"
    return Firm()
