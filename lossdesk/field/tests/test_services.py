"""Recording a rescue (do_record_rescue): who may, in which states, what is refused with
which field messages, and the case event it leaves."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from lossdesk.claims import services as claims_services
from lossdesk.claims.choices import AttachmentKind, DocumentType, EventType
from lossdesk.core.errors import IllegalTransition, NotFound, PermissionDenied, ServiceError
from lossdesk.field.models import Rescue
from lossdesk.field.services import do_record_rescue
from lossdesk.intake.services.dispatch import do_dispatch_case
from lossdesk.testing import photo

pytestmark = pytest.mark.django_db


def rescue_data(**overrides) -> dict:
    now = timezone.now()
    data = {
        "type": "tow",
        "firm": "杭州畅通道路救援有限公司",
        "start_place": "文三路与学院路交叉口",
        "end_place": "杭州大众4S店",
        "distance_km": Decimal("12.50"),
        "fee": Decimal("350.00"),
        "started_at": now - timedelta(minutes=50),
        "ended_at": now - timedelta(minutes=10),
        "note": "",
    }
    data.update(overrides)
    return data


def add_photo(firm, case, name="tow.jpg"):
    return claims_services.do_add_attachment(
        case,
        photo(name),
        kind=AttachmentKind.PHOTO,
        doc_type=DocumentType.SCENE_PHOTO,
        actor=firm.zhangsan,
    )


def test_the_surveyor_records_a_tow_with_its_photo_and_the_case_keeps_an_event(firm):
    case = firm.surveying_case()
    shot = add_photo(firm, case)
    case.refresh_from_db()
    version = case.version
    rescue = do_record_rescue(case, rescue_data(), photos=[shot.pk], actor=firm.zhangsan)
    assert (rescue.type, rescue.fee, rescue.distance_km) == (
        "tow",
        Decimal("350.00"),
        Decimal("12.50"),
    )
    assert list(rescue.photos.all()) == [shot]
    assert rescue.recorded_by == firm.zhangsan
    case.refresh_from_db()
    assert case.version == version + 1
    event = case.events.get(type=EventType.RESCUE_RECORDED)
    assert event.message == "记录救援：拖车，杭州畅通道路救援有限公司，12.50 公里，费用 350.00 元"
    assert event.data == {"amount": "350.00"}


def test_a_jump_start_needs_no_end_place_but_a_tow_does(firm):
    case = firm.surveying_case()
    do_record_rescue(case, rescue_data(type="jump_start", end_place=""), actor=firm.zhangsan)
    with pytest.raises(ServiceError) as refused:
        do_record_rescue(case, rescue_data(end_place=" "), actor=firm.zhangsan)
    assert refused.value.fields == {"end_place": ["拖车须填写终点（拖往何处）。"]}
    assert Rescue.objects.filter(case=case).count() == 1


def test_times_out_of_order_or_in_the_future_are_refused_with_field_messages(firm):
    case = firm.surveying_case()
    now = timezone.now()
    with pytest.raises(ServiceError) as refused:
        do_record_rescue(
            case,
            rescue_data(
                started_at=now - timedelta(minutes=5), ended_at=now - timedelta(minutes=30)
            ),
            actor=firm.zhangsan,
        )
    assert refused.value.fields == {"ended_at": ["结束时间不能早于开始时间。"]}
    with pytest.raises(ServiceError) as refused:
        do_record_rescue(case, rescue_data(ended_at=now + timedelta(hours=2)), actor=firm.zhangsan)
    assert refused.value.fields == {"ended_at": ["结束时间不能晚于现在。"]}
    with pytest.raises(ServiceError) as refused:
        do_record_rescue(case, rescue_data(started_at=now - timedelta(days=3)), actor=firm.zhangsan)
    assert list(refused.value.fields) == ["started_at"]
    assert "不能早于出险时间" in refused.value.fields["started_at"][0]
    assert not Rescue.objects.exists()


def test_a_photo_of_another_case_cannot_be_linked(firm):
    case = firm.surveying_case()
    other = firm.surveying_case(plate="浙A99999")
    foreign = add_photo(firm, other)
    with pytest.raises(ServiceError) as refused:
        do_record_rescue(case, rescue_data(), photos=[foreign.pk], actor=firm.zhangsan)
    assert refused.value.fields == {"photos": [f"本案没有这些照片：{foreign.pk}。"]}
    assert not Rescue.objects.exists()


def test_only_the_cases_surveyor_in_scope_and_in_a_working_state_records_a_rescue(firm):
    case = firm.surveying_case()
    with pytest.raises(NotFound):  # 王五 in 宁波 does not see the case
        do_record_rescue(case, rescue_data(), actor=firm.wangwu)
    with pytest.raises(PermissionDenied):  # the reviewer has no survey right
        do_record_rescue(case, rescue_data(), actor=firm.lisi)
    dispatched = firm.registered_case(plate="浙A77777")
    do_dispatch_case(dispatched, surveyor=firm.zhangsan, actor=firm.zhaoliu)
    with pytest.raises(IllegalTransition):  # not accepted yet
        do_record_rescue(dispatched, rescue_data(), actor=firm.zhangsan)
    assert not Rescue.objects.exists()
