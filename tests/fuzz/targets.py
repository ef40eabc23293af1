"""What is fuzzed, and the invariants checked after every input.

- `StdioTarget`: the installed server (`python -m hoursmith_mcp`) over raw pipes, against a loopback
  fixture upstream whose answers the fuzzer writes; a manifest that is tools.yaml with short retries.
- `HttpTarget`: the same server with `--transport http`, one session, hostile bodies and headers.
- `check_manifest`: `validate`'s checks in this process (and, now and then, the command itself).

Invariants (each violation is recorded with the input that caused it):
- every request that has an id is answered exactly once, and the server answers a ping after every input;
- stdout carries only valid JSON-RPC: one strict JSON object per line (no NaN, no lone surrogate), each a
  response with exactly one of result/error, or a notification;
- the upstream receives only valid JSON (strict UTF-8, no NaN), only under the base path;
- no form of the token (tests/token_forms.py) in stdout, stderr, or any answer; no traceback in stderr;
- each call is answered within the manifest's deadline (plus DEADLINE_SLACK for a busy machine); the
  server's peak RSS stays under RSS_BOUND_MIB; a manifest check stays under MANIFEST_SECONDS.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import httpx

from hoursmith_mcp.engine.manifest.loader import CheckedManifest, check_manifest_text
from hoursmith_mcp.engine.manifest.yaml_source import load_yaml

from ..reliability.fixture_upstream import FixtureUpstream, Raw, Recorded, Reply
from ..reliability.raw_server import INITIALIZE, RawServer
from ..token_forms import leaks

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "hsk_test_f00dfacecafe_FUZZcanaryFUZZcanaryFUZZcanary99"
BASE_PATH = "/api/v1"
DEADLINE = 4.0  # api.retry.deadline_seconds of the fuzz manifest
DEADLINE_SLACK = 20.0  # a shared, busy machine: the bound checked is DEADLINE + this
BODY_LIMIT = 512 * 1024  # api.limits.max_response_bytes of the fuzz manifest
RSS_BOUND_MIB = 160  # the server's peak RSS under hostile traffic (it starts near 75 MiB)
MANIFEST_SECONDS = 10.0  # the longest a manifest check may take (a 1 MiB file takes well under 1 s)


def _strict_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def strict_json(text: str | bytes) -> Any:
    """Parse as the strictest client would: UTF-8 only, no NaN/Infinity, no lone surrogate escapes."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")  # strict: invalid UTF-8 raises
    if re.search(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}", text):
        value = json.loads(text)
        if re.search(r"[\ud800-\udfff]", json.dumps(value, ensure_ascii=False)):
            raise ValueError("a lone surrogate")
    return json.loads(text, parse_constant=_strict_constant)


def fuzz_manifest(directory: Path) -> Path:
    """tools.yaml with retries, deadline and body limit small enough to fuzz many calls a second."""
    data, _ = load_yaml((ROOT / "tools.yaml").read_text(encoding="utf-8"), "tools.yaml")
    data["api"]["timeout_seconds"] = 2
    data["api"]["retry"] = {
        "max_attempts": 2,
        "on_status": [429, 500, 502, 503, 504],
        "backoff_initial_seconds": 0.01,
        "backoff_max_seconds": 0.05,
        "retry_after_max_seconds": 0.2,
        "deadline_seconds": DEADLINE,
    }
    data["api"]["limits"] = {"max_response_bytes": BODY_LIMIT, "max_result_bytes": 20_000}
    path = directory / "fuzz.yaml"
    path.write_text(json.dumps(data), encoding="utf-8")  # JSON is YAML
    return path


@dataclass
class Figures:
    """What a run tried and found; the long run prints these (SECURITY.md quotes them)."""

    inputs: dict[str, int] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    token_occurrences: int = 0
    peak_rss_kib: int = 0
    longest_call: float = 0.0
    longest_manifest_check: float = 0.0

    def tried(self, kind: str) -> None:
        self.inputs[kind] = self.inputs.get(kind, 0) + 1

    def violated(self, kind: str, what: str, given: Any) -> None:
        shown = repr(given)
        self.violations.append(f"[{kind}] {what}; input: {shown[:300]}{'…' if len(shown) > 300 else ''}")


class Upstream:
    """The fixture upstream, answering with whatever `next_reply` says, checking what it receives."""

    def __init__(self, figures: Figures) -> None:
        self.figures = figures
        self.fixture = FixtureUpstream().start()
        self.next_reply: Any = Reply(200, {"data": {"id": "x"}})
        self.fixture.reset(self._answer)

    def _answer(self, request: Recorded) -> Any:
        if not request.target.startswith(BASE_PATH + "/"):
            self.figures.violated("upstream", f"a request outside {BASE_PATH}: {request.target}", request)
        if request.body:
            try:
                strict_json(request.body)
            except ValueError as exc:
                self.figures.violated(
                    "upstream", f"a body that is not strict JSON ({exc})", request.body[:200]
                )
        reply = self.next_reply
        return reply(request) if callable(reply) else reply

    def reply_with(self, status: int, headers: dict[str, str], body: bytes) -> None:
        """Reply sets Content-Length; a status outside 100-599 goes out raw (h11 refuses to build it)."""
        if 100 <= status <= 599:
            self.next_reply = Reply(status, body, headers)
        else:
            head = f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\n"
            head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
            self.next_reply = Raw(head.encode() + b"\r\n" + body)

    @property
    def base_url(self) -> str:
        return self.fixture.root_url + BASE_PATH

    def stop(self) -> None:
        self.fixture.stop()


class StdioTarget:
    """The server over raw pipes; `send` one input and check every invariant on what follows."""

    def __init__(self, upstream: Upstream, figures: Figures, manifest: Path) -> None:
        self.upstream = upstream
        self.figures = figures
        env = {
            "HOURSMITH_API_TOKEN": TOKEN,
            "HOURSMITH_API_URL": upstream.base_url,
            "HOURSMITH_LOG_LEVEL": "debug",
        }
        self.server = RawServer(env, "--manifest", str(manifest))
        self.server.start()
        self.next_id = 1000
        self.seen_lines = 0
        self.seen_stderr = 0

    def fresh_id(self) -> int:
        self.next_id += 2
        return self.next_id

    def send(self, kind: str, line: bytes, given: Any = None) -> None:
        self.figures.tried(kind)
        expected = _expected_id(line)
        started = time.monotonic()
        self.server.send_line(line.replace(b"\n", b" "))
        if expected is not None:
            try:
                self.server.wait_for(expected, timeout=DEADLINE + DEADLINE_SLACK)
            except AssertionError:
                self.figures.violated(kind, f"request {expected!r} not answered in time", given or line)
            self.figures.longest_call = max(self.figures.longest_call, time.monotonic() - started)
        ping = self.fresh_id()
        try:
            self.server.send_line(json.dumps({"jsonrpc": "2.0", "id": ping, "method": "ping"}))
            self.server.wait_for(ping, timeout=DEADLINE + DEADLINE_SLACK)
        except AssertionError:
            self.figures.violated(kind, "the server stopped answering pings", given or line)
            raise
        self._check_output(kind, given or line, expected)

    def _check_output(self, kind: str, given: Any, expected: Any) -> None:
        lines = self.server.stdout_lines[self.seen_lines :]
        self.seen_lines += len(lines)
        answered: dict[str, int] = {}
        for text in lines:
            try:
                message = strict_json(text)
            except ValueError as exc:
                self.figures.violated(kind, f"stdout is not strict JSON ({exc}): {text[:200]}", given)
                continue
            if not (isinstance(message, dict) and message.get("jsonrpc") == "2.0"):
                self.figures.violated(kind, f"stdout is not JSON-RPC: {text[:200]}", given)
            elif "method" not in message:
                if ("result" in message) == ("error" in message):
                    self.figures.violated(
                        kind, f"an answer with both or neither result and error: {text[:200]}", given
                    )
                key = json.dumps(message.get("id"))
                answered[key] = answered.get(key, 0) + 1
            if leaks(text, TOKEN):
                self.figures.token_occurrences += 1
                self.figures.violated(kind, f"a form of the token on stdout: {text[:200]}", given)
        if expected is not None and answered.get(json.dumps(expected), 0) > 1:
            self.figures.violated(
                kind, f"request {expected!r} answered {answered[json.dumps(expected)]} times", given
            )
        stderr = self.server.stderr_text()
        fresh, self.seen_stderr = stderr[self.seen_stderr :], len(stderr)
        if "Traceback" in fresh:
            self.figures.violated(
                kind, f"a traceback on stderr: {fresh[fresh.index('Traceback') :][:400]}", given
            )
        if leaks(fresh, TOKEN):
            self.figures.token_occurrences += 1
            self.figures.violated(kind, "a form of the token on stderr", given)

    def check_memory(self, kind: str) -> None:
        peak = self.server.peak_rss_kib()
        self.figures.peak_rss_kib = max(self.figures.peak_rss_kib, peak)
        if peak > RSS_BOUND_MIB * 1024:
            self.figures.violated(
                kind, f"peak RSS {peak // 1024} MiB over the {RSS_BOUND_MIB} MiB bound", None
            )

    def stop(self) -> None:
        self.check_memory("process")
        stderr = self.server.finish()
        if "Traceback" in stderr[self.seen_stderr :]:
            self.figures.violated("process", "a traceback on stderr at exit", stderr[-400:])


def _expected_id(line: bytes) -> Any:
    """The id a line must be answered with: a JSON-RPC request with a usable id, read independently of
    the server (Python's JSON, the spec's rules). None: no answer by id is owed."""
    try:
        message = json.loads(line.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    if not (isinstance(message, dict) and "method" in message and "id" in message):
        return None
    request_id = message["id"]
    if type(request_id) is int and len(str(abs(request_id))) <= 400:
        return request_id
    if type(request_id) is str:
        return re.sub(r"[\ud800-\udfff]", "\ufffd", request_id)  # the answer's id is made encodable
    return None


class HttpTarget:
    """The server over Streamable HTTP: hostile bodies and headers on one session."""

    HEADERS: ClassVar[dict[str, str]] = {
        "Accept": "application/json, text/event-stream",
        "Content-Type": "application/json",
    }

    def __init__(self, upstream: Upstream, figures: Figures, manifest: Path) -> None:
        self.figures = figures
        command = [sys.executable, "-m", "hoursmith_mcp", "serve", "--transport", "http", "--port", "0",
                   "--manifest", str(manifest), "--log-level", "debug"]  # fmt: skip
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOURSMITH_API_TOKEN": TOKEN,
            "HOURSMITH_API_URL": upstream.base_url,
        }
        self.process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.stderr: list[str] = []
        found = threading.Event()
        self.url = ""

        def read() -> None:
            assert self.process.stderr is not None
            for line in self.process.stderr:
                self.stderr.append(line)
                match = re.search(r"(http://\S+/mcp)", line)
                if match and not found.is_set():
                    self.url = match.group(1)
                    found.set()

        threading.Thread(target=read, daemon=True).start()
        if not found.wait(60):
            raise RuntimeError("the HTTP server did not start: " + "".join(self.stderr))
        self.client = httpx.Client(timeout=DEADLINE + DEADLINE_SLACK)
        self.session = self._initialize()

    def _initialize(self) -> str:
        init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": INITIALIZE}
        response = self.client.post(self.url, json=init, headers=self.HEADERS)
        return response.headers["mcp-session-id"]

    def send(self, kind: str, body: bytes, given: Any = None, headers: dict[str, str] | None = None) -> None:
        self.figures.tried(kind)
        expected = _expected_id(body)
        sent = {
            **self.HEADERS,
            "Mcp-Session-Id": self.session,
            "Mcp-Protocol-Version": "2025-11-25",
            **(headers or {}),
        }
        started = time.monotonic()
        try:
            response = self.client.post(self.url, content=body, headers=sent)
        except httpx.HTTPError as exc:
            self.figures.violated(kind, f"no HTTP answer ({type(exc).__name__})", given or body)
            return
        self.figures.longest_call = max(self.figures.longest_call, time.monotonic() - started)
        if response.status_code == 404:  # the session ended (evicted, idle): a client starts again
            self.session = self._initialize()
        answers = self._answers(kind, response, given or body)
        # Headers the transport refuses (a foreign Host, a wrong Content-Type) end a request at the HTTP
        # level, before any JSON-RPC: then no answer by id is owed.
        if expected is not None and headers is None and response.status_code in (200, 400):
            count = sum(1 for answer in answers if answer.get("id") == expected and "method" not in answer)
            if count != 1:
                self.figures.violated(
                    kind, f"request {expected!r} answered {count} times over HTTP", given or body
                )
        if leaks(response.text, TOKEN):
            self.figures.token_occurrences += 1
            self.figures.violated(kind, "a form of the token in an HTTP answer", given or body)
        ping = self.client.post(
            self.url,
            json={"jsonrpc": "2.0", "id": 7, "method": "ping"},
            headers={**self.HEADERS, "Mcp-Session-Id": self.session, "Mcp-Protocol-Version": "2025-11-25"},
        )
        if ping.status_code not in (200, 404):
            self.figures.violated(kind, f"ping answered {ping.status_code} after the input", given or body)

    def _answers(self, kind: str, response: httpx.Response, given: Any) -> list[dict[str, Any]]:
        kind_of = response.headers.get("content-type", "")
        texts = (
            [line[5:].strip() for line in response.text.splitlines() if line.startswith("data:")]
            if kind_of.startswith("text/event-stream")
            else [response.text]
            if kind_of.startswith("application/json") and response.text
            else []
        )
        found: list[dict[str, Any]] = []
        for text in texts:
            if not text:
                continue
            try:
                value = strict_json(text)
            except ValueError as exc:
                self.figures.violated(kind, f"an HTTP answer that is not strict JSON ({exc})", given)
                continue
            found += [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, dict)]
        return found

    def stop(self) -> None:
        self.client.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        text = "".join(self.stderr)
        if "Traceback" in text:
            self.figures.violated(
                "http", "a traceback on the HTTP server's stderr", text[text.index("Traceback") :][:400]
            )
        if leaks(text, TOKEN):
            self.figures.token_occurrences += 1
            self.figures.violated("http", "a form of the token on the HTTP server's stderr", None)


def check_manifest(figures: Figures, text: bytes, given: Any = None) -> CheckedManifest | None:
    """`validate`'s checks on one manifest text, in this process: problems with a place, no exception."""
    figures.tried("manifests")
    started = time.monotonic()
    try:
        checked = check_manifest_text(text.decode("utf-8", "replace"), "fuzz.yaml")
    except Exception as exc:
        figures.violated(
            "manifests", f"checking raised {type(exc).__name__}: {exc}"[:300], given or text[:300]
        )
        return None
    took = time.monotonic() - started
    figures.longest_manifest_check = max(figures.longest_manifest_check, took)
    if took > MANIFEST_SECONDS:
        figures.violated("manifests", f"checking took {took:.1f} s", given or text[:300])
    for problem in checked.problems:
        if problem.line < 1 or problem.column < 1 or problem.file != "fuzz.yaml":
            figures.violated("manifests", f"a problem without a place: {problem}", given or text[:300])
    return checked


def validate_command(figures: Figures, text: bytes) -> None:
    """The `validate` command on one manifest file: exit 0/1/2, and no traceback."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "fuzz.yaml"
        path.write_bytes(text)
        run = subprocess.run(
            [sys.executable, "-m", "hoursmith_mcp", "validate", str(path)],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    if run.returncode not in (0, 1, 2) or "Traceback" in run.stdout + run.stderr:
        figures.violated(
            "manifests", f"validate exited {run.returncode}: {(run.stdout + run.stderr)[-300:]}", text[:300]
        )
