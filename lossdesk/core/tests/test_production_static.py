"""collectstatic with the production storage: every file our pages link resolves to a hashed
name, and no vendored file points at a file we do not ship."""

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
