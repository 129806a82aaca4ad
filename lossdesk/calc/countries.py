"""Chinese names of the countries a VIN's first characters stand for. The decoding
(lossdesk.rules.vin, after vininfo) names them in English; users read these."""

COUNTRY_NAMES = {
    "China": "中国",
    "United States": "美国",
    "Canada": "加拿大",
    "Mexico": "墨西哥",
    "Australia": "澳大利亚",
    "Brazil": "巴西",
    "Japan": "日本",
    "South Korea": "韩国",
    "India": "印度",
    "Indonesia": "印度尼西亚",
    "Thailand": "泰国",
    "Taiwan": "中国台湾",
    "United Kingdom": "英国",
    "Germany": "德国",
    "Poland": "波兰",
    "Switzerland": "瑞士",
    "Czech Republic": "捷克",
    "Romania": "罗马尼亚",
    "Austria": "奥地利",
    "France": "法国",
    "Spain": "西班牙",
    "Netherlands": "荷兰",
    "Belgium": "比利时",
    "Finland": "芬兰",
    "Sweden": "瑞典",
    "Italy": "意大利",
}


def country_name(country: str | None) -> str | None:
    """The Chinese name; a name already in Chinese (an administrator's WMI row) as it is."""
    return COUNTRY_NAMES.get(country, country) if country else country
