"""Intake declares its rights in intake.permissions and registers them from
IntakeConfig.ready(); the standard positions' rights are pinned in
org/tests/test_standard_positions.py."""

import pytest
from django.apps import apps
from django.db.models.signals import post_migrate

from lossdesk.intake.permissions import CALLBACK_HANDLE, IMPORT_MAPPING_CHANGE, REPORT_REGISTER
from lossdesk.org.models import Position
from lossdesk.org.positions import permission_name, standard_permissions


def intake_rights(code: str) -> set[str]:
    position = Position.objects.get(code=code)
    return {
        permission_name(p)
        for p in position.permissions.filter(content_type__app_label="intake").select_related(
            "content_type"
        )
    }


def migrate_intake() -> None:
    """What `manage.py migrate` sends after intake's migrations."""
    config = apps.get_app_config("intake")
    post_migrate.send(
        sender=config, app_config=config, verbosity=0, interactive=False, using="default", apps=apps
    )


def test_the_standard_positions_read_intake_s_rights_from_its_registration():
    assert {REPORT_REGISTER, CALLBACK_HANDLE, IMPORT_MAPPING_CHANGE} <= standard_permissions(
        "branch_manager"
    )
    assert {REPORT_REGISTER, CALLBACK_HANDLE} <= standard_permissions("dispatcher")
    assert IMPORT_MAPPING_CHANGE not in standard_permissions("dispatcher")


@pytest.mark.django_db
def test_migrate_leaves_an_existing_database_s_intake_rights_as_they_are():
    dispatcher = Position.objects.get(code="dispatcher")
    # An administrator took the callback right away; the next migrate keeps that edit.
    dispatcher.permissions.remove(*dispatcher.permissions.filter(codename="change_callback"))
    migrate_intake()
    assert intake_rights("dispatcher") == {REPORT_REGISTER}
    assert intake_rights("branch_manager") == {
        REPORT_REGISTER,
        CALLBACK_HANDLE,
        IMPORT_MAPPING_CHANGE,
    }


@pytest.mark.django_db
def test_migrate_gives_a_position_without_any_intake_right_the_registered_ones():
    dispatcher = Position.objects.get(code="dispatcher")
    dispatcher.permissions.remove(*dispatcher.permissions.filter(content_type__app_label="intake"))
    migrate_intake()
    assert intake_rights("dispatcher") == {REPORT_REGISTER, CALLBACK_HANDLE}
