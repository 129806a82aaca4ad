"""Countries read in Chinese: every country the VIN decoding can name has a Chinese name, and
the standards rows seeded with repository pointers read as sources a user understands."""

import pytest

from lossdesk.calc.countries import COUNTRY_NAMES, country_name
from lossdesk.calc.models import CompensationStandard, CtplLimitTable, DepreciationTable, WmiEntry
from lossdesk.rules.vin import COUNTRIES


def test_every_country_the_vin_decoding_names_has_a_chinese_name():
    assert set(COUNTRIES.values()) <= set(COUNTRY_NAMES)
    assert country_name("Germany") == "德国"
    assert country_name("中国") == "中国"  # an administrator's own wording stays
    assert country_name(None) is None


@pytest.mark.django_db
def test_the_seeded_standards_name_their_sources_without_repository_paths():
    for model in (WmiEntry, DepreciationTable, CtplLimitTable, CompensationStandard):
        sources = list(model.objects.values_list("source", flat=True))
        assert sources
        assert not [s for s in sources if "RULES.md" in s or "src/" in s or "standard)" in s]
    assert not WmiEntry.objects.filter(country="China").exists()
    assert WmiEntry.objects.get(wmi="LSV").source == "vininfo 开源库的 WMI 表"
