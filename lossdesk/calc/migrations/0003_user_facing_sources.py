"""Standards rows as users read them: sources in Chinese without pointers into our own
repository ("RULES.md §…", "vininfo src/…/wmi.py"), and WMI countries in Chinese.

Only the seeded wording is rewritten; a source an administrator has since edited is left
alone unless it still carries one of these pointers."""

import re

from django.db import migrations

# Exact seeded texts → their replacements.
SOURCES = {
    "vininfo src/vininfo/dicts/wmi.py (RULES.md §5.4)": "vininfo 开源库的 WMI 表",
    "RULES.md §1.1 (old limits)": "原中国保监会 2008 年调整的交强险责任限额",
    "http://277762.cc/ba/lhtatfqf.html (粤高法 2022 standard)": (
        "http://277762.cc/ba/lhtatfqf.html（粤高法 2022 年标准）"
    ),
    "https://m.163.com/dy/article/JQD3742E05522N19.html (cites 江苏统计局 2025-02-18)": (
        "https://m.163.com/dy/article/JQD3742E05522N19.html（引江苏统计局 2025-02-18 数据）"
    ),
}
# Whatever else still points into the repository: " (RULES.md §2.5)" and the like.
REPOSITORY_POINTER = re.compile(r"\s*[（(]RULES\.md §[\d.–-]+[）)]")
COUNTRIES = {"China": "中国"}


def user_facing(source: str) -> str:
    return REPOSITORY_POINTER.sub("", SOURCES.get(source, source))


def rewrite(apps, schema_editor):
    for name in ("WmiEntry", "DepreciationTable", "CtplLimitTable", "CompensationStandard"):
        model = apps.get_model("calc", name)
        for row in model.objects.filter(source__regex=r"RULES\.md|src/|standard\)|\(cites "):
            row.source = user_facing(row.source)
            row.save(update_fields=["source"])
    WmiEntry = apps.get_model("calc", "WmiEntry")
    for english, chinese in COUNTRIES.items():
        WmiEntry.objects.filter(country=english).update(country=chinese)


class Migration(migrations.Migration):
    dependencies = [("calc", "0002_seed_standards")]

    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop)]
