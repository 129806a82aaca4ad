"""SMS template bodies: plain text with `{name}` placeholders, nothing else.

`str.format` would also accept `{case.report.reporter_phone}` or `{0}` and so let whoever edits
a template reach into any object passed in; these bodies allow bare names only, and every
name must be one the event supplies. Pure Python: no Django import."""

import re
from string import Formatter

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# A Chinese SMS segment holds 70 characters; longer texts go out as 67-character parts.
SEGMENT, PART = 70, 67


class TemplateSyntaxError(ValueError):
    """The body is not plain text with `{name}` placeholders."""


class MissingVariables(KeyError):
    """The context lacks values the body needs. `names` lists them in body order."""

    def __init__(self, names: list[str]):
        super().__init__(names)
        self.names = names


def _pieces(body: str):
    try:
        pieces = list(Formatter().parse(body))
    except ValueError as exc:  # "Single '}' encountered", unclosed "{"
        raise TemplateSyntaxError(f"花括号不成对：{exc}") from None
    for _literal, name, spec, conversion in pieces:
        if name is None:
            continue
        if not NAME.match(name) or spec or conversion:
            raise TemplateSyntaxError(
                f"变量「{{{name}{'!' + conversion if conversion else ''}"
                f"{':' + spec if spec else ''}}}」无效：只能写 {{变量名}}。"
            )
    return pieces


def placeholders(body: str) -> list[str]:
    """The variable names of `body` in order of first use."""
    names: list[str] = []
    for _literal, name, _spec, _conversion in _pieces(body):
        if name is not None and name not in names:
            names.append(name)
    return names


def render(body: str, context: dict) -> str:
    """`body` with each `{name}` replaced by `str(context[name])`. A name that is absent
    from the context or None raises MissingVariables naming every one missing."""
    pieces = _pieces(body)
    missing = [
        name
        for _literal, name, _spec, _conversion in pieces
        if name is not None and context.get(name) is None
    ]
    if missing:
        raise MissingVariables(list(dict.fromkeys(missing)))
    return "".join(
        literal + ("" if name is None else str(context[name]))
        for literal, name, _spec, _conversion in pieces
    )


def segments(text: str) -> int:
    """How many SMS the text is billed as (1 up to 70 characters, then 67 per part)."""
    if len(text) <= SEGMENT:
        return 1
    return -(-len(text) // PART)


_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_mobiles(text: str) -> str:
    """Every mainland mobile number inside `text` → 138****5678."""
    return _MOBILE.sub(r"\1****\3", text)


def redact_link(value: str) -> str:
    """A link carrying a secret token → its address with the token cut to four characters:
    http://host/callback/zRejrgkEEd…/ → http://host/callback/zRej…"""
    text = str(value).rstrip("/")
    head, _, last = text.rpartition("/")
    if not head or "://" not in text:
        return "…"
    return f"{head}/{last[:4]}…"
