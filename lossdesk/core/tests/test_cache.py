"""The cache the app processes share (decision 0029): LOSSDESK_CACHE_URL puts it in Redis,
`check --deploy` warns without it, the API's throttles count in it across processes, and
while Redis is unreachable each process counts on its own instead of answering 500."""

import logging
import os
import runpy
import uuid

import pytest
from django.conf import settings as django_settings
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.core.checks import Tags, run_checks
from redis.exceptions import RedisError

from lossdesk.core.rest import UserRateThrottle
from lossdesk.testing import API, PASSWORD, client_for, error_of

REDIS_URL = "redis://127.0.0.1:6379/1"
LOCAL = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


def cache_settings(monkeypatch, **env) -> dict:
    """CACHES as lossdesk/settings.py computes it from `env`."""
    for name in ("LOSSDESK_CACHE_URL", "LOSSDESK_CACHE_KEY_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///:memory:")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(django_settings.BASE_DIR / "lossdesk" / "settings.py"))["CACHES"]


def test_without_a_cache_url_each_process_keeps_its_own_cache(monkeypatch):
    assert cache_settings(monkeypatch) == {"default": LOCAL}


def test_a_cache_url_puts_the_cache_in_redis_under_the_lossdesk_prefix(monkeypatch):
    assert cache_settings(monkeypatch, LOSSDESK_CACHE_URL=REDIS_URL) == {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "lossdesk",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    staging = cache_settings(
        monkeypatch, LOSSDESK_CACHE_URL=REDIS_URL, LOSSDESK_CACHE_KEY_PREFIX="lossdesk-staging"
    )
    assert staging["default"]["KEY_PREFIX"] == "lossdesk-staging"


def test_the_deploy_check_warns_without_a_shared_cache(settings):
    settings.CACHES = {"default": LOCAL}
    deploy = run_checks(include_deployment_checks=True, tags=[Tags.caches])
    (warning,) = [w for w in deploy if w.id.startswith("lossdesk.")]
    assert warning.id == "lossdesk.W002"
    assert "LOSSDESK_CACHE_URL" in warning.hint
    # Only `check --deploy`: a development `runserver` or `migrate` does not warn.
    assert "lossdesk.W002" not in [w.id for w in run_checks(tags=[Tags.caches])]

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
    deploy = run_checks(include_deployment_checks=True, tags=[Tags.caches])
    assert "lossdesk.W002" not in [w.id for w in deploy]


# --- Redis unreachable -----------------------------------------------------------------------


@pytest.mark.django_db
def test_with_redis_unreachable_the_api_answers_and_throttles_in_each_process(
    firm, settings, unreachable_cache, caplog
):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1000/minute", "user": "3/minute"},
    }
    client = client_for(firm.lisi)
    with caplog.at_level(logging.ERROR, logger="lossdesk.core.rest"):
        for _ in range(3):
            assert client.get(f"{API}/cases").status_code == 200
        over = client.get(f"{API}/cases")  # counted in this process's memory
        anonymous = client_for(None).post(
            f"{API}/auth/token", {"username": "zhangsan", "password": PASSWORD}, format="json"
        )

    assert over.status_code == 429
    assert error_of(over)["code"] == "throttled"
    assert anonymous.status_code == 200
    # DRF's user throttle counts an anonymous call by its address too.
    errors = [r.getMessage().split(",")[0] for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [
        *["API throttle 'user' counts in this process only"] * 4,
        "API throttle 'anon' counts in this process only",
        "API throttle 'user' counts in this process only",
    ]


# --- Redis shared by the app processes -------------------------------------------------------


@pytest.fixture
def two_processes_caches():
    """Two caches on the real Redis as two app processes see it, each with its own client and
    connections, under a key prefix of this test alone (parallel test workers never meet),
    deleted afterwards. Without Redis the test skips on a developer's machine, never in CI."""
    prefix = f"lossdesk-test-{uuid.uuid4().hex}"
    first, second = (RedisCache(REDIS_URL, {"KEY_PREFIX": prefix}) for _ in range(2))
    client = first._cache.get_client(write=True)
    try:
        client.ping()
    except RedisError as exc:
        if os.environ.get("CI", "").lower() in {"1", "true"}:
            pytest.fail(f"CI needs Redis at {REDIS_URL}: {exc}")
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")
    yield first, second
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def over_the_rate_through(first, second, firm, settings, monkeypatch):
    """Three calls of one user (the rate) answered by the process of cache `first`, then
    a fourth by the process of cache `second`: that fourth response."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1000/minute", "user": "3/minute"},
    }
    client = client_for(firm.lisi)
    monkeypatch.setattr(UserRateThrottle, "cache", first)
    for _ in range(3):
        assert client.get(f"{API}/cases").status_code == 200
    monkeypatch.setattr(UserRateThrottle, "cache", second)
    return client.get(f"{API}/cases")


@pytest.mark.django_db
def test_a_user_at_the_rate_in_one_process_is_refused_by_another(
    two_processes_caches, firm, settings, monkeypatch
):
    first, second = two_processes_caches
    response = over_the_rate_through(first, second, firm, settings, monkeypatch)

    assert response.status_code == 429
    assert error_of(response)["code"] == "throttled"
    assert len(second.get(f"throttle_user_{firm.lisi.pk}")) == 3  # the history, in Redis


@pytest.mark.django_db
def test_with_a_cache_per_process_the_other_process_lets_the_user_through(
    firm, settings, monkeypatch
):
    # What LossDesk did before LOSSDESK_CACHE_URL: each process counted on its own.
    first, second = (LocMemCache(f"process-{uuid.uuid4().hex}", {}) for _ in range(2))
    response = over_the_rate_through(first, second, firm, settings, monkeypatch)

    assert response.status_code == 200
