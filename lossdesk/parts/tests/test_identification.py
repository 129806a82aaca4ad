import pytest

from lossdesk.core.errors import ServiceError
from lossdesk.parts.identification import EXACT, identify_vin, models_by_path

pytestmark = pytest.mark.django_db


def test_a_vin_lists_the_trims_its_rules_allow_ranked_with_the_reason(catalogue):
    result = identify_vin("LSVUB6C10K2053790")
    models = [c.model for c in result.candidates]
    assert models == [catalogue.tcross_base, catalogue.tcross_lux]
    assert result.ambiguous  # the VIN does not carry the trim: the assessor picks one
    reason = result.candidates[0].reason
    assert "WMI LSV（上汽大众）" in reason
    assert "UB6C1 符合规则 UB6**" in reason
    assert "2019，在 2019–2020 内" in reason
    assert result.candidates[0].score >= EXACT


def test_a_more_specific_vds_pattern_ranks_first(catalogue):
    result = identify_vin("LRW3E7FAXRC093951")
    assert [c.model for c in result.candidates] == [catalogue.model3_lr, catalogue.model3_rwd]
    assert not result.ambiguous
    assert result.candidates[0].score > result.candidates[1].score
    assert "4/5 位确定" in result.candidates[0].reason


def test_the_model_year_decides_between_generations(catalogue):
    # same WMI and VDS, year code M = 2021: only the 2021 rule applies
    vin = "LSVUB6C1XM2053790"
    from lossdesk.rules.vin import check_digit

    vin = vin[:8] + check_digit(vin) + vin[9:]
    result = identify_vin(vin)
    assert [c.model for c in result.candidates] == [catalogue.tcross_2021]


def test_a_vin_no_rule_knows_falls_back_to_the_make_and_year_with_a_warning(catalogue):
    from lossdesk.rules.vin import check_digit

    vin = "LSVZZ9991N2000001"
    vin = vin[:8] + check_digit(vin) + vin[9:]
    result = identify_vin(vin)
    assert [c.model for c in result.candidates] == [catalogue.langyi_base]
    assert not result.candidates[0].exact
    assert "人工选择" in result.warnings[0]


def test_a_wrong_check_digit_is_reported_but_still_identified(catalogue):
    result = identify_vin("LSVUB6C19K2053790")
    assert result.candidates
    assert "校验位" in result.warnings[0]


def test_a_malformed_vin_is_an_input_error(catalogue):
    with pytest.raises(ServiceError) as exc:
        identify_vin("LSVUB6C10K205379")
    assert "vin" in exc.value.fields


def test_the_manual_path_filters_by_make_series_and_year(catalogue):
    assert list(models_by_path("大众", "途铠", "2019")) == [
        catalogue.tcross_base,
        catalogue.tcross_lux,
        catalogue.tcross_top,
    ]
    assert list(models_by_path(str(catalogue.tesla.pk))) == [
        catalogue.model3_rwd,
        catalogue.model3_lr,
    ]
    with pytest.raises(ServiceError):
        models_by_path("大众", "", "19x")


def test_the_vehicle_models_api_returns_candidates_with_reasons(firm, catalogue, api):
    response = api(firm.qianqi).get("/api/v1/vehicle-models", {"vin": "LSVUB6C10K2053790"})
    assert response.status_code == 200
    body = response.json()
    assert body["vin"]["model_year"] == 2019
    assert body["ambiguous"] is True
    assert [c["model"]["code"] for c in body["candidates"]] == ["LSVUB191", "LSVUB192"]
    assert body["candidates"][0]["model"]["new_car_price"] == "139900.00"
    assert "VDS" in body["candidates"][0]["reason"]


def test_the_vehicle_models_api_has_a_manual_path(firm, catalogue, api):
    response = api(firm.qianqi).get(
        "/api/v1/vehicle-models", {"make": "大众", "series": "途铠", "year": "2021"}
    )
    assert [c["model"]["code"] for c in response.json()["candidates"]] == ["LSVUB211"]


@pytest.mark.parametrize("params", [{"vin": "NOT-A-VIN"}, {}, {"make": "大众", "year": "二〇一九"}])
def test_bad_vehicle_model_queries_are_a_400_with_fields(firm, catalogue, api, params):
    response = api(firm.qianqi).get("/api/v1/vehicle-models", params)
    assert response.status_code == 400
    assert response.json()["error"]["fields"]


def test_positions_without_catalogue_rights_cannot_identify(firm, catalogue, api):
    response = api(firm.finance).get("/api/v1/vehicle-models", {"vin": "LSVUB6C10K2053790"})
    assert response.status_code == 403
