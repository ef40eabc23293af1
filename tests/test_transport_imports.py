"""The transport marks an optional module httpcore looks for on every request as absent, once."""

from __future__ import annotations

import importlib
import sys

import pytest

from hoursmith_mcp.engine.calls.transport import _remember_missing


def test_a_missing_module_fails_at_once_from_then_on(monkeypatch: pytest.MonkeyPatch) -> None:
    name = "hoursmith_bench_module_that_is_not_installed"
    monkeypatch.delitem(sys.modules, name, raising=False)
    _remember_missing(name)
    assert sys.modules[name] is None
    with pytest.raises(ImportError):  # what httpcore catches, as it would without the mark
        importlib.import_module(name)
    monkeypatch.delitem(sys.modules, name)


def test_an_installed_module_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "colorsys", raising=False)  # installed, not imported yet
    _remember_missing("colorsys")
    assert importlib.import_module("colorsys").rgb_to_hsv(1, 0, 0) == (0.0, 1.0, 1)
