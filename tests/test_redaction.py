"""Redaction catches every spelling of the token, in text and in JSON, and leaves everything else alone."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoursmith_mcp.engine.calls.redaction import REDACTED, Redactor, secret_part

from .token_forms import leaks, spellings

TOKEN = "hsk_test_c4a7a7c4a7a7_CANARYcanaryCANARYcanaryCANARY12"
OTHER = "hsk_live_0123456789ab_ZZZZyyyyXXXXwwwwVVVVuuuuTTTTssss"
REDACTOR = Redactor([TOKEN], "hsk_")
FORMS = spellings(TOKEN)
DERANDOMIZED = settings(max_examples=200, derandomize=True, deadline=None)


def test_the_secret_part_is_what_follows_the_last_separator() -> None:
    assert secret_part(TOKEN, "hsk_") == "CANARYcanaryCANARYcanaryCANARY12"
    assert secret_part("hsk_0123456789abcdef0123", "hsk_") == "0123456789abcdef0123"  # no tail: drop prefix
    assert secret_part("opaque-0123456789") == "opaque-0123456789"  # its tails are short: the whole


def test_the_detector_sees_every_spelling() -> None:
    for name, form in FORMS.items():
        assert leaks(f"before {form} after", TOKEN), name  # the check below would prove nothing otherwise


@pytest.mark.parametrize("name", list(FORMS))
def test_every_spelling_is_redacted_in_text(name: str) -> None:
    text = f"upstream said: <{FORMS[name]}> (end)"
    cleaned = REDACTOR.text(text)
    assert not leaks(cleaned, TOKEN), (name, cleaned)
    assert cleaned.startswith("upstream said: <") and cleaned.endswith("> (end)")
    assert REDACTED in cleaned


@pytest.mark.parametrize("name", list(FORMS))
def test_every_spelling_is_redacted_in_json_values_and_keys(name: str) -> None:
    form = FORMS[name]
    value = {"data": [{"note": f"x {form} y", form: 1}, form], "n": 1.5, "ok": True, "none": None}
    cleaned = REDACTOR.data(value)
    text = json.dumps(cleaned)
    assert not leaks(text, TOKEN) and not leaks(json.dumps(cleaned, ensure_ascii=False), TOKEN), name
    assert cleaned["n"] == 1.5 and cleaned["ok"] is True and cleaned["none"] is None


def test_json_text_stays_valid_json_and_reports_a_change() -> None:
    for form in FORMS.values():
        text = json.dumps({"a": f'"{form}\\', "b": [form, {"c": "\\" + form}]}, ensure_ascii=False)
        cleaned, changed = REDACTOR.json_text(text)
        assert changed and not leaks(cleaned, TOKEN)
        json.loads(cleaned)


def test_a_token_never_given_is_redacted_by_its_shape_in_any_case() -> None:
    for text in (OTHER, OTHER.upper(), OTHER.replace("_", "%5F"), f"Bearer {OTHER}."):
        assert "0123456789ab" not in REDACTOR.text(text).lower(), text


BENIGN = [
    "the token starts with hsk_ (see the docs)",
    "expected 'Bearer hsk_…'",
    "test_c4a7a7c4a7a7 is the token's id, not its secret",
    "7d3f9a2e-1b4c-4e8a-9f61-2c5d8e0b3a47",
    "a%20b &amp; c &#233; \\u00e9 \\n new line",
    "QmVhcmVyIG90aGVyLXRva2Vu",  # base64 of another header
    "Canary canary CANARY, a bird",
    "",
]


def test_ordinary_text_is_left_alone() -> None:
    for text in BENIGN:
        assert REDACTOR.text(text) == text
        assert REDACTOR.data({"k": text}) == {"k": text}


def test_lone_surrogates_become_replacement_characters() -> None:
    assert REDACTOR.text("a\udc80b\ud800") == "a\ufffdb\ufffd"
    cleaned = REDACTOR.data({"k\udfff": ["\ud83d", "😀"]})
    assert cleaned == {"k\ufffd": ["\ufffd", "😀"]}
    json.dumps(cleaned, ensure_ascii=False).encode("utf-8")


def test_a_redactor_without_secrets_still_makes_text_encodable() -> None:
    assert Redactor().text("x\udc80") == "x\ufffd"
    assert Redactor().text(TOKEN) == TOKEN  # nothing to redact by yet


@DERANDOMIZED
@given(
    before=st.text(max_size=40),
    after=st.text(max_size=40),
    name=st.sampled_from(sorted(FORMS)),
    wrap=st.sampled_from(["{}", '"{}"', "({})", "{}\n", "token={}&x=1", "<b>{}</b>"]),
)
def test_a_spelling_anywhere_in_any_text_is_redacted(before: str, after: str, name: str, wrap: str) -> None:
    text = before + wrap.format(FORMS[name]) + after
    assert not leaks(REDACTOR.text(text), TOKEN)
    assert not leaks(json.dumps(REDACTOR.data({"v": [text]}), ensure_ascii=False), TOKEN)


@DERANDOMIZED
@given(text=st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=200))
def test_text_without_a_token_is_unchanged(text: str) -> None:
    if "hsk_" not in text.lower().replace("%5f", "_"):
        assert REDACTOR.text(text) == text
