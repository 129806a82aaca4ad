import pytest

from lossdesk.notify import rendering


def test_placeholders_are_listed_once_in_order_of_first_use():
    body = "{case_no}：{place}，{contact_name} {contact_phone}（{case_no}）"
    assert rendering.placeholders(body) == ["case_no", "place", "contact_name", "contact_phone"]


@pytest.mark.parametrize(
    "body", ["{case.report}", "{0}", "{name!r}", "{name:>10}", "{name", "name}", "{}"]
)
def test_a_body_with_anything_but_bare_names_is_a_syntax_error(body):
    with pytest.raises(rendering.TemplateSyntaxError):
        rendering.render(body, {"name": "x", "case": object()})


def test_doubled_braces_are_literal_braces():
    assert rendering.render("{{示例}}{name}", {"name": "x"}) == "{示例}x"


def test_every_missing_or_none_variable_is_named():
    with pytest.raises(rendering.MissingVariables) as exc:
        rendering.render("{a}{b}{c}{a}", {"b": "ok", "c": None})
    assert exc.value.names == ["a", "c"]


def test_values_are_rendered_as_text_and_empty_text_is_allowed():
    assert rendering.render("约{n}分钟{x}", {"n": 15, "x": ""}) == "约15分钟"


@pytest.mark.parametrize(("length", "parts"), [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3)])
def test_a_long_text_is_billed_as_67_character_parts(length, parts):
    assert rendering.segments("字" * length) == parts


def test_every_mobile_number_in_a_text_is_masked_but_other_digits_are_kept():
    text = "案件C2026030100001，联系人 13812345678，查勘员13900001111，电话0571-88889999"
    assert rendering.mask_mobiles(text) == (
        "案件C2026030100001，联系人 138****5678，查勘员139****1111，电话0571-88889999"
    )


@pytest.mark.parametrize(
    ("link", "redacted"),
    [
        ("https://h.example/callback/abcdefgh/", "https://h.example/callback/abcd…"),
        ("https://h.example/callback/abcd…", "https://h.example/callback/abcd…"),
        ("not a link", "…"),
    ],
)
def test_a_token_link_keeps_only_its_address_and_four_characters(link, redacted):
    assert rendering.redact_link(link) == redacted
