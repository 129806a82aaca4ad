"""A position's permissions are remembered per process while its permissions token is
unchanged (PositionBackend, decision 0030): a change from either side of the relation, or a
deleted permission, takes effect on the very next request of every process."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

from lossdesk.claims.models import Case
from lossdesk.org.backends import PositionBackend
from lossdesk.org.models import Position

pytestmark = pytest.mark.django_db

VIEW_CASE = "claims.view_case"


def as_a_request_reads_them(staff, perm: str) -> bool:
    """What a new request sees: the user read again (with its position), then asked."""
    return PositionBackend().get_user(staff.pk).has_perm(perm)


def test_a_remembered_permission_is_read_once_then_from_memory(firm, django_assert_num_queries):
    assert as_a_request_reads_them(firm.zhaoliu, VIEW_CASE)
    backend = PositionBackend()
    with django_assert_num_queries(1):  # the user with its position; no permission read
        assert backend.get_user(firm.zhaoliu.pk).has_perm(VIEW_CASE)


def test_a_permission_removed_from_the_position_is_refused_on_the_next_request(firm):
    assert as_a_request_reads_them(firm.zhaoliu, VIEW_CASE)
    dispatcher = Position.objects.get(code="dispatcher")
    dispatcher.permissions.remove(Permission.objects.get(codename="view_case"))
    assert not as_a_request_reads_them(firm.zhaoliu, VIEW_CASE)


def test_a_position_added_from_the_permissions_side_is_granted_on_the_next_request(firm):
    permission = Permission.objects.get(codename="delete_case")
    assert not as_a_request_reads_them(firm.zhaoliu, "claims.delete_case")
    permission.position_set.add(Position.objects.get(code="dispatcher"))
    assert as_a_request_reads_them(firm.zhaoliu, "claims.delete_case")
    permission.position_set.clear()
    assert not as_a_request_reads_them(firm.zhaoliu, "claims.delete_case")


def test_a_deleted_permission_is_forgotten(firm):
    permission = Permission.objects.create(
        codename="try_case", name="试用", content_type=ContentType.objects.get_for_model(Case)
    )
    Position.objects.get(code="dispatcher").permissions.add(permission)
    assert as_a_request_reads_them(firm.zhaoliu, "claims.try_case")
    permission.delete()  # its position rows go with it, without m2m_changed
    assert not as_a_request_reads_them(firm.zhaoliu, "claims.try_case")


def test_an_inactive_user_has_no_permission(firm):
    firm.zhaoliu.is_active = False
    assert not PositionBackend().get_all_permissions(firm.zhaoliu)
