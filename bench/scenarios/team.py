"""One endpoint for a team: three replicas behind nginx, every seeded user at once, one replica killed
(SIGKILL) and one drained (SIGTERM) mid-run. The harness and its checks are in bench/team_load.py."""

from __future__ import annotations

from bench.report import Row, Section, median, ms, percentile
from bench.settings import Settings
from bench.team_load import Fleet, LoadPlan, count_tokens, nginx_binary, run_load
from hoursmith_mcp.sandbox.seed import SEEDED_TOKENS

REPLICAS = 3


def zero(figure: str, found: list[str] | dict[str, int], target: str = "0") -> Row:
    count = len(found) if isinstance(found, list) else sum(found.values())
    return Row(figure, str(count), "", str(count), target, count == 0)


async def run(cfg: Settings) -> Section:
    section = Section(f"One endpoint for a team: {REPLICAS} replicas behind nginx, per-user tokens")
    if nginx_binary() is None:
        section.notes.append("Not run: nginx is not installed (Debian: `apt-get install -y nginx`).")
        return section
    plan = LoadPlan(calls=cfg.team_calls, sessions=cfg.team_sessions)
    workdir = cfg.workdir / "team"
    workdir.mkdir()
    with Fleet(workdir, REPLICAS) as fleet:
        report = await run_load(fleet, plan)
    logs = fleet.log_text()
    causes = "; ".join(f"{cause}: {count}" for cause, count in report.attempt_errors.most_common()) or "none"
    rate = report.answered / report.elapsed if report.elapsed else 0.0
    latency = f"{ms(median(report.latencies))} / {ms(percentile(report.latencies, 0.99))}"
    retried = f"{report.retried_calls} ({report.retried_writes})"
    gave_up = str(report.gave_up)
    section.rows += [
        Row("tool calls (answered / made)", f"{report.answered} / {report.calls}", "", "context"),
        Row("client sessions, seeded tokens", f"{plan.sessions}, {len(SEEDED_TOKENS)}", "", "context"),
        Row("failed attempts, by cause (each retried)", causes, "", "context"),
        Row("calls retried by their client (of them writes)", retried, "", "context"),
        Row("calls given up after 6 attempts", gave_up, "", gave_up, "0", report.gave_up == 0),
        Row("latency p50 / p99 (client, through nginx)", latency, "", "context"),
        Row("throughput", f"{rate:.0f} calls/s", "", "context"),
        zero("cross-user answers", report.cross_user),
        zero("answers other than the API's for that token", report.wrong),
        zero("duplicate records from retried writes", report.duplicates),
        zero("writes answered as done but missing", report.lost_writes),
        zero("token occurrences in any log", count_tokens(logs)),
    ]
    section.notes += [
        f"{plan.calls} tool calls from {plan.sessions} concurrent client sessions (raw JSON-RPC over HTTP, "
        "the 2025-11-25 protocol), each session acting with one seeded token: every role of two workspaces, "
        "the free plan and both revoked tokens. Calls rotate get_me, list_clients, list_time_entries and "
        "create_client. Replicas: `serve --transport http --per-user-tokens` at debug log level; nginx runs "
        "the repository's deploy/nginx.conf (loopback ports, no TLS); the sandbox runs in its own process.",
        "Events: " + "; ".join(report.events) + f". Run time {report.elapsed:.0f} s.",
        "A client retries a call whose answer was lost (a connection error, or 502/503/504 from nginx or "
        "from a replica at its call limit) up to 6 attempts with backoff; a create carries the client's own "
        "`_meta.idempotencyKey`, so its retry through another replica replays instead of repeating. Every "
        "answer is checked against what that token alone may see (its own identity from get_me; only its "
        "workspace's clients; only time on its projects, and a Member's only their own), and the expected "
        "refusal for the free plan (402), revoked tokens (401) and a Member's client calls (403). Logs "
        "searched: every replica's stderr, nginx's access and error logs, the sandbox's output; for each "
        f"seeded token its secret part. Created clients found in the API: {len(report.created)} answered as "
        "created, each exactly once.",
    ]
    return section
