"""The property item's survey, negotiation and offer forms keep what the user typed when the
post is refused: the case changed meanwhile (409, the input and what happened shown, the
current version carried so a deliberate second send saves once), the case's state no longer
allows it (409, the input shown), or the input is wrong (400, on its field). Nothing is
recorded by a refused post."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lossdesk.claims import services as claims_services
from lossdesk.claims.choices import LossItemKind
from lossdesk.property import services
from lossdesk.property.models import Negotiation, Offer, PropertySurvey
from lossdesk.testing import changed_meanwhile, hidden_inputs, tag

pytestmark = pytest.mark.django_db

CHANGED = "您填写期间案件已被他人修改"
KEPT = "您填写的内容已保留在下方，尚未保存。"
SURVEY = {
    "category": "road_facility",
    "owner_type": "organisation",
    "owner_name": "杭州市公路管理局",
    "owner_phone": "13912345678",
    "location": "文三路与学院路交叉口东侧",
    "description": "护栏板两块撞弯，立柱三根倾斜，路灯控制箱外壳开裂需整体更换。",
}
NEGOTIATION_REASON = "物主坚持按新品价格索赔，经三轮协商同意在定损合计基础上上浮。"


@pytest.fixture
def case(firm):
    return firm.assessing_case(property_loss=True)


@pytest.fixture
def item(case):
    return case.loss_items.get(kind=LossItemKind.PROPERTY)


def url(item, name: str) -> str:
    return reverse(name, kwargs={"case_no": item.case.case_no, "seq": item.seq})


def offer_data(version, **overrides) -> dict:
    yesterday = timezone.localdate() - timedelta(days=1)
    return {
        "version": version,
        "offered_on": yesterday.isoformat(),
        "party": "owner",
        "speaker": "李科长",
        "amount": "8000",
        "note": "按新品价索赔，另要求赔偿误工损失两天",
        **overrides,
    }


def resent(client, item, name: str, html: str, typed: dict):
    """The second, deliberate send: what the page carries (the hidden version) and the input."""
    return client.post(url(item, name), {**typed, **hidden_inputs(html)})


# --- a version conflict keeps the input ------------------------------------------------------


def test_a_survey_sent_after_the_case_changed_comes_back_with_what_was_typed(
    client, firm, case, item
):
    client.force_login(firm.zhangsan)
    seen = changed_meanwhile(firm, case)

    response = client.post(url(item, "property:survey"), {**SURVEY, "version": seen})

    assert response.status_code == 409
    html = response.content.decode()
    assert CHANGED in html and KEPT in html and "请核对案件当前情况" in html
    assert SURVEY["description"] in html
    assert 'value="文三路与学院路交叉口东侧"' in tag(html, "location")
    assert 'value="13912345678"' in tag(html, "owner_phone")
    assert not PropertySurvey.objects.filter(loss_item=item).exists()
    # The page carries the current version now: the second send saves.
    assert hidden_inputs(html)["version"] == str(case.version)
    assert resent(client, item, "property:survey", html, SURVEY).status_code == 302
    survey = PropertySurvey.objects.get(loss_item=item)
    assert survey.description == SURVEY["description"]


def test_a_negotiation_sent_after_the_case_changed_comes_back_with_what_was_typed(
    client, firm, case, item
):
    services.do_save_property_sheet(
        item,
        lines=[{"name": "护栏板", "treatment": "repair", "quantity": "1", "unit_price": "6000"}],
        actor=firm.qianqi,
    )
    client.force_login(firm.qianqi)
    seen = changed_meanwhile(firm, case)
    typed = {
        "claimed_amount": "8000",
        "agreed_amount": "6500",
        "above_assessed_reason": NEGOTIATION_REASON,
    }

    response = client.post(url(item, "property:negotiation"), {**typed, "version": seen})

    assert response.status_code == 409
    html = response.content.decode()
    assert CHANGED in html and KEPT in html
    assert NEGOTIATION_REASON in tag(html, "above_assessed_reason")
    assert 'value="6500"' in tag(html, "agreed_amount")
    assert not Negotiation.objects.filter(loss_item=item, agreed_amount__isnull=False).exists()
    assert resent(client, item, "property:negotiation", html, typed).status_code == 302
    negotiation = Negotiation.objects.get(loss_item=item)
    assert (str(negotiation.agreed_amount), negotiation.above_assessed_reason) == (
        "6500.00",
        NEGOTIATION_REASON,
    )


def test_an_offer_sent_after_a_colleague_recorded_one_shows_theirs_and_is_recorded_once(
    client, firm, case, item
):
    client.force_login(firm.qianqi)
    case.refresh_from_db()
    seen = case.version
    services.do_add_offer(
        item,
        offered_on=timezone.localdate(),
        party="adjuster",
        speaker="钱七",
        amount="6000",
        actor=firm.zhangsan,
    )
    typed = offer_data(seen)

    response = client.post(url(item, "property:offer"), typed)

    assert response.status_code == 409
    html = response.content.decode()
    assert CHANGED in html and KEPT in html
    assert typed["note"] in tag(html, "note") and 'value="李科长"' in tag(html, "speaker")
    # What the item holds now, so the user sees whether theirs is there already.
    recorded = html[html.index("data-recorded") : html.index("</ul>", html.index("data-recorded"))]
    assert "6,000.00" in recorded and "钱七" in recorded
    assert Offer.objects.filter(negotiation__loss_item=item).count() == 1

    assert resent(client, item, "property:offer", html, typed).status_code == 302
    assert list(
        Offer.objects.filter(negotiation__loss_item=item)
        .order_by("id")
        .values_list("speaker", flat=True)
    ) == ["钱七", "李科长"]


def test_an_offer_sent_twice_from_the_same_page_is_recorded_once(client, firm, case, item):
    client.force_login(firm.qianqi)
    case.refresh_from_db()
    typed = offer_data(case.version)
    assert client.post(url(item, "property:offer"), typed).status_code == 302

    response = client.post(url(item, "property:offer"), typed)  # a double click, the back button

    assert response.status_code == 409
    html = response.content.decode()
    recorded = html[html.index("data-recorded") : html.index("</ul>", html.index("data-recorded"))]
    assert "李科长" in recorded and "8,000.00" in recorded and "勿重复提交" in html
    assert Offer.objects.filter(negotiation__loss_item=item).count() == 1


# --- a state that no longer allows it keeps the input too -----------------------------------


def test_an_offer_on_a_case_cancelled_meanwhile_keeps_the_input_and_saves_nothing(
    client, firm, case, item
):
    client.force_login(firm.qianqi)
    case.refresh_from_db()
    typed = offer_data(case.version)
    claims_services.do_cancel_case(case, reason="customer_withdrew", actor=firm.zhaoliu)

    response = client.post(url(item, "property:offer"), typed)

    assert response.status_code == 409
    html = response.content.decode()
    assert "未保存：" in html and "已注销" in html and KEPT in html
    assert typed["note"] in tag(html, "note")
    assert not Offer.objects.filter(negotiation__loss_item=item).exists()


# --- invalid input ---------------------------------------------------------------------------


def test_an_offer_the_service_refuses_comes_back_with_the_input_and_the_field_error(
    client, firm, case, item
):
    client.force_login(firm.qianqi)
    case.refresh_from_db()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    response = client.post(
        url(item, "property:offer"), offer_data(case.version, offered_on=tomorrow)
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "日期不能晚于今天。" in html
    assert offer_data(case.version)["note"] in tag(html, "note")
    assert not Offer.objects.filter(negotiation__loss_item=item).exists()


def test_a_survey_missing_a_required_field_comes_back_with_the_input(client, firm, case, item):
    client.force_login(firm.zhangsan)
    case.refresh_from_db()

    response = client.post(
        url(item, "property:survey"), {**SURVEY, "owner_name": "", "version": case.version}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert SURVEY["description"] in html and "该字段是必填项。" in html
    assert not PropertySurvey.objects.filter(loss_item=item).exists()
