"""The page and the API parse money with the same parser: same bad input, same message."""

import pytest

from lossdesk.calc.forms import ActualValueForm
from lossdesk.calc.tests.test_api_vectors import TV8_BODY
from lossdesk.rules.money import AmountError, parse_amount

pytestmark = pytest.mark.django_db

BAD = ["1e5", "1.234", "-1", "NaN", "1,2", "1000000000000"]


def parser_message(text: str) -> str:
    with pytest.raises(AmountError) as caught:
        parse_amount(text)
    return caught.value.message


@pytest.mark.parametrize("text", BAD)
def test_the_form_field_gives_the_parsers_message(text):
    form = ActualValueForm(data={**TV8_BODY, "new_price": text})
    assert form.errors["new_price"] == [parser_message(text)]


@pytest.mark.parametrize("text", BAD)
def test_the_api_field_gives_the_parsers_message(post, text):
    response = post("actual-value", {**TV8_BODY, "new_price": text})
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["new_price"] == [parser_message(text)]


def test_grouped_and_full_width_input_is_accepted_by_both(post):
    form = ActualValueForm(data={**TV8_BODY, "new_price": "¥２００,０００.００"})
    assert form.is_valid(), form.errors
    grouped = post("actual-value", {**TV8_BODY, "new_price": "200,000元"}).json()
    plain = post("actual-value", TV8_BODY).json()
    assert grouped["actual_value"] == plain["actual_value"] == "154400.00"
