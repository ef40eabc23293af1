"""Every way a token can be written, and a detector for all of them that uses only the standard library.

`spellings(token)` gives the forms an upstream, a log line or a careless client might produce; `leaks`
says which forms of the token's secret part a text still holds. The detector decodes with the
standard library (urllib, html, base64) rather than sharing the redactor's pattern, so a gap in the
pattern is not mirrored by a gap in the check. Used by the redaction tests and the fuzz invariants.
"""

from __future__ import annotations

import base64
import html
import json
import re
from urllib.parse import quote, unquote

from hoursmith_mcp.engine.calls.redaction import secret_part

_JSON_ESCAPE = re.compile(r"\\+u([0-9a-fA-F]{4})|\\+x([0-9a-fA-F]{2})")
_BREAKS = re.compile(r"(?:\r|\\+r)?(?:\n|\\+n)[ \t]*")


def spellings(token: str) -> dict[str, str]:
    part = secret_part(token, "hsk_")
    header = f"Bearer {token}"
    every_char = "".join
    forms = {
        "whole": token,
        "secret part": part,
        "upper": token.upper(),
        "lower": token.lower(),
        "swapped case": token.swapcase(),
        "secret part upper": part.upper(),
        "url-encoded (quote)": quote(token, safe=""),
        "url-encoded every char": every_char(f"%{ord(c):02X}" for c in token),
        "url-encoded every char, lower hex": every_char(f"%{ord(c):02x}" for c in part),
        "url-encoded upper": every_char(f"%{ord(c):02X}" for c in token.upper()),
        "html decimal": every_char(f"&#{ord(c)};" for c in token),
        "html hex": every_char(f"&#x{ord(c):X};" for c in part),
        "html escape": html.escape(token),
        "html named underscores": token.replace("_", "&lowbar;"),
        "json escapes": every_char(f"\\u{ord(c):04x}" for c in token),
        "json escape in a json string": json.dumps(every_char(f"\\u{ord(c):04x}" for c in part)),
        "js hex escapes": every_char(f"\\x{ord(c):02x}" for c in part),
        "header": header,
        "base64 of the header": base64.b64encode(header.encode()).decode(),
        "base64 of the header, shifted 1": base64.b64encode(b"x" + header.encode()).decode(),
        "base64 of the header, shifted 2": base64.b64encode(b"xy" + header.encode()).decode(),
        "url-safe base64 of the header": base64.urlsafe_b64encode(b"?>" + header.encode()).decode(),
        "base64 of the token": base64.b64encode(token.encode()).decode(),
        "split across lines": f"{token[:17]}\n{token[17:]}",
        "split with indentation": f"{token[:9]}\r\n      {token[9:30]}\n  {token[30:]}",
        "split by an escaped newline": f"{token[:25]}\\n{token[25:]}",
    }
    # Encodings of encodings, as when an escaped value lands in a URL path and the path is echoed.
    forms["url-encoded html decimal"] = quote(forms["html decimal"], safe="")
    forms["url-encoded split"] = quote(forms["split with indentation"], safe="")
    forms["url-encoded twice"] = quote(forms["url-encoded every char"], safe="")
    return forms


def _unescaped(text: str) -> str:
    return _JSON_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def _decoded_views(text: str) -> list[str]:
    """The text as it is, decoded one way, and decoded every way up to four layers deep."""
    views = [text, unquote(text), html.unescape(text), _unescaped(text)]
    layered = text
    for _ in range(4):
        layered = html.unescape(unquote(_unescaped(layered)))
        views.append(layered)
    return [_BREAKS.sub("", view).lower() for view in views]


def _base64_cores(value: bytes) -> list[str]:
    cores = []
    for pad in range(3):
        encoded = base64.b64encode(b"\0" * pad + value).decode()
        total = pad + len(value)
        core = encoded[(0, 2, 3)[pad] : (total // 3) * 4 + (0, 1, 2)[total % 3]]
        cores += [core, core.replace("+", "-").replace("/", "_")]
    return cores


def leaks(text: str, token: str) -> list[str]:
    """The forms of the token's secret part `text` still holds (empty: none)."""
    part = secret_part(token, "hsk_")
    found = []
    if any(part.lower() in view for view in _decoded_views(text)):
        found.append("the secret part (plain, case-changed, percent/HTML/JSON-escaped or split)")
    unbroken = _BREAKS.sub("", text)
    if any(core in unbroken for core in _base64_cores(part.encode())):
        found.append("the secret part in base64")
    return found
