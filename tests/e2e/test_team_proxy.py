"""Replicas behind a real nginx, every seeded user at once, one replica killed and one drained mid-run.

The short version of bench/team_load.py's run (the full one is in BENCHMARKS.md). nginx comes from the
OS packages; `.ci/run` installs it and sets HOURSMITH_REQUIRE_NGINX=1, so CI fails instead of skipping.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hoursmith_mcp.sandbox.seed import SEEDED_TOKENS

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the harness lives with the benchmarks
    sys.path.insert(0, str(ROOT))

from bench.team_load import (  # noqa: E402
    Fleet,
    LoadPlan,
    count_tokens,
    free_port,
    nginx_binary,
    nginx_config,
    run_load,
)

CALLS = 320


def require_nginx() -> None:
    if nginx_binary() is not None:
        return
    reason = "nginx is not installed (Debian: apt-get install -y nginx; .ci/run installs it)"
    if os.environ.get("HOURSMITH_REQUIRE_NGINX"):
        pytest.fail(reason)
    pytest.skip(reason)


def test_three_replicas_behind_nginx_serve_every_user_and_survive_a_kill(tmp_path: Path) -> None:
    require_nginx()
    plan = LoadPlan(calls=CALLS, sessions=len(SEEDED_TOKENS) + 3, kill_at=0.35, drain_at=0.65, time_limit=300)
    with Fleet(tmp_path, replicas=3) as fleet:
        report = asyncio.run(run_load(fleet, plan))
    logs = fleet.log_text()

    assert [e.split(" after")[0] for e in report.events] == ["SIGKILL replica 0", "SIGTERM replica 1"]
    assert report.calls == CALLS and report.answered == CALLS, report
    assert report.cross_user == [], report.cross_user
    assert report.wrong == [], report.wrong
    assert report.writes >= CALLS // 4 - 1 and report.created  # creates ran, and some succeeded
    assert report.duplicates == [] and report.lost_writes == []
    # The logs were there to search: every replica logged at debug level, nginx logged every request.
    assert logs.count("GET /api/v1/me ->") >= 10 and logs.count('"POST /mcp HTTP/1.1" 200') >= CALLS
    assert count_tokens(logs) == {}
    assert count_tokens(f"x {SEEDED_TOKENS[3].token} y") != {}  # the search does find a token


def test_the_shipped_nginx_config_is_valid_with_its_tls_lines(tmp_path: Path) -> None:
    """deploy/nginx.conf as shipped (TLS, HTTP/2), with a throw-away certificate: `nginx -t` accepts it."""
    require_nginx()
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: no certificate to test the TLS lines with")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subject = "/CN=mcp.example.com"
    openssl = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", subject]
    subprocess.run(
        [*openssl, "-keyout", str(key), "-out", str(cert)], capture_output=True, check=True, timeout=60
    )
    conf = tmp_path / "nginx.conf"
    conf.write_text(nginx_config(tmp_path, free_port(), [8801, 8802], tls=(cert, key)), encoding="utf-8")
    binary = nginx_binary()
    assert binary is not None
    check = subprocess.run(
        [binary, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    assert "ssl_certificate" in conf.read_text() and "http2" in conf.read_text()
