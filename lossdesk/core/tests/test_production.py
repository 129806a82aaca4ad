"""Production settings: collectstatic with the production storage resolves every file our
pages link to a hashed name (no vendored file points at a file we do not ship), and whether
X-Forwarded-Proto is trusted is an explicit setting."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_collectstatic_with_the_production_storage_hashes_every_vendored_file(tmp_path):
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=PRODUCTION_STORAGES):
        # Raised "The CSS file 'vendor/bootstrap-5.3.9.min.css' references a file which
        # could not be found: vendor/bootstrap.min.css.map" before the reference was removed.
        call_command("collectstatic", interactive=False, verbosity=0)
        from django.contrib.staticfiles.storage import staticfiles_storage

        for name in (
            "vendor/bootstrap-5.3.9.min.css",
            "vendor/bootstrap-5.3.9.bundle.min.js",
            "vendor/htmx-2.0.11.min.js",
            "css/lossdesk.css",
        ):
            hashed = staticfiles_storage.stored_name(name)
            assert hashed != name
            assert (tmp_path / hashed).is_file()


def production_settings(**env) -> dict:
    """Security settings as a production process started with `env` loads them."""
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({name: getattr(settings, name, None) for name in ("
        "'SECURE_PROXY_SSL_HEADER', 'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_SECURE', "
        "'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS')}))"
    )
    environ = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lossdesk.settings",
        "LOSSDESK_PRODUCTION": "1",
        "LOSSDESK_SECRET_KEY": "test-only-secret-key-" + "x" * 40,
        "DATABASE_URL": "sqlite:///:memory:",
        **env,
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=environ,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("trust", "header"),
    [("1", ["HTTP_X_FORWARDED_PROTO", "https"]), ("0", None)],
)
def test_trusting_x_forwarded_proto_is_an_explicit_setting(trust, header):
    loaded = production_settings(LOSSDESK_TRUST_X_FORWARDED_PROTO=trust)

    assert loaded == {
        "SECURE_PROXY_SSL_HEADER": header,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
    }
