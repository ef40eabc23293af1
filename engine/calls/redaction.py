"""Secret hygiene by value: no form of the token leaves in text, and no text leaves that cannot be encoded.

Applied to stderr logs, MCP log and progress notifications, exception text and tool results, by one
precompiled pattern in one pass over the text (for a result: over its serialised JSON). The pattern
matches, case-insensitively and with an optional line break between any two characters:
- the configured token, and its secret part without the prefix (every tail of the token that starts
  after a separator and is at least MIN_TAIL characters long);
- each character of those written percent-encoded, as an HTML character reference, or as a
  JSON/JavaScript escape (`%68`, `&#104;`, `&#x68;`, `\\u0068`, `\\x68`);
- the base64 (standard and URL-safe, any alignment) of the token and of the `Authorization` header
  value that carries it (case-sensitive: base64 is);
- anything shaped like a token of this API (its prefix, then token characters), even one never given;
- lone UTF-16 surrogates, which no UTF-8 writer can encode: replaced by U+FFFD, so an answer that
  echoes one (`"\\udc80"` in an API's JSON) cannot break the transport.
Header-name based redaction is not enough: tokens leak through exception messages, echoed upstream
bodies and URLs.

In per-user token mode the token of the request being served (engine/calls/request_token.py) is
redacted too, for as long as it is served: whole, its secret part (any case), percent-encoded, and the
base64 of its secret part; its token shape is caught by the prefix rule above. Not by a compiled
pattern of its own: compiling one costs a fifth of a second, and the `re` module's cache would keep the
token after the request.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from typing import Any
from urllib.parse import quote

from . import request_token

REDACTED = "[REDACTED]"
MIN_SECRET = 8  # shorter values are not treated as secrets (too many false matches)
MIN_TAIL = 16  # the shortest tail of a token (after a separator) still redacted on its own
DECODE_ROUNDS = 4  # layers of escaping looked through (`%2526%2523104%253B` is three)
_TAIL_SEPARATORS = "_-.:"

_LONE_SURROGATE = r"(?P<surrogate>[\ud800-\udfff])"
# A line break (real, or escaped once or more as in JSON text) and the indentation after it.
_SEP = r"(?:(?:\r|\\+r)?(?:\n|\\+n)[ \t]*)?"
_NAMED_REFERENCES = {"_": ("&lowbar;", "&UnderBar;"), "-": ("&hyphen;", "&dash;"), ".": ("&period;",)}


def _any_case(text: str) -> str:
    """`text` as a pattern matching it in any case. The pattern is compiled without IGNORECASE, which
    would stop the regex engine from skipping quickly over text that cannot start a match."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.lower() != c.upper() else re.escape(c) for c in text)


def _char(c: str) -> str:
    """One character of a secret in every spelling we look for, in any case."""
    spellings = {_any_case(c)}
    for code in {ord(c.lower()), ord(c.upper())}:
        spellings.update(
            (
                f"%{_any_case(f'{code:02x}')}",
                f"&#0*{code};",
                f"&#[xX]0*{_any_case(f'{code:x}')};",
                rf"\\+[uU]00{_any_case(f'{code:02x}')}",
                rf"\\+[xX]{_any_case(f'{code:02x}')}",
            )
        )
    spellings.update(_NAMED_REFERENCES.get(c, ()))
    return "(?:" + "|".join(sorted(spellings)) + ")"


def _spelled(text: str) -> str:
    return _SEP.join(_char(c) for c in text)


def secret_part(secret: str, prefix: str | None = None) -> str:
    """The part of a token that must never be seen: its last tail of at least MIN_TAIL characters
    after a separator (`S3cr3t…` of `pfx_live_0a1b2c_S3cr3t…`); else the token without its prefix."""
    tails = [i + 1 for i, c in enumerate(secret) if c in _TAIL_SEPARATORS and len(secret) - i - 1 >= MIN_TAIL]
    if tails:
        return secret[tails[-1] :]
    if prefix and secret.startswith(prefix) and len(secret) - len(prefix) >= MIN_SECRET:
        return secret[len(prefix) :]
    return secret


def _secret_pattern(secret: str, part: str) -> str:
    """The secret part, with the rest of the token before it when that is there too (then the whole
    token is replaced, not only its secret part)."""
    head = secret[: len(secret) - len(part)]
    return (f"(?:{_spelled(head)}{_SEP})?" if head else "") + _spelled(part)


def _base64_cores(value: bytes) -> set[str]:
    """The part of base64(… + value + …) that depends on `value` alone, for each of the 3 alignments.

    The secret part's cores are inside the base64 of the token and of the `Authorization` header
    value, whatever comes before and after them."""
    cores = set()
    for pad in range(3):
        encoded = base64.b64encode(b"\0" * pad + value).decode("ascii")
        total = pad + len(value)
        cores.add(encoded[(0, 2, 3)[pad] : (total // 3) * 4 + (0, 1, 2)[total % 3]])
    return cores


_URL_SAFE = str.maketrans("+/", "-_")


def _base64_pattern(part: str) -> str:
    """Standard and URL-safe alphabets in one pattern."""
    classes = {"+": "[+-]", "/": "[/_]"}
    return "|".join(
        _SEP.join(classes.get(c) or re.escape(c) for c in core)
        for core in sorted(_base64_cores(part.encode()))
    )


def _base64_forms(part: str) -> set[str]:
    cores = _base64_cores(part.encode())
    return cores | {core.translate(_URL_SAFE) for core in cores}


def _shape_pattern(prefix: str) -> str:
    return _spelled(prefix) + r"(?:[A-Za-z0-9_\-]|%5[fF]|%2[dD])+"


# The cheap first look (see Redactor._may_hold_secret): every spelling decoded, every line break gone.
_ESCAPES = re.compile(
    r"%([0-9a-fA-F]{2})|&#0*(\d{1,7});|&#[xX]0*([0-9a-fA-F]{1,6});|\\\\*[uU]00([0-9a-fA-F]{2})"
    r"|\\\\*[xX]([0-9a-fA-F]{2})|&(lowbar|UnderBar|hyphen|dash|period);"
)
_NAMED = {"lowbar": "_", "UnderBar": "_", "hyphen": "-", "dash": "-", "period": "."}
_BREAKS = re.compile(r"(?:\r\n|\n|\\\\*r\\+n|\\\\*n)[ \t]*")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
# Every match of _BREAKS holds one of the first characters, or a backslash and one of the escaped
# pairs; every match of _ESCAPES likewise. Searching for them (`in`, memchr-fast for one character)
# rules those patterns out of most text: scanning with the patterns costs about sixty instructions a
# character, a third of a millisecond on a 15 KB result.
_BREAK_MARKS = (("\n",), ("\\n",))  # every break ends in a newline, real or escaped
_ESCAPE_MARKS = (("%", "&"), ("\\u", "\\U", "\\x", "\\X"))


def _may_hold(text: str, marks: tuple[tuple[str, ...], tuple[str, ...]]) -> bool:
    characters, escaped = marks
    return any(c in text for c in characters) or ("\\" in text and any(pair in text for pair in escaped))


def _unbroken(text: str) -> str:
    """`text` without its line breaks (_BREAKS), searched for only where one can be."""
    return _BREAKS.sub("", text) if _may_hold(text, _BREAK_MARKS) else text


def _decoded(match: re.Match[str]) -> str:
    percent, decimal, hexadecimal, unicode_escape, hex_escape, named = match.groups()
    if named:
        return _NAMED[named]
    number = decimal or hexadecimal or percent or unicode_escape or hex_escape
    code = int(number, 10 if decimal else 16)
    return chr(code) if code <= 0x10FFFF else match.group()


class Redactor:
    def __init__(self, secrets: list[str] | None = None, token_prefix: str | None = None) -> None:
        self._secrets = sorted({s for s in (secrets or []) if len(s) >= MIN_SECRET}, key=len, reverse=True)
        self._prefix = token_prefix
        self._pattern = self._compile()
        self._keys, self._base64 = self._first_look()

    def add_secret(self, secret: str) -> None:
        if len(secret) >= MIN_SECRET and secret not in self._secrets:
            self._secrets = sorted([*self._secrets, secret], key=len, reverse=True)
            self._pattern = self._compile()
            self._keys, self._base64 = self._first_look()

    def _compile(self) -> re.Pattern[str]:
        forms = [_LONE_SURROGATE]
        for secret in self._secrets:
            part = secret_part(secret, self._prefix)
            forms += [_secret_pattern(secret, part), _base64_pattern(part)]
        if self._prefix:
            forms.append(_shape_pattern(self._prefix))
        # Most positions cannot start a match: one character-set test rules them out before the
        # alternatives are tried one by one.
        first = {"%", "&", "\\", "\ud800-\udfff"}
        for secret in self._secrets:
            part = secret_part(secret, self._prefix)
            first.update((secret[0].lower(), secret[0].upper(), part[0].lower(), part[0].upper()))
            first.update(core[0] for core in _base64_forms(part))
        if self._prefix:
            first.update((self._prefix[0].lower(), self._prefix[0].upper()))
        leading = "".join(sorted(c if "-" in c and len(c) > 1 else re.escape(c) for c in first))
        return re.compile(f"(?=[{leading}])(?:{'|'.join(forms)})")

    def _first_look(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """What every match must contain once decoded and lower-cased (the secret part is in every
        form of the token; the prefix in every shape), and the base64 forms as they are."""
        parts = [secret_part(secret, self._prefix) for secret in self._secrets]
        keys = {part.lower() for part in parts}
        if self._prefix:
            keys.add(self._prefix.lower())
        encoded = {form for part in parts for form in _base64_forms(part)}
        return tuple(keys), tuple(encoded)

    def _may_hold_secret(self, text: str) -> bool:
        """A quick first look, exact enough: False only when the full pattern cannot match. Most text
        holds no secret, and this look costs a few C-speed passes where the full pattern costs many."""
        if not text.isascii() and _SURROGATES.search(text):  # isascii() is a flag test, not a scan
            return True
        unbroken = _unbroken(text)
        if any(form in unbroken for form in self._base64):
            return True
        return self._found_after_decoding(unbroken, self._keys)

    def _found_after_decoding(self, text: str, keys: tuple[str, ...]) -> bool:
        """Whether a key shows in `text` as it is or once its escapes are decoded, up to DECODE_ROUNDS
        times: `%26%23104%3B` is `&#104;` is `h` (a path value the engine percent-encoded, say)."""
        for _ in range(DECODE_ROUNDS):
            lowered = text.lower()
            if any(key in lowered for key in keys):
                return True
            if not _may_hold(text, _ESCAPE_MARKS):
                return False  # nothing left to decode
            text, decoded = _ESCAPES.subn(_decoded, text)
            if not decoded:
                return False
            text = _unbroken(text)  # a decoded %0A is a line break too
        return any(key in text.lower() for key in keys)

    def _secret_survives(self, text: str) -> bool:
        """After the pattern ran: a known secret still there, encoded more than once."""
        parts = tuple(secret_part(secret, self._prefix).lower() for secret in self._secrets)
        return bool(parts) and self._found_after_decoding(_unbroken(text), parts)

    @staticmethod
    def _replacement(match: re.Match[str]) -> str:
        return "\ufffd" if match.lastgroup == "surrogate" else REDACTED

    def text(self, value: str) -> str:
        value, _ = _without_request_token(value, self._secrets)
        if not self._may_hold_secret(value):
            return value
        cleaned = self._pattern.sub(self._replacement, value)
        if self._secret_survives(cleaned):
            # Rare: an encoding of an encoding. The text is shown decoded, then redacted.
            cleaned = self._pattern.sub(self._replacement, _fully_decoded(cleaned))
        return cleaned

    def json_text(self, text: str) -> tuple[str, bool]:
        """Serialised JSON redacted in one pass, and whether anything changed. Stays valid JSON: no
        spelling matched here contains a quote, and an escape is only ever matched whole."""
        text, removed = _without_request_token(text, self._secrets)
        if not self._may_hold_secret(text):
            return text, removed
        cleaned, count = self._pattern.subn(self._replacement, text)
        if self._secret_survives(cleaned):  # rare: redact each string that still holds it, decoded
            cleaned = json.dumps(self._strings_redacted(json.loads(cleaned)), ensure_ascii=False)
            return cleaned, True
        return cleaned, removed or count > 0

    def _strings_redacted(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(key): self._strings_redacted(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self._strings_redacted(item) for item in value]
        return value

    def data(self, value: Any) -> Any:
        """A JSON-like value with every string (keys included) redacted: one pass over its JSON text."""
        cleaned, changed = self.json_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
        return json.loads(cleaned) if changed else value


def _without_request_token(text: str, configured: list[str]) -> tuple[str, bool]:
    """`text` without the forms of the token of the request being served (if any, and not configured);
    and whether anything was removed. Plain string searches, no regular expression (see the top)."""
    token = request_token.current()
    if token is None or len(token) < MIN_SECRET or token in configured:
        return text, False
    part = secret_part(token)
    any_case = {token, part, quote(token, safe="")}
    exact = _base64_forms(part) if len(part) >= MIN_SECRET else set()
    cleaned = text
    for form in sorted(any_case, key=len, reverse=True):
        cleaned = _replaced_any_case(cleaned, form)
    for form in sorted(exact, key=len, reverse=True):
        cleaned = cleaned.replace(form, REDACTED)
    return cleaned, cleaned != text


def _replaced_any_case(text: str, needle: str) -> str:
    lowered, low = text.lower(), needle.lower()
    if low not in lowered:
        return text
    if len(lowered) != len(text):  # a character whose lower case is longer: compare piece by piece
        return _replaced_piecewise(text, needle)
    pieces, start = [], 0
    while (found := lowered.find(low, start)) != -1:
        pieces += [text[start:found], REDACTED]
        start = found + len(needle)
    return "".join([*pieces, text[start:]])


def _replaced_piecewise(text: str, needle: str) -> str:
    low, size = needle.lower(), len(needle)
    pieces, start, at = [], 0, 0
    while at <= len(text) - size:
        if text[at : at + size].lower() == low:
            pieces += [text[start:at], REDACTED]
            at = start = at + size
        else:
            at += 1
    return "".join([*pieces, text[start:]])


def _fully_decoded(text: str) -> str:
    for _ in range(DECODE_ROUNDS):
        text, decoded = _ESCAPES.subn(_decoded, text)
        if not decoded:
            break
    return text


class RedactingFilter(logging.Filter):
    """Redacts each record's final message (arguments merged in) and its exception text."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
            record.exc_text = None
        record.msg = self.redactor.text(message)
        record.args = None
        return True
