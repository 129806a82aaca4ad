"""The one scoping rule (org.scoping) on real branch-owned models: import batches (owned
by their uploader), staff and branches (owned by nobody), and the rule that nothing else
compares data scopes."""

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser

from lossdesk.intake.models import ImportBatch, ImportBatchQuerySet
from lossdesk.org.models import Branch, Staff
from lossdesk.org.positions import CASE_DISPATCH, CASE_VIEW
from lossdesk.org.scoping import covers_branch
from lossdesk.testing import Firm

pytestmark = pytest.mark.django_db


class GuardedBatchQuerySet(ImportBatchQuerySet):
    """Import batches behind permissions: viewing needs the case view right, the "dispatch"
    action the dispatch right, any other action none."""

    scope_permissions = {"view": CASE_VIEW, "dispatch": CASE_DISPATCH}


def batch(firm, branch, uploaded_by) -> ImportBatch:
    return ImportBatch.objects.create(
        client=firm.client,
        branch=branch,
        file="imports/x.xlsx",
        original_name=f"{branch.code}-{uploaded_by.username}.xlsx",
        uploaded_by=uploaded_by,
    )


@pytest.fixture
def batches(firm):
    return {
        "hz_zhangsan": batch(firm, firm.hangzhou, firm.zhangsan),
        "hz_zhaoliu": batch(firm, firm.hangzhou, firm.zhaoliu),
        "nb_wangwu": batch(firm, firm.ningbo, firm.wangwu),
        # Uploaded by 张三 (杭州) for 南京: own follows the person, not the branch.
        "nj_zhangsan": batch(firm, firm.nanjing, firm.zhangsan),
        "nj_sysadmin": batch(firm, firm.nanjing, firm.sysadmin),
    }


def names(queryset, batches) -> set[str]:
    by_pk = {row.pk: name for name, row in batches.items()}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


def guarded():
    return GuardedBatchQuerySet(ImportBatch)


# ------------------------------------------------------------------------ each scope


def test_scope_all_sees_every_row(firm, batches):
    assert names(ImportBatch.objects.for_user(firm.sysadmin), batches) == set(batches)


def test_scope_subtree_sees_its_branch_and_below(firm, batches):
    zhejiang_manager = Firm.staff("zjm", "浙江负责人", "branch_manager", firm.zhejiang)
    assert names(ImportBatch.objects.for_user(zhejiang_manager), batches) == {
        "hz_zhangsan",
        "hz_zhaoliu",
        "nb_wangwu",
    }
    assert names(ImportBatch.objects.for_user(firm.zhoujiu), batches) == {
        "hz_zhangsan",
        "hz_zhaoliu",
    }


def test_scope_branch_sees_its_branch_only(firm, batches):
    assert names(ImportBatch.objects.for_user(firm.zhaoliu), batches) == {
        "hz_zhangsan",
        "hz_zhaoliu",
    }


def test_scope_own_sees_what_the_user_owns_in_any_branch(firm, batches):
    assert names(ImportBatch.objects.for_user(firm.zhangsan), batches) == {
        "hz_zhangsan",
        "nj_zhangsan",
    }


def test_scope_own_without_declared_owners_means_the_users_branch(firm):
    # Staff and branches have no owner: a surveyor picks among the people of their branch.
    assert set(Staff.objects.for_user(firm.zhangsan)) == set(firm.hangzhou.staff.all())
    assert list(Branch.objects.for_user(firm.zhangsan)) == [firm.hangzhou]


def test_branches_are_scoped_as_their_own_branch(firm):
    zhejiang_manager = Firm.staff("zjm", "浙江负责人", "branch_manager", firm.zhejiang)
    assert set(Branch.objects.for_user(zhejiang_manager)) == {
        firm.zhejiang,
        firm.hangzhou,
        firm.ningbo,
    }
    assert list(Branch.objects.for_user(firm.zhaoliu)) == [firm.hangzhou]
    assert Branch.objects.for_user(firm.sysadmin).count() == Branch.objects.count()


# ------------------------------------------------------------------------------ edges


def test_without_a_branch_only_scope_all_sees_rows(firm, batches):
    dispatcher = Firm.staff("nobranch", "无机构", "dispatcher", None)
    admin = Firm.staff("nobranch_admin", "无机构管理员", "system_admin", None)
    assert not ImportBatch.objects.for_user(dispatcher).exists()
    assert not Staff.objects.for_user(dispatcher).exists()
    assert names(ImportBatch.objects.for_user(admin), batches) == set(batches)


def test_inactive_anonymous_and_positionless_users_see_nothing(firm, batches):
    firm.zhaoliu.is_active = False
    firm.zhaoliu.save()
    positionless = Staff.objects.create(username="nopos", full_name="无岗位", branch=firm.hangzhou)
    for user in (firm.zhaoliu, AnonymousUser(), None, positionless):
        assert not ImportBatch.objects.for_user(user).exists()
        assert not Branch.objects.for_user(user).exists()


def test_a_missing_permission_sees_nothing(firm, batches):
    # The price desk may not view cases.
    price_desk = Firm.staff("pd", "报价员", "price_desk", firm.zhejiang)
    assert ImportBatch.objects.for_user(price_desk).exists()  # no permission declared
    assert not guarded().for_user(price_desk).exists()


def test_each_action_needs_its_own_permission(firm, batches):
    # 张三 (surveyor) may view cases but not dispatch; 赵六 (dispatcher) may do both.
    assert names(guarded().for_user(firm.zhangsan), batches) == {"hz_zhangsan", "nj_zhangsan"}
    assert not guarded().for_user(firm.zhangsan, "dispatch").exists()
    assert names(guarded().for_user(firm.zhaoliu, "dispatch"), batches) == {
        "hz_zhangsan",
        "hz_zhaoliu",
    }
    # An action the queryset does not list needs no permission.
    assert names(guarded().for_user(firm.zhangsan, "export"), batches) == {
        "hz_zhangsan",
        "nj_zhangsan",
    }


def test_covers_branch(firm):
    zhejiang_manager = Firm.staff("zjm", "浙江负责人", "branch_manager", firm.zhejiang)
    assert covers_branch(firm.sysadmin, firm.nanjing)
    assert covers_branch(zhejiang_manager, firm.ningbo)
    assert not covers_branch(zhejiang_manager, firm.nanjing)
    assert covers_branch(firm.zhaoliu, firm.hangzhou)
    assert not covers_branch(firm.zhaoliu, firm.ningbo)
    assert covers_branch(firm.zhangsan, firm.hangzhou)  # own: a branch has no owner
    assert not covers_branch(Firm.staff("nobranch", "无机构", "dispatcher", None), firm.hangzhou)


# ------------------------------------------------------------- nothing else compares

LOSSDESK = Path(__file__).resolve().parents[2]
NARROW_SCOPES = {"SUBTREE", "BRANCH", "OWN"}


def scope_comparisons(path: Path) -> list[int]:
    """Lines of `path` comparing something with DataScope.SUBTREE / BRANCH / OWN."""
    lines = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Compare):
            for part in ast.walk(node):
                if (
                    isinstance(part, ast.Attribute)
                    and part.attr in NARROW_SCOPES
                    and isinstance(part.value, ast.Name)
                    and part.value.id == "DataScope"
                ):
                    lines.add(node.lineno)
    return sorted(lines)


def test_only_org_scoping_compares_data_scopes():
    found = {}
    for path in LOSSDESK.rglob("*.py"):
        relative = path.relative_to(LOSSDESK).as_posix()
        if "tests" in path.parts or relative == "org/scoping.py":
            continue
        if lines := scope_comparisons(path):
            found[relative] = lines
    assert found == {}, "compare data scopes through org.scoping (ScopedQuerySet)"


def test_the_scan_finds_a_hand_written_scope_switch(tmp_path):
    module = tmp_path / "switch.py"
    module.write_text(
        "def q(user):\n"
        "    if user.data_scope in (DataScope.BRANCH, DataScope.OWN):\n"
        "        return 1\n"
        "    return user.data_scope == DataScope.ALL\n"
    )
    assert scope_comparisons(module) == [2]
