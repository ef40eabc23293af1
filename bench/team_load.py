"""One endpoint for a team, proven: replicas behind nginx, every seeded user at once, a replica killed.

`Fleet` starts the sandbox (its own process), N replicas of `serve --transport http --per-user-tokens`
(debug logging, each log to a file) and nginx with the repository's own deploy/nginx.conf (ports and
TLS swapped for loopback ones). `run_load` then runs many concurrent client sessions, one seeded token
each (every role, two workspaces, the free plan, both revoked tokens), interleaving reads and writes;
at `kill_at` of the calls it SIGKILLs one replica, at `drain_at` it SIGTERMs another. Every answer is
checked against what that token alone may see, every write retried by its client after a failure
carries the client's idempotency key, and afterwards every log is searched for every token.

Used by tests/e2e/test_team_proxy.py (short) and bench/scenarios/team.py (full, BENCHMARKS.md).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from hoursmith_mcp.sandbox.seed import SEEDED_TOKENS, SeededToken

ROOT = Path(__file__).resolve().parent.parent
NGINX_SITE = ROOT / "deploy" / "nginx.conf"
START_SECONDS = 60
PROTOCOL = "2025-11-25"
RETRYABLE_STATUS = (502, 503, 504)
MAX_ATTEMPTS = 6


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Replica:
    process: subprocess.Popen[bytes]
    log: Path
    port: int = 0


class Fleet:
    """The sandbox, `replicas` servers and nginx, all on loopback; everything stopped on exit."""

    def __init__(self, workdir: Path, replicas: int) -> None:
        self.workdir = workdir
        self.count = replicas
        self.replicas: list[Replica] = []
        self.processes: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []
        self.api_url = ""
        self.url = ""

    def __enter__(self) -> Fleet:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _spawn(
        self, argv: list[str], log_name: str, env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        log = self.workdir / log_name
        self.logs.append(log)
        with log.open("wb") as out:
            process = subprocess.Popen(
                argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.PIPE, env=env
            )
        self.processes.append(process)
        return process

    def _start(self) -> None:
        sandbox = self._spawn([sys.executable, str(ROOT / "bench" / "sandbox_proc.py")], "sandbox.log")
        self.api_url = _wait_for(self.workdir / "sandbox.log", r"^(http://\S+)$", sandbox)
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOURSMITH_API_URL": self.api_url,
            "HOURSMITH_LOG_LEVEL": "debug",
        }
        for index in range(self.count):
            argv = [sys.executable, "-m", "hoursmith_mcp", "serve", "--transport=http", "--per-user-tokens"]
            argv += ["--port=0", "--allowed-host=127.0.0.1", "--drain-seconds=10"]
            process = self._spawn(argv, f"replica-{index}.log", env)
            self.replicas.append(Replica(process, self.workdir / f"replica-{index}.log"))
        for replica in self.replicas:
            url = _wait_for(replica.log, r"MCP endpoint at (http://\S+/mcp)", replica.process)
            replica.port = int(url.rsplit(":", 1)[1].split("/")[0])
        self.url = self._start_nginx()

    def _start_nginx(self) -> str:
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError("nginx is not installed (Debian: apt-get install -y nginx)")
        port = free_port()
        conf = self.workdir / "nginx.conf"
        conf.write_text(nginx_config(self.workdir, port, [r.port for r in self.replicas]), encoding="utf-8")
        for name in ("access.log", "error.log"):
            self.logs.append(self.workdir / name)
        self._spawn([binary, "-p", str(self.workdir), "-c", str(conf)], "nginx.stderr.log")
        url = f"http://127.0.0.1:{port}"
        for _ in range(START_SECONDS * 10):
            try:
                if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                    return url + "/mcp"
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("nginx did not start:\n" + (self.workdir / "nginx.stderr.log").read_text())

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def log_text(self) -> str:
        return "".join(p.read_text(encoding="utf-8", errors="replace") for p in self.logs if p.exists())


def nginx_config(
    workdir: Path, port: int, replica_ports: list[int], tls: tuple[Path, Path] | None = None
) -> str:
    """The repository's deploy/nginx.conf inside a minimal main config, on loopback with our ports;
    without `tls` (certificate, key) plain HTTP, with it the file's own TLS lines with those paths."""
    site: list[str] = []
    servers_done = False
    for line in NGINX_SITE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("server 127.0.0.1:"):
            if not servers_done:
                site += [f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in replica_ports]
                servers_done = True
            continue
        if stripped.startswith("listen 443 ssl http2;"):
            line = f"    listen 127.0.0.1:{port}{' ssl http2' if tls else ''};"
        elif stripped.startswith("ssl_"):
            if tls is None:
                continue
            line = line.replace("/etc/ssl/certs/mcp.example.com.pem", str(tls[0]))
            line = line.replace("/etc/ssl/private/mcp.example.com.key", str(tls[1]))
        line = line.replace("/var/log/nginx/hoursmith-mcp.access.log", str(workdir / "access.log"))
        site.append(line)
    user = "user root;\n" if os.geteuid() == 0 else ""
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temp = "\n".join(f"    {kind}_temp_path {workdir / kind};" for kind in kinds)
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {workdir / 'nginx.pid'};\n"
        f"error_log {workdir / 'error.log'} info;\nevents {{ worker_connections 1024; }}\n"
        f"http {{\n{temp}\n" + "\n".join(site) + "\n}\n"
    )


def _wait_for(log: Path, pattern: str, process: subprocess.Popen[bytes]) -> str:
    found = re.compile(pattern, re.MULTILINE)
    for _ in range(START_SECONDS * 20):
        match = found.search(log.read_text(encoding="utf-8", errors="replace")) if log.exists() else None
        if match:
            return match.group(1)
        if process.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError(f"{log.name}: never matched {pattern!r}:\n{log.read_text(errors='replace')[-2000:]}")


# --- the load ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadPlan:
    calls: int  # tool calls in all, across sessions
    sessions: int  # concurrent client sessions; each uses one seeded token (every token at least once)
    kill_at: float = 0.4  # SIGKILL replica 0 when this fraction of the calls is done
    drain_at: float | None = 0.7  # SIGTERM replica 1 then (needs 3 replicas to keep two serving)
    time_limit: float = 600  # seconds; the run stops by itself after this, whatever is left


@dataclass
class LoadReport:
    calls: int = 0  # tool calls finished (answered, or given up after MAX_ATTEMPTS)
    answered: int = 0
    gave_up: int = 0
    attempt_errors: Counter[str] = field(default_factory=Counter)  # failed attempts, by cause
    retried_calls: int = 0
    latencies: list[float] = field(default_factory=list)  # seconds, answered calls, retries included
    cross_user: list[str] = field(default_factory=list)  # answers showing what the token may not see
    wrong: list[str] = field(default_factory=list)  # answers other than the one this token must get
    writes: int = 0
    retried_writes: int = 0
    created: list[str] = field(default_factory=list)  # names of the clients answered as created
    duplicates: list[str] = field(default_factory=list)
    lost_writes: list[str] = field(default_factory=list)  # answered as created, yet not in the API
    token_hits: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0
    events: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Truth:
    """What one token may see, read from the API directly before the load."""

    seeded: SeededToken
    me: dict[str, Any] | None  # the API's /me, or None when the token gets no data (free plan, revoked)
    workspace_clients: frozenset[str]
    member_user: str | None  # a Member's own user id (they see only their own time)


def ground_truth(api_url: str) -> dict[str, Truth]:
    """Per token: its identity, its workspace's clients, a Member's user id."""

    def get(token: str, path: str, **params: Any) -> Any:
        return httpx.get(
            api_url + path, params=params, headers={"Authorization": f"Bearer {token}"}, timeout=20
        )

    owners = {s.workspace: s.token for s in SEEDED_TOKENS if s.role == "OWNER" and not s.revoked}
    clients: dict[str, frozenset[str]] = {}
    for workspace, token in owners.items():
        answer = get(token, "/clients", limit=100)
        clients[workspace] = (
            frozenset(c["id"] for c in answer.json().get("data", [])) if answer.is_success else frozenset()
        )
    truths: dict[str, Truth] = {}
    for seeded in SEEDED_TOKENS:
        me = get(seeded.token, "/me")
        member_user = None
        if me.is_success and seeded.role == "MEMBER":
            entries = get(seeded.token, "/time-entries", limit=100).json()["data"]
            users = {e["userId"] for e in entries}
            assert len(users) <= 1, f"a Member sees other people's time: {users}"
            member_user = next(iter(users), None)
        body = me.json()["data"] if me.is_success else None
        truths[seeded.token] = Truth(seeded, body, clients.get(seeded.workspace, frozenset()), member_user)
    return truths


class Session:
    """One client session through the proxy: initialize, then tool calls, retrying lost ones."""

    def __init__(
        self, http: httpx.AsyncClient, url: str, truth: Truth, run_id: str, report: LoadReport
    ) -> None:
        self.http = http
        self.url = url
        self.truth = truth
        self.run_id = run_id
        self.report = report
        self.headers = {
            "Authorization": f"Bearer {truth.seeded.token}",
            "Accept": "application/json, text/event-stream",
            "Content-Type": "application/json",
        }
        self.ids = (f"{i}" for i in range(1, 10**9))

    async def rpc(self, method: str, params: dict[str, Any]) -> tuple[dict[str, Any] | None, int]:
        """The JSON-RPC answer (None after MAX_ATTEMPTS lost ones) and how many attempts failed."""
        body = json.dumps({"jsonrpc": "2.0", "id": next(self.ids), "method": method, "params": params})
        for attempt in range(1, MAX_ATTEMPTS + 1):
            cause = None
            try:
                response = await self.http.post(self.url, content=body, headers=self.headers)
                if response.status_code == 200:
                    return _json_rpc_answer(response), attempt - 1
                cause = f"HTTP {response.status_code}"
                if response.status_code not in RETRYABLE_STATUS:
                    self.report.attempt_errors[cause] += 1
                    self.report.wrong.append(f"{method}: {cause}: {response.text[:200]}")
                    return None, attempt  # not a lost answer: an answer, and a wrong one
            except (httpx.TransportError, ValueError) as exc:
                cause = type(exc).__name__
            self.report.attempt_errors[cause] += 1
            await asyncio.sleep(min(2.0, 0.05 * 2**attempt))
        return None, MAX_ATTEMPTS

    async def start(self) -> None:
        await self.rpc(
            "initialize",
            {
                "protocolVersion": PROTOCOL,
                "capabilities": {},
                "clientInfo": {"name": "team-load", "version": "1"},
            },
        )
        self.headers["MCP-Protocol-Version"] = PROTOCOL

    async def call(self, number: int) -> None:
        tool, arguments, meta = self._choose(number)
        began = time.perf_counter()
        params: dict[str, Any] = {"name": tool, "arguments": arguments}
        if meta:
            params["_meta"] = meta
        answer, failed = await self.rpc("tools/call", params)
        retried = failed > 0
        self.report.calls += 1
        self.report.retried_calls += retried
        if tool == "create_client":
            self.report.writes += 1
            self.report.retried_writes += retried
        if answer is None:
            self.report.gave_up += 1
            return
        self.report.answered += 1
        self.report.latencies.append(time.perf_counter() - began)
        if self._check(tool, answer) and tool == "create_client":
            self.report.created.append(arguments["name"])

    def _choose(self, number: int) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
        kind = number % 4
        if kind == 0:
            return "get_me", {}, None
        if kind == 1:
            return "list_clients", {"limit": 50}, None
        if kind == 2:
            return "list_time_entries", {"limit": 50}, None
        name = f"{self.run_id} {self.truth.seeded.workspace} {uuid.uuid4().hex[:12]}"
        # The client's own key: its retry of this call (through any replica) replays, never repeats.
        return "create_client", {"name": name, "currency": "EUR"}, {"idempotencyKey": str(uuid.uuid4())}

    def _check(self, tool: str, answer: dict[str, Any]) -> bool:
        """Records what is wrong with `answer`; True when it is the success this token must get."""
        seeded, truth = self.truth.seeded, self.truth
        who = f"{seeded.workspace} {seeded.role} {seeded.name}{' (revoked)' if seeded.revoked else ''}"
        result = answer.get("result")
        if not isinstance(result, dict):
            self.report.wrong.append(f"{who} {tool}: {str(answer)[:200]}")
            return False
        data = result.get("structuredContent")
        if data is None:  # an error with an output schema: its JSON is the second text block
            blocks = result.get("content", [])
            data = json.loads(blocks[1]["text"]) if len(blocks) > 1 else {}
        if seeded.revoked:
            expected = "unauthenticated"
        elif seeded.workspace == "free":
            expected = "forbidden_plan"
        elif seeded.role == "MEMBER" and tool in ("list_clients", "create_client"):
            expected = "forbidden_scope"
        else:
            expected = None
        if expected is not None or result.get("isError"):
            code = (data.get("error") or {}).get("code") if isinstance(data, dict) else None
            if not result.get("isError") or code != expected:
                self.report.wrong.append(
                    f"{who} {tool}: expected {expected or 'success'}, got {code or data}"
                )
            if not result.get("isError") and expected is not None:
                self.report.cross_user.append(f"{who} {tool}: got data: {str(data)[:200]}")
            return False
        if tool == "get_me":
            me = truth.me or {}
            mine = (me.get("orgId"), me.get("role"), me.get("tokenName"))
            if (data["org_id"], data["role"], data["token_name"]) != mine:
                self.report.cross_user.append(
                    f"{who} get_me answered as {data['org_name']} {data['token_name']}"
                )
        elif tool == "list_clients":
            for item in data["items"]:
                theirs = item["name"].startswith(self.run_id) and f" {seeded.workspace} " not in item["name"]
                foreign = (
                    not item["name"].startswith(self.run_id) and item["id"] not in truth.workspace_clients
                )
                if theirs or foreign:
                    self.report.cross_user.append(f"{who} list_clients showed {item['name']}")
        elif tool == "list_time_entries":
            visible = set((truth.me or {}).get("projectIds", []))
            for item in data["items"]:
                if item["project_id"] not in visible or (
                    truth.member_user is not None and item["user_id"] != truth.member_user
                ):
                    self.report.cross_user.append(f"{who} list_time_entries showed {item['id']}")
        return True


def _json_rpc_answer(response: httpx.Response) -> dict[str, Any]:
    if response.headers.get("content-type", "").startswith("application/json"):
        return dict(response.json())
    data = [line[5:].strip() for line in response.text.splitlines() if line.startswith("data:")]
    if not data:
        raise ValueError("an SSE answer without data")
    return dict(json.loads(data[-1]))


async def run_load(fleet: Fleet, plan: LoadPlan) -> LoadReport:
    report = LoadReport()
    truths = ground_truth(fleet.api_url)
    tokens = [truths[s.token] for s in SEEDED_TOKENS]
    run_id = f"load-{uuid.uuid4().hex[:8]}"
    remaining = plan.calls
    numbers = iter(range(10**9))
    began = time.perf_counter()
    limits = httpx.Limits(max_connections=plan.sessions, max_keepalive_connections=plan.sessions)

    async def session(index: int, http: httpx.AsyncClient) -> None:
        nonlocal remaining
        client = Session(http, fleet.url, tokens[index % len(tokens)], run_id, report)
        await client.start()
        while remaining > 0:
            remaining -= 1
            await client.call(next(numbers))

    async def chaos() -> None:
        killed = drained = False
        while remaining > 0:
            done = (plan.calls - remaining) / plan.calls
            if not killed and done >= plan.kill_at:
                fleet.replicas[0].process.send_signal(signal.SIGKILL)
                report.events.append(f"SIGKILL replica 0 after {plan.calls - remaining} calls")
                killed = True
            if (
                plan.drain_at is not None
                and not drained
                and done >= plan.drain_at
                and len(fleet.replicas) > 2
            ):
                fleet.replicas[1].process.send_signal(signal.SIGTERM)
                report.events.append(f"SIGTERM replica 1 after {plan.calls - remaining} calls")
                drained = True
            await asyncio.sleep(0.02)

    async with httpx.AsyncClient(timeout=httpx.Timeout(90), limits=limits) as http:
        tasks = [asyncio.create_task(session(i, http)) for i in range(plan.sessions)]
        monitor = asyncio.create_task(chaos())
        try:
            await asyncio.wait_for(asyncio.gather(*tasks), plan.time_limit)
        except TimeoutError:
            report.events.append(f"stopped at the time limit ({plan.time_limit:g} s)")
            for task in tasks:
                task.cancel()
        finally:
            remaining = 0
            await monitor
    report.elapsed = time.perf_counter() - began
    check_writes(fleet.api_url, run_id, report)
    return report


def check_writes(api_url: str, run_id: str, report: LoadReport) -> None:
    """Every client created by the run exists once at most: a retried create replayed, not repeated."""
    owners = {s.workspace: s.token for s in SEEDED_TOKENS if s.role == "OWNER" and not s.revoked}
    for workspace in ("studio", "agency"):
        names: Counter[str] = Counter()
        cursor = None
        for _ in range(1000):  # bounded paging
            params: dict[str, Any] = {"search": run_id, "limit": 100}
            if cursor:
                params["cursor"] = cursor
            answer = httpx.get(
                api_url + "/clients",
                params=params,
                headers={"Authorization": f"Bearer {owners[workspace]}"},
                timeout=30,
            ).json()
            names.update(c["name"] for c in answer["data"])
            cursor = answer["pagination"]["nextCursor"]
            if not cursor:
                break
        report.duplicates += [f"{name} x{count}" for name, count in names.items() if count > 1]
        report.lost_writes += [n for n in report.created if f" {workspace} " in n and names[n] == 0]


def count_tokens(text: str) -> dict[str, int]:
    """Occurrences of every seeded token, whole or its secret part alone."""
    hits: dict[str, int] = {}
    for seeded in SEEDED_TOKENS:
        secret = seeded.token.rsplit("_", 1)[1]
        count = text.count(secret)
        if count:
            hits[seeded.token[:16] + "…"] = count
    return hits
