"""The redactor's first look answers as the full decoding would, while skipping what cannot apply.

The first look (Redactor._may_hold_secret) decides whether the one-pass pattern runs at all; it skips
the line-break and escape scans when the text holds none of the characters they need. The reference
below is the first look without those shortcuts: every scan always runs. Both must agree on every text,
so a shortcut never hides a spelling of the token.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hoursmith_mcp.engine.calls import redaction
from hoursmith_mcp.engine.calls.redaction import Redactor

from .token_forms import spellings

TOKEN = "hsk_test_c4a7a7c4a7a7_CANARYcanaryCANARYcanaryCANARY12"
REDACTOR = Redactor([TOKEN], "hsk_")
FORMS = sorted(spellings(TOKEN).values())
# The characters the scans are about, and the token's, so generated text often holds partial forms.
ALPHABET = st.sampled_from([*'%&#;\\\n\r \tuUxX0123456789abcdefABCDEF_-hskHSK:"{}', *"CANARYcanary12"])


def reference_first_look(redactor: Redactor, text: str) -> bool:
    """Every scan, every time: line breaks removed, then up to DECODE_ROUNDS rounds of decoding."""
    if not text.isascii() and redaction._SURROGATES.search(text):
        return True
    keys, base64_forms = redactor._first_look()
    text = redaction._BREAKS.sub("", text)
    if any(form in text for form in base64_forms):
        return True
    for _ in range(redaction.DECODE_ROUNDS):
        if any(key in text.lower() for key in keys):
            return True
        text, decoded = redaction._ESCAPES.subn(redaction._decoded, text)
        if not decoded:
            return False
        text = redaction._BREAKS.sub("", text)
    return any(key in text.lower() for key in keys)


pieces = st.one_of(st.text(ALPHABET, max_size=12), st.sampled_from(FORMS).map(lambda f: f[: len(f) // 2]))


@settings(max_examples=600, derandomize=True, deadline=None)
@given(parts=st.lists(st.one_of(pieces, st.sampled_from(FORMS)), max_size=6))
def test_the_first_look_agrees_with_every_scan_run(parts: list[str]) -> None:
    text = "".join(parts)
    assert REDACTOR._may_hold_secret(text) == reference_first_look(REDACTOR, text)


def test_every_spelling_is_seen_inside_a_real_sized_result() -> None:
    records = [{"id": f"e{i}", "note": f"note {i}", "billable": True} for i in range(200)]
    for form in FORMS:
        text = str(records)[:-1] + f", {{'note': {form!r}}}]"
        assert REDACTOR._may_hold_secret(text), form
        assert reference_first_look(REDACTOR, text), form
    plain = str(records)
    assert not REDACTOR._may_hold_secret(plain)  # a result without the token skips the pattern
