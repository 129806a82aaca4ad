import socket

import pytest
from django.conf import settings as django_settings
from django.test import modify_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# CI machines have two cores shared by parallel test workers: time limits would make the
# property tests flaky without making them any stricter.
hypothesis_settings.register_profile(
    "lossdesk", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("lossdesk")


def pytest_configure(config):
    # A loss line that exists only in the tests (lossdesk/claims/tests/fake_line), installed
    # before the test database is created and registered by the tests that use it.
    modify_settings(INSTALLED_APPS={"append": "lossdesk.claims.tests.fake_line"}).enable()
    # Re-populating the app registry does not expire the models' field caches (Django only
    # does once ready), and an app's ready() may have filled them: LossItem must learn its
    # new reverse relation to the fake line's model.
    from django.apps import apps

    for model in apps.get_models(include_auto_created=True):
        model._meta._expire_cache()
    # On SQLite the live server's threads share the test's one in-memory connection, so two
    # requests at once (a page's thumbnails) can read each other's rows: serve one at a time.
    if django_settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        from django.core.servers.basehttp import WSGIServer
        from django.test.testcases import LiveServerThread

        class SerialServer(WSGIServer):
            def __init__(self, *args, connections_override=None, **kwargs):
                super().__init__(*args, **kwargs)

        LiveServerThread.server_class = SerialServer
    # The suite's cache stays in each test process's memory even where the shell sets
    # LOSSDESK_CACHE_URL: no test depends on what a Redis holds (test_cache.py builds its own).
    django_settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    # Every prepared read (lossdesk.core.prepared) is compiled anew and compared with its
    # prepared SQL: a read whose SQL depends on its values fails here, not in production.
    django_settings.LOSSDESK_VERIFY_PREPARED = True
    # Real hashing costs ~0.5 s a password; the tests create a dozen staff per test.
    django_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The suite logs in from one address many times a minute; throttling has its own tests
    # (lossdesk/org/tests/test_login_security.py), which lower the rates again.
    from rest_framework.settings import api_settings

    rates = {"anon": "100000/minute", "user": "100000/minute"}
    django_settings.REST_FRAMEWORK = {
        **django_settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": rates,
    }
    api_settings.reload()


@pytest.fixture
def firm(db, settings, tmp_path):
    from lossdesk.testing import Firm

    settings.MEDIA_ROOT = tmp_path / "media"
    return Firm()


@pytest.fixture
def unreachable_cache(settings):
    """The default cache in a Redis where nothing listens, and the stand-in its callers fall
    back to in this process empty (decision 0029)."""
    from lossdesk.core.cache import process_cache

    process_cache.clear()
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/1",
        }
    }


@pytest.fixture(autouse=True)
def _fresh_sms_templates():
    # notify caches templates per process; a row from a rolled-back test must not leak.
    from lossdesk.notify.services import clear_template_cache

    clear_template_cache()
