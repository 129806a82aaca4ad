from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from lossdesk.core.errors import Conflict, PermissionDenied, SelfReview, ServiceError
from lossdesk.parts import services
from lossdesk.parts.models import LocalPriceOverride, ManualQuote, Part, PriceChange
from lossdesk.parts.queries import search_parts
from lossdesk.testing import photo

pytestmark = pytest.mark.django_db


def ask(firm, catalogue, **extra):
    data = {
        "part_name": "前保险杠饰条（左）",
        "oe_number": "2GM 853 765",
        "vehicle_model": catalogue.tcross_base.pk,
        "deadline_hours": 4,
        **extra,
    }
    return services.do_request_manual_quote(data, photos=[photo()], actor=firm.zhangsan)


def test_a_request_has_a_deadline_and_keeps_its_photos(firm, catalogue):
    before = timezone.now()
    quote = ask(firm, catalogue)
    assert quote.quote_no.startswith("BJ")
    assert quote.status == "open"
    assert before + timedelta(hours=4) <= quote.deadline <= timezone.now() + timedelta(hours=4)
    assert quote.photos.count() == 1
    assert quote.branch == firm.hangzhou


def test_a_request_with_a_non_image_or_without_vehicle_is_refused(firm, catalogue):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(ServiceError) as exc:
        services.do_request_manual_quote(
            {"part_name": "饰条", "deadline_hours": "0"}, photos=[fake], actor=firm.zhangsan
        )
    assert set(exc.value.fields) == {"photos.0", "vehicle_description", "deadline_hours"}
    assert not ManualQuote.objects.exists()


def test_the_answer_flows_into_the_query_line_and_from_there_into_the_sheet(
    firm, catalogue, price_desk
):
    case = firm.assessing_case()
    query = services.do_save_price_query(
        {
            "vehicle_model": catalogue.corolla_base,
            "lines": [{"part": catalogue.no_price.pk, "price_type": "4s"}],
        },
        actor=firm.zhangsan,
    )
    line = query.current_lines.get()
    quote = ask(firm, catalogue, part=catalogue.no_price.pk, query_line=line.pk)
    services.do_answer_manual_quote(quote, price="860", source="丰田4S店电话询价", actor=price_desk)
    line.refresh_from_db()
    assert line.unit_price == Decimal("860.00")
    assert line.source == f"人工报价 {quote.quote_no}：丰田4S店电话询价"
    sheet = services.do_apply_price_query(
        query, loss_item=case.loss_items.get(seq=1), actor=firm.zhangsan
    )
    sheet_line = sheet.lines.get()
    assert sheet_line.unit_price == Decimal("860.00")
    assert sheet_line.price_source.startswith("人工报价 BJ")


def test_an_approved_answer_enters_the_catalogue_as_the_branch_local_price(
    firm, catalogue, price_desk
):
    quote = ask(firm, catalogue)
    services.do_answer_manual_quote(
        quote, price="158.5", source="配件商报价", note="原厂件", actor=price_desk
    )
    services.do_decide_manual_quote(quote, approve=True, actor=firm.zhoujiu)
    quote.refresh_from_db()
    assert quote.status == "approved"
    part = Part.objects.get(oe_normalized="2GM853765")
    assert part.make == catalogue.vw and part.name == "前保险杠饰条（左）"
    assert part.fitments.get().model == catalogue.tcross_base
    override = LocalPriceOverride.objects.get(part=part)
    assert (override.branch, override.price) == (firm.hangzhou, Decimal("158.50"))
    change = PriceChange.objects.get()
    assert change.manual_quote == quote and change.actor == firm.zhoujiu
    hit = search_parts("2GM853765", branch=firm.hangzhou).hits[0]
    assert hit.price("4s").local_price == Decimal("158.50")
    assert hit.price("4s").catalogue_price is None


def test_the_answerer_cannot_approve_their_own_price(firm, catalogue):
    quote = ask(firm, catalogue)
    manager = firm.zhoujiu
    # a branch manager who also answers (given the right for the test) may not approve it
    from django.contrib.auth.models import Permission

    manager.position.permissions.add(Permission.objects.get(codename="answer_manualquote"))
    manager = type(manager).objects.get(pk=manager.pk)
    services.do_answer_manual_quote(quote, price="100", source="询价", actor=manager)
    with pytest.raises(SelfReview):
        services.do_decide_manual_quote(quote, approve=True, actor=manager)


def test_a_rejection_needs_a_reason_and_leaves_the_catalogue_alone(firm, catalogue, price_desk):
    quote = ask(firm, catalogue)
    services.do_answer_manual_quote(quote, price="100", source="询价", actor=price_desk)
    with pytest.raises(ServiceError):
        services.do_decide_manual_quote(quote, approve=False, actor=firm.zhoujiu)
    services.do_decide_manual_quote(quote, approve=False, note="来源不可靠", actor=firm.zhoujiu)
    assert ManualQuote.objects.get().status == "rejected"
    assert not LocalPriceOverride.objects.exists()
    with pytest.raises(Conflict) as exc:
        services.do_answer_manual_quote(quote, price="90", source="再询", actor=price_desk)
    assert exc.value.extra["current_state"] == "rejected"


def test_only_the_price_desk_answers(firm, catalogue):
    quote = ask(firm, catalogue)
    with pytest.raises(PermissionDenied):
        services.do_answer_manual_quote(quote, price="1", source="x", actor=firm.zhangsan)


def test_the_manual_quote_api_runs_the_whole_flow(firm, catalogue, price_desk, api):
    created = api(firm.zhangsan).post(
        "/api/v1/manual-quotes",
        {
            "part_name": "后视镜镜片（左）",
            "oe_number": "2GM 857 521",
            "vehicle_model": catalogue.tcross_base.pk,
            "photos": [photo()],
        },
        format="multipart",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["deadline"] and body["overdue"] is False and len(body["photos"]) == 1
    pk = body["id"]
    # the price desk sees it (subtree of 浙江分公司) and answers
    assert api(price_desk).get(f"/api/v1/manual-quotes/{pk}").json()["deadline"] == body["deadline"]
    answered = api(price_desk).post(
        f"/api/v1/manual-quotes/{pk}/answer", {"price": "95", "source": "4S店"}, format="json"
    )
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    approved = api(firm.zhoujiu).post(f"/api/v1/manual-quotes/{pk}/approve", {}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    # other branches get a 404
    assert api(firm.wangwu).get(f"/api/v1/manual-quotes/{pk}").status_code == 404
    bad = api(price_desk).post(f"/api/v1/manual-quotes/{pk}/answer", {"price": "x", "source": "y"})
    assert bad.status_code == 409  # already approved: the state is checked first
