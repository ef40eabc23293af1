"""The short fuzz run of the normal suite: each input class, derandomized, every invariant of
targets.py checked after every input. The long run is `python -m tests.fuzz --minutes 30`."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from . import drive
from .targets import Figures, HttpTarget, StdioTarget, Upstream, fuzz_manifest

SHORT = settings(max_examples=20, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
RANDOMS = st.randoms(use_true_random=False)


@pytest.fixture(scope="module")
def figures() -> Iterator[Figures]:
    figures = Figures()
    yield figures
    print(f"\nfuzz (short): {figures.inputs}, peak RSS {figures.peak_rss_kib // 1024} MiB, "
          f"longest call {figures.longest_call:.2f} s")  # fmt: skip


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fuzz_manifest(tmp_path_factory.mktemp("fuzz"))


@pytest.fixture(scope="module")
def upstream(figures: Figures) -> Iterator[Upstream]:
    upstream = Upstream(figures)
    yield upstream
    upstream.stop()


@pytest.fixture(scope="module")
def tools(manifest: Path) -> drive.Tools:
    return drive.Tools(manifest)


@pytest.fixture(scope="module")
def stdio(upstream: Upstream, figures: Figures, manifest: Path) -> Iterator[StdioTarget]:
    target = StdioTarget(upstream, figures, manifest)
    yield target
    target.stop()
    assert figures.violations == []


def test_raw_protocol_lines_on_stdio(stdio: StdioTarget, tools: drive.Tools, figures: Figures) -> None:
    @SHORT
    @given(rng=RANDOMS)
    def check(rng: random.Random) -> None:
        drive.protocol_step(stdio, tools, rng)

    check()
    assert figures.violations == []


def test_tool_arguments(stdio: StdioTarget, tools: drive.Tools, figures: Figures) -> None:
    @SHORT
    @given(rng=RANDOMS)
    def check(rng: random.Random) -> None:
        drive.arguments_step(stdio, tools, rng)

    check()
    assert figures.violations == []


def test_upstream_answers(
    stdio: StdioTarget, upstream: Upstream, tools: drive.Tools, figures: Figures
) -> None:
    @SHORT
    @given(rng=RANDOMS)
    def check(rng: random.Random) -> None:
        drive.answers_step(stdio, upstream, tools, rng)

    check()
    stdio.check_memory("answers")
    assert figures.violations == []


def test_raw_protocol_bodies_over_http(
    upstream: Upstream, figures: Figures, manifest: Path, tools: drive.Tools
) -> None:
    target = HttpTarget(upstream, figures, manifest)
    try:

        @SHORT
        @given(rng=RANDOMS)
        def check(rng: random.Random) -> None:
            drive.http_step(target, tools, rng)

        check()
    finally:
        target.stop()
    assert figures.violations == []


def test_manifests(figures: Figures) -> None:
    @settings(SHORT, max_examples=40)
    @given(rng=RANDOMS)
    def check(rng: random.Random) -> None:
        drive.manifest_step(figures, rng)

    check()
    drive.manifest_step(figures, random.Random(1), with_command=True)  # the command too, once
    assert figures.violations == []
