"""`kept_input_answer`: what a case action's page says and carries when a conflict refuses a
post whose input it keeps (`CaseAction.keeps_input`; the property and injury item forms'
tests drive it through their pages)."""

import pytest
from django.http import QueryDict

from lossdesk.claims.views import kept_input_answer
from lossdesk.core.errors import Conflict, IllegalTransition

pytestmark = pytest.mark.django_db


def posted(**values) -> QueryDict:
    data = QueryDict(mutable=True)
    data.update(values)
    data._mutable = False  # as request.POST is
    return data


def test_a_stale_version_keeps_the_input_and_carries_the_current_version(firm):
    case = firm.assessing_case()
    exc = Conflict("案件已被他人修改，请刷新后重试。", current_state=case.status, current_version=7)

    errors, data = kept_input_answer(exc, posted(version="3", note="长长的说明"), case)

    assert errors == [
        "未保存：您填写期间案件已被他人修改（案件当前状态：定损中）。",
        "您填写的内容已保留在下方，尚未保存。",
        "请核对案件当前情况，确认无误后再次提交。",
    ]
    assert (data["version"], data["note"]) == (str(case.version), "长长的说明")


def test_a_prefixed_form_gets_the_version_under_its_own_name(firm):
    case = firm.assessing_case()
    exc = Conflict("案件已被他人修改，请刷新后重试。", current_version=case.version)

    _, data = kept_input_answer(
        exc, posted(**{"dr1-version": "3"}), case, version_key="dr1-version"
    )

    assert data["dr1-version"] == str(case.version) and "version" not in data


def test_a_state_refusal_keeps_the_input_as_posted(firm):
    case = firm.assessing_case()
    exc = IllegalTransition("案件当前状态为「已注销」，不能执行该操作。", current_state="cancelled")
    original = posted(version="3", note="长长的说明")

    errors, data = kept_input_answer(exc, original, case)

    assert errors[0].startswith("未保存：案件当前状态为「已注销」")
    assert errors[1] == "您填写的内容已保留在下方，尚未保存。"
    assert data is original and data["version"] == "3"
