import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from lossdesk.core.errors import ServiceError
from lossdesk.core.importing import ImportErrorCode
from lossdesk.parts import importing, services
from lossdesk.parts.models import CatalogueImport, Part, PartName, PartPrice
from lossdesk.parts.queries import search_parts
from lossdesk.testing import error_of

pytestmark = pytest.mark.django_db

HEADER = (
    "oe_number,name,make,category,price_4s,price_market,price_brand,aliases,region,"
    "effective_from,models"
)
ROWS = [
    "2GM 807 999,前保险杠,大众,body,1000,800,500,,,,LSVUB191;LSVUB192",  # 2 new
    "PR-1,前保险杠,宝腾,body,100,90,,,,,",  # 3 unknown make
    "2GM-807-221,前保险杠,大众,车身,1300,1100,,,,2026-06-01,",  # 4 update + new price
    "2GM 807 998,前保险杠,大众,飞机,500,600,,,,,",  # 5 category, market > 4s
    "2GM807999,前保险杠,大众,body,1000,800,,,,,",  # 6 duplicate of line 2
    "52119-02A21,前保险杠骨架,丰田,车身,420,350,,前杠骨架、前保险杠内衬,浙江省,,",  # 7 new
    ",,,,,,,,,,",  # 8 blank: skipped
    "52119-02A22,前保险杠骨架,丰田,body,abc,350,,,,,",  # 9 price
]


def csv_file(rows=ROWS, header=HEADER, encoding="utf-8-sig", name="catalogue.csv"):
    text = "\n".join([header, *rows]) + "\n"
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def start(firm_user, upload, capture):
    with capture(execute=True):
        imp = services.do_start_catalogue_import(upload, actor=firm_user)
    imp.refresh_from_db()
    return imp


def confirm(firm_user, imp, capture):
    with capture(execute=True):
        services.do_confirm_catalogue_import(imp, actor=firm_user)
    imp.refresh_from_db()
    return imp


def test_validation_reports_bad_rows_with_their_line_numbers_and_a_preview(
    catalogue, price_desk, django_capture_on_commit_callbacks
):
    imp = start(price_desk, csv_file(), django_capture_on_commit_callbacks)
    assert imp.status == "previewed" and imp.progress == 100
    assert (imp.total_rows, imp.valid_rows, imp.rejected_rows) == (7, 3, 4)
    errors = {e["line"]: e["errors"] for e in imp.row_errors}
    assert sorted(errors) == [3, 5, 6, 9]
    assert errors[3] == ["品牌「宝腾」不在品牌库中"]
    assert "类别「飞机」无效" in errors[5][0]
    assert errors[5][1] == "市场价 600.00 高于 4S店价 500.00"
    assert errors[6] == ["OE号与第 2 行重复"]
    assert errors[9] == ["4S店价「abc」不是数字"]
    assert [row["line"] for row in imp.preview] == [2, 4, 7]
    assert imp.preview[2]["region"] == "浙江"
    assert not Part.objects.filter(oe_normalized="2GM807999").exists()  # nothing written yet


def test_confirming_imports_the_good_rows_and_counts_them(
    catalogue, price_desk, django_capture_on_commit_callbacks
):
    imp = start(price_desk, csv_file(), django_capture_on_commit_callbacks)
    imp = confirm(price_desk, imp, django_capture_on_commit_callbacks)
    assert imp.status == "done"
    assert (imp.created_parts, imp.updated_parts, imp.imported_prices) == (2, 1, 7)
    assert imp.rejected_rows == 4
    new = Part.objects.get(oe_normalized="2GM807999")
    assert {f.model.code for f in new.fitments.all()} == {"LSVUB191", "LSVUB192"}
    updated = PartPrice.objects.get(
        part=catalogue.bumper, effective_from=date(2026, 6, 1), price_type="4s"
    )
    assert updated.price == Decimal("1300.00") and updated.region == "全国"
    frame = Part.objects.get(oe_normalized="5211902A21")
    assert frame.category == "body" and frame.make == catalogue.toyota
    entry = PartName.objects.get(name="前保险杠骨架")
    assert entry.alias_list == ["前杠骨架", "前保险杠内衬"]
    assert entry.part_count == 1
    assert [h.part for h in search_parts("qbxggj").hits] == [frame]
    assert [h.part for h in search_parts("前杠骨架").hits] == [frame]
    assert PartPrice.objects.get(part=frame, price_type="4s").region == "浙江"


def test_an_import_that_fails_half_way_writes_nothing(
    catalogue, price_desk, django_capture_on_commit_callbacks, monkeypatch
):
    imp = start(price_desk, csv_file(), django_capture_on_commit_callbacks)
    monkeypatch.setattr(importing, "CHUNK", 1)
    calls = []
    original = importing._write_batch

    def failing(batch, names, touched):
        calls.append(len(batch))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(batch, names, touched)

    monkeypatch.setattr(importing, "_write_batch", failing)
    parts_before = Part.objects.count()
    imp = confirm(price_desk, imp, django_capture_on_commit_callbacks)
    assert imp.status == "failed"
    assert "全部回滚" in imp.error_message
    assert Part.objects.count() == parts_before
    assert not PartName.objects.filter(name="前保险杠骨架").exists()


def test_an_xlsx_with_chinese_headers_and_excel_numbers_and_dates_imports(
    catalogue, price_desk, django_capture_on_commit_callbacks
):
    book = Workbook()
    sheet = book.active
    sheet.append(["OE号", "配件名称", "品牌", "类别", "4S店价", "市场价", "生效日期"])
    sheet.append(["2GM 945 095", "尾灯总成（左）", "大众", "灯具", 880.0, 720.5, date(2026, 3, 1)])
    sheet.append([123456789, "尾灯总成（右）", "大众", "lamps", 880, 720, None])
    sheet.append(["2GM 945 096", "尾灯总成（右）", "大众", "lamps", -5, 720, None])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("目录.xlsx", buffer.getvalue())
    imp = start(price_desk, upload, django_capture_on_commit_callbacks)
    assert imp.file_format == "xlsx"
    assert [e["line"] for e in imp.row_errors] == [4]
    imp = confirm(price_desk, imp, django_capture_on_commit_callbacks)
    assert imp.created_parts == 2
    left = Part.objects.get(oe_normalized="2GM945095")
    assert left.prices.get(price_type="market").price == Decimal("720.50")
    assert left.prices.get(price_type="market").effective_from == date(2026, 3, 1)
    assert Part.objects.filter(oe_normalized="123456789").exists()


def test_a_gbk_encoded_csv_from_chinese_excel_is_read(
    catalogue, price_desk, django_capture_on_commit_callbacks
):
    imp = start(
        price_desk, csv_file(ROWS[:1], encoding="gb18030"), django_capture_on_commit_callbacks
    )
    assert imp.encoding == "gb18030" and imp.valid_rows == 1


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("c.csv", ("\n".join([HEADER, ROWS[0]])).encode("utf-16"), "UTF-16"),
        ("c.csv", PNG, "不是"),
        ("c.png", PNG, "不是"),
        ("c.xlsx", b"oe_number,name\n1,2\n", "内容不是 Excel"),
        ("c.xlsx", b"PK\x03\x04garbage-not-a-zip", "无法读取该 Excel"),
        ("c.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "不支持旧版"),
        ("c.csv", b"", "空的"),
        ("c.csv", b"oe_number,name,make,category\n1,2,3,4\n", "缺少必填列"),
        ("c.csv", (HEADER + "\n").encode(), "没有数据行"),
        ("c.csv", b"\xff\xfe\xfd\x81\x30\x81", "编码"),
    ],
)
def test_malformed_files_are_a_clear_400_and_store_nothing(
    catalogue, price_desk, api, name, content, message
):
    response = api(price_desk).post(
        "/api/v1/catalogue-imports",
        {"file": SimpleUploadedFile(name, content)},
        format="multipart",
    )
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert message in error["message"] and error["fields"]["file"]
    assert not CatalogueImport.objects.exists()


def test_missing_columns_are_named(catalogue, price_desk):
    upload = csv_file([], header="oe_number,name,make,category,price_4s")
    with pytest.raises(ServiceError) as exc:
        services.do_start_catalogue_import(upload, actor=price_desk)
    assert "price_market（市场价）" in exc.value.message
    assert exc.value.code == ImportErrorCode.COLUMNS_MISSING


def test_the_import_api_uploads_previews_and_confirms(
    catalogue, price_desk, api, django_capture_on_commit_callbacks
):
    client = api(price_desk)
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post("/api/v1/catalogue-imports", {"file": csv_file()}, format="multipart")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    detail = client.get(f"/api/v1/catalogue-imports/{pk}").json()
    assert detail["status"] == "previewed" and detail["rejected_rows"] == 4
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(f"/api/v1/catalogue-imports/{pk}/confirm")
    assert confirmed.status_code == 200
    assert client.get(f"/api/v1/catalogue-imports/{pk}").json()["status"] == "done"
    again = client.post(f"/api/v1/catalogue-imports/{pk}/confirm")
    assert again.status_code == 409
    error = error_of(again)
    assert (error["code"], error["current_state"]) == ("illegal_transition", "done")
    assert error["message"] == "目录导入当前状态为「已完成」，不能执行「确认导入」。"
    assert api(catalogue_user := price_desk).get("/api/v1/catalogue-imports").status_code == 200
    assert catalogue_user
    assert (
        api(price_desk).post("/api/v1/catalogue-imports", {}, format="multipart").status_code == 400
    )


def test_only_the_price_desk_imports(firm, catalogue, api):
    response = api(firm.qianqi).post(
        "/api/v1/catalogue-imports", {"file": csv_file()}, format="multipart"
    )
    assert response.status_code == 403


def test_the_templates_have_the_required_columns():
    text = importing.template_csv().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("oe_number,name,make,category,price_4s,price_market")
    sniffed = importing.sniff("t.xlsx", importing.template_xlsx())
    assert sniffed.columns[:6] == list(importing.REQUIRED)
