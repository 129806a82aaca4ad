"""Intake test helpers: a second 杭州 surveyor, positions and rosters, the SMS outbox."""

from datetime import time

import pytest
from django.utils import timezone

from lossdesk.claims.models import Case
from lossdesk.intake.models import RosterShift


def fresh(case) -> Case:
    return Case.objects.get(pk=case.pk)


def shift(surveyor, zone="西湖区", start=time(0, 0), end=time(0, 0), day=None) -> RosterShift:
    """A shift for `surveyor` (by default all day today)."""
    return RosterShift.objects.create(
        surveyor=surveyor,
        zone=zone,
        date=day or timezone.localdate(),
        start_time=start,
        end_time=end,
    )


def sms_to(case, template: str) -> list:
    from lossdesk.notify.models import SmsMessage

    return list(SmsMessage.objects.filter(case=case, template__code=template).order_by("id"))


@pytest.fixture
def liuyi(firm):
    """刘一: a second surveyor in 杭州, with the property and injury skills 张三 lacks."""
    person = firm.staff("liuyi", "刘一", "surveyor", firm.hangzhou)
    person.skill_property = person.skill_injury = True
    person.mobile = "13900000002"
    person.save()
    return person


@pytest.fixture
def mobile_zhangsan(firm):
    firm.zhangsan.mobile = "13900000001"
    firm.zhangsan.save()
    return firm.zhangsan
