"""`doctor`: the troubleshooting list, checked: one line per check, ✓ or ✗ with the fix.

In the documented order: the manifest, the token's presence and shape, the base URL (https, reachable,
answering like the API), who the token acts as (the manifest's identity tool: plan, role, scopes), the
runtime, the client's config file (with --client), the time zone and the clock. A check that later ones
depend on stops the list when it fails. The token is never printed, not even in part. Exit 0 only when
every check passed.

With --client, the values are the ones that client will launch the server with (its config entry's
environment and arguments), not this shell's: the shell rarely holds the token the client has.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, NoReturn, TextIO

import anyio
from jmespath.exceptions import JMESPathError

from ..calls import errors
from ..calls.arguments import ArgumentError, check_arguments
from ..calls.clock import resolve_clock
from ..calls.connection import Connection, StartupError, resolve_base_url, resolve_token
from ..calls.request import RequestBuildError, build_request
from ..calls.transport import Upstream, UpstreamFailure, UpstreamResponse
from ..manifest.model import LOCAL_ZONE, Manifest
from ..manifest.projection import ShapeError, search, shape_success
from . import jsonc
from .clients import ALIASES, CLIENTS, Client
from .manifest_choice import ManifestChoice
from .product import Product
from .startup import UpstreamChoice, load_checked, upstream_connection

MIN_PYTHON = (3, 11)
CLOCK_TOLERANCE_SECONDS = 120
IDENTITY_DEADLINE_SECONDS = 20.0


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str  # what was found, or what is wrong
    fix: str = ""  # what to do about it (failures only)

    def line(self) -> str:
        mark = "✓" if self.ok else "✗"
        return f"{mark} {self.name}: {self.detail}" + (f" — {self.fix}" if self.fix and not self.ok else "")


@dataclass
class DoctorOptions:
    manifest: ManifestChoice
    upstream: UpstreamChoice = field(default_factory=UpstreamChoice)
    client: str | None = None
    client_file: Path | None = None
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))


class Stop(Exception):
    """A failed check that the remaining ones depend on."""


class Report:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.checks: list[Check] = []

    def add(self, check: Check) -> None:
        self.checks.append(check)
        self.out.write(check.line() + "\n")
        self.out.flush()

    def stop(self, name: str, detail: str, fix: str = "") -> NoReturn:
        """A failed check that the remaining ones depend on."""
        self.add(Check(name, False, detail, fix))
        raise Stop

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)


def run_doctor(product: Product, options: DoctorOptions, out: TextIO = sys.stdout) -> int:
    report = Report(out)
    found = Found(environ=dict(options.environ))
    with suppress(Stop):
        _setup_checks(product, options, report, found)
    # These depend on little above: the time zone on the manifest, the clock on the API's answer.
    report.add(_runtime())
    if found.manifest is not None:
        report.add(_time_zone(found.manifest, found.environ))
    if found.answer is not None:
        report.add(_clock(found.answer))
    failed = sum(1 for check in report.checks if not check.ok)
    if report.ok:
        out.write(f"\nAll {len(report.checks)} checks passed.\n")
    else:
        out.write(
            f"\n{failed} of {len(report.checks)} checks failed (the checks that depend on a failed one "
            "were not run); restart the MCP client after fixing its config.\n"
        )
    return 0 if report.ok else 1


@dataclass
class Found:
    """What the setup checks learnt, for the checks after them."""

    environ: dict[str, str]  # the server's environment: this shell's, or what the client passes
    manifest: Manifest | None = None
    answer: UpstreamResponse | None = None  # the identity tool's answer


def _setup_checks(product: Product, options: DoctorOptions, report: Report, found: Found) -> None:
    """The client's entry, the manifest, the token, the base URL and the identity, in that order:
    each needs the ones before it to have passed (Stop when one fails)."""
    environ = found.environ
    manifest_choice = options.manifest
    upstream = options.upstream
    if options.client is not None:
        entry_env, entry_args = _client_entry(product, options, report)
        environ.update(entry_env)  # what the client passes, over what it inherits
        named = _option(entry_args, "--manifest")
        if named:
            where = f"given with --manifest in the {options.client} entry"
            manifest_choice = ManifestChoice(Path(named), where, named=True)
        url = _option(entry_args, "--sandbox-url")
        if url or "--sandbox" in entry_args:
            upstream = replace(upstream, sandbox=True, sandbox_url=url or "")
    manifest = found.manifest = _check_manifest(product, manifest_choice, report)
    if upstream.sandbox and product.local_upstream is not None:
        local = product.local_upstream
        role, plan = upstream.sandbox_role or local.roles[0], upstream.sandbox_plan or local.plans[0]
        where = f" at {upstream.sandbox_url}" if upstream.sandbox_url else ""
        report.add(
            Check("token", True, f"the {local.description}'s seeded {role.upper()} token ({plan}){where}")
        )
        try:
            with upstream_connection(
                product, manifest, replace(upstream, sandbox_role=role, sandbox_plan=plan)
            ) as connection:
                found.answer = _check_identity(manifest, connection, report, found)
        except StartupError as exc:
            report.stop("base URL", str(exc))
    else:
        token = _check_token(manifest, environ, report, checking_client=options.client is not None)
        base_url = _check_base_url_setting(manifest, environ, report)
        found.answer = _check_identity(manifest, Connection(base_url, token), report, found)


def _option(args: list[str], name: str) -> str | None:
    """The value after `name` in a command line, if it is there."""
    return args[args.index(name) + 1] if name in args[:-1] else None


def _check_manifest(product: Product, choice: ManifestChoice, report: Report) -> Manifest:
    try:
        manifest = load_checked(product, choice.path)
    except StartupError as exc:
        report.stop("manifest", f"{choice.path} ({choice.origin}): {exc}")
    counts = f"{len(manifest.tools)} tools"
    report.add(Check("manifest", True, f"{manifest.file} ({choice.origin}): {counts}"))
    return manifest


def _check_token(
    manifest: Manifest, environ: Mapping[str, str], report: Report, *, checking_client: bool
) -> str:
    name = manifest.api.auth.token_env
    try:
        token = resolve_token(manifest.api, environ)
    except StartupError as exc:
        problem, _, fix = str(exc).partition(": ")
        if not checking_client:  # this shell is not the client: its environment is not the client's
            fix += "; to check what an MCP client passes, run doctor --client NAME"
        report.stop("token", problem, fix)
    shape = f"starts with {manifest.api.auth.token_prefix!r}, " if manifest.api.auth.token_prefix else ""
    report.add(Check("token", True, f"{name} is set ({shape}{len(token)} characters; value not shown)"))
    return token


def _check_base_url_setting(manifest: Manifest, environ: Mapping[str, str], report: Report) -> str:
    try:
        base_url = resolve_base_url(manifest.api, environ)
    except StartupError as exc:
        report.stop("base URL", str(exc), "fix the URL, then restart the client")
    return base_url


@dataclass
class IdentityAnswer:
    response: UpstreamResponse | None
    failure: UpstreamFailure | None


def _check_identity(
    manifest: Manifest, connection: Connection, report: Report, found: Found
) -> UpstreamResponse | None:
    """One call of the identity tool tells most: whether the base URL is the API, whether the token
    is accepted, the plan, the role; and its Date header tells the API's clock."""
    identity = manifest.api.identity
    tool = manifest.tool(identity.tool) if identity else None
    base = connection.base_url
    if identity is None or tool is None:
        report.add(Check("base URL", True, f"{base} (not called: the manifest declares no api.identity)"))
        return None
    try:
        request = build_request(tool, manifest.api, base, check_arguments(tool, {}))
    except (ArgumentError, RequestBuildError) as exc:  # validate refuses such an identity tool
        report.add(Check("identity", False, f"{tool.name} cannot be called without arguments: {exc}"))
        return None
    answer = anyio.run(_ask, manifest, connection, request)
    found.answer = answer.response  # the clock can be read from any answer, even a refusal
    if answer.failure is not None:
        report.stop("base URL", f"{base} did not answer ({answer.failure.message})", _NETWORK_FIX)
    response = answer.response
    assert response is not None
    _check_answer_is_the_apis(manifest, base, response, report)
    if not response.ok:
        error = errors.upstream_error(manifest.api.errors, response).structured["error"]
        name = {401: "token", 402: "plan", 403: "role"}.get(response.status, "identity")
        refused = f"{tool.name} answered {error['status']} {error['code']}: {error['message']}"
        report.stop(name, refused, str(error.get("hint", "")))
    try:
        result = shape_success(tool, manifest.api.pagination, response.status, response.body, {})
    except (ShapeError, JMESPathError) as exc:
        report.add(Check("identity", False, f"{tool.name} answered in an unexpected shape: {exc}"))
        return response
    described = _describe_identity(result)
    role = search(identity.role, result)
    if not isinstance(role, str) or f"={role}" not in described:
        described += f" (role at {identity.role!r}: {role!r})"
    report.add(
        Check("identity", isinstance(role, str), described, "the manifest's api.identity.role finds no role")
    )
    return response


_NETWORK_FIX = "check the URL and the network (a proxy, a firewall, a VPN)"


def _check_answer_is_the_apis(
    manifest: Manifest, base: str, response: UpstreamResponse, report: Report
) -> None:
    """A JSON success, or an error in the API's envelope: anything else comes from something else."""
    fix = _base_url_fix(manifest)
    if not response.ok:
        stranger = errors.not_the_api(manifest.api, response, base)
        if stranger is not None:
            report.stop("base URL", stranger.structured["error"]["message"], fix)
        if not errors.is_api_answer(manifest.api.errors, response):
            first = errors.upstream_error(manifest.api.errors, response).text.splitlines()[0]
            report.stop("base URL", f"{base} answered {first!r}, which is not in the API's error format", fix)
    elif response.text:
        kind = response.headers.get("content-type", "no content type")
        report.stop(
            "base URL", f"{base} answered {response.status} with a body that is not JSON ({kind})", fix
        )
    report.add(Check("base URL", True, f"{base} answers like the API ({answer_ms(response)})"))


async def _ask(manifest: Manifest, connection: Connection, request: Any) -> IdentityAnswer:
    upstream = Upstream(manifest.api, connection, manifest.server.user_agent)
    try:
        with anyio.fail_after(IDENTITY_DEADLINE_SECONDS):
            return IdentityAnswer(await upstream.send(request), None)
    except UpstreamFailure as exc:
        return IdentityAnswer(None, exc)
    except TimeoutError:
        message = f"no answer within {IDENTITY_DEADLINE_SECONDS:g} s"
        return IdentityAnswer(None, UpstreamFailure("timeout", message, attempts=1, outcome_unknown=False))
    finally:
        await upstream.aclose()


def answer_ms(response: UpstreamResponse) -> str:
    attempts = f", after {response.attempts} attempts" if response.attempts > 1 else ""
    return f"HTTP {response.status}{attempts}"


def _base_url_fix(manifest: Manifest) -> str:
    fix = f"it must be the API's root, like {manifest.api.base_url}"
    if manifest.api.base_url_env:
        fix += f" (set {manifest.api.base_url_env})"
    return fix


def _describe_identity(result: dict[str, Any]) -> str:
    """The identity's fields in one line: scalars as they are, lists of ids as a count."""
    parts = []
    for key, value in result.items():
        if isinstance(value, list):
            shown = f"{len(value)}" if key.endswith("_ids") else ",".join(map(str, value)) or "none"
            parts.append(f"{key}={shown}")
        elif key.endswith("_id") or isinstance(value, dict):
            continue
        else:
            parts.append(f"{key}={value}")
    return ", ".join(parts)


def _clock(response: UpstreamResponse) -> Check:
    sent = response.headers.get("date")
    if not sent:
        return Check("clock", True, "the API sent no Date header to compare with (not checked)")
    try:
        theirs = parsedate_to_datetime(sent)
    except (TypeError, ValueError):
        return Check("clock", True, f"the API's Date header is unreadable ({sent!r}; not checked)")
    skew = (datetime.now(UTC) - theirs).total_seconds()
    if abs(skew) > CLOCK_TOLERANCE_SECONDS:
        direction = "ahead of" if skew > 0 else "behind"
        return Check(
            "clock",
            False,
            f"this machine's clock is {abs(skew) / 60:.0f} min {direction} the API's",
            "set the system clock (turn on network time); times like 'now' and timers would be off",
        )
    return Check("clock", True, f"within {CLOCK_TOLERANCE_SECONDS} s of the API's ({skew:+.0f} s)")


def _runtime() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    ok = sys.version_info[:2] >= MIN_PYTHON
    need = ".".join(map(str, MIN_PYTHON))
    return Check(
        "runtime", ok, f"Python {version} at {sys.executable}", f"Python {need} or newer is required"
    )


def _time_zone(manifest: Manifest, environ: Mapping[str, str]) -> Check:
    """The zone day words (today, this_week...) are read in, as serving resolves it."""
    settings = manifest.clock
    try:
        clock = resolve_clock(settings, environ)
    except StartupError as exc:
        return Check("time zone", False, str(exc), f"fix {settings.time_zone_env or 'clock.time_zone'}")
    named = environ.get(settings.time_zone_env or "", "").strip()
    if named:
        source = f"from {settings.time_zone_env}"
    elif settings.time_zone == LOCAL_ZONE:
        source = "this machine's"
        if settings.time_zone_env:
            source += f"; {settings.time_zone_env} sets another"
    else:
        source = "the manifest's clock.time_zone"
    calendar = clock.calendar()
    return Check(
        "time zone",
        True,
        f"{clock.zone.key} ({source}): today is {calendar.today.isoformat()}, weeks start on "
        f"{settings.week_start}",
    )


def _client_entry(
    product: Product, options: DoctorOptions, report: Report
) -> tuple[dict[str, str], list[str]]:
    """The client's config file and our entry in it: the environment and arguments it launches with."""
    assert options.client is not None
    client: Client = CLIENTS[ALIASES.get(options.client, options.client)]
    write = f"run `{product.command} config {client.name} --write`"
    path = options.client_file or client.config_file()
    if path is None:
        report.stop(
            "client config", f"{client.title} has no config file on this system", "name it with --file"
        )
    if not path.is_file():
        report.stop("client config", f"{path} does not exist", write)
    try:
        document = jsonc.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, jsonc.JsoncError) as exc:
        report.stop("client config", f"{path}: {exc}", f"fix it: {client.title} cannot read it either")
    servers = document.get(client.servers_key) if isinstance(document, dict) else None
    ours = [
        (name, entry)
        for name, entry in (servers.items() if isinstance(servers, dict) else [])
        if isinstance(entry, dict) and _launches(entry, product.command)
    ]
    if not ours:
        found = f"{path} has no entry under {client.servers_key!r} that launches {product.command}"
        report.stop("client config", found, write)
    name, entry = ours[0]
    command = str(entry.get("command", ""))
    if not (Path(command).is_file() if os.sep in command else shutil.which(command)):
        report.stop("client config", f"{path}: entry {name!r} runs {command!r}, which does not exist", write)
    report.add(Check("client config", True, f"{path}: entry {name!r} runs {command}"))
    env = entry.get("env")
    args = entry.get("args")
    return (
        {str(k): str(v) for k, v in env.items()} if isinstance(env, dict) else {},
        [str(arg) for arg in args] if isinstance(args, list) else [],
    )


def _launches(entry: dict[str, Any], command: str) -> bool:
    words = [str(entry.get("command", "")), *map(str, entry.get("args") or [])]
    return any(Path(word).name in (command, f"{command}.exe") for word in words)
