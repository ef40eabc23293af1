"""Hot reload (`--watch`): poll the manifest file; when it changes, validate it and swap it in.

Polling (no watcher dependency) at a bounded interval: a stat and a hash of a small file twice a second
cost nothing. An invalid edit keeps the tools being served and logs every problem at FILE:LINE:COL. A
swap replaces the catalog atomically; a call in flight keeps the catalog it started with.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import anyio

from ..calls.tool_call import ToolRunner
from ..manifest.loader import ManifestUnreadable, check_manifest
from .runtime import Engine, filtered_catalog

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
SETTLE_SECONDS = 0.1  # an editor may write a file in several steps: wait until it stops changing

Fingerprint = tuple[int, int, str] | None


def fingerprint(path: Path) -> Fingerprint:
    try:
        stat = path.stat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None  # missing for a moment (an editor replacing the file): wait for it to come back
    return (stat.st_mtime_ns, stat.st_size, digest)


async def watch_manifest(path: Path, engine: Engine, poll_seconds: float = POLL_SECONDS) -> None:
    """Runs until cancelled (by the end of serving)."""
    seen = fingerprint(path)
    log.info("watching %s for changes (every %.1f s)", path, poll_seconds)
    while True:
        await anyio.sleep(poll_seconds)
        current = fingerprint(path)
        if current is None or current == seen:
            continue
        await anyio.sleep(SETTLE_SECONDS)
        if fingerprint(path) != current:
            continue  # still being written: look again at the next poll
        seen = current
        await reload_manifest(path, engine)


async def reload_manifest(path: Path, engine: Engine) -> bool:
    """Validate `path` and, when valid, serve it; returns whether the tools were swapped."""
    old = engine.state.catalog
    try:
        checked = check_manifest(path)
    except ManifestUnreadable as exc:
        log.error("reload refused: %s; still serving the previous %d tools", exc, len(old.tools))
        return False
    except Exception:  # a checker bug must not end the server: keep serving what works
        log.exception(
            "reload refused: checking %s failed; still serving the previous %d tools", path, len(old.tools)
        )
        return False
    for problem in checked.problems:
        (log.error if problem.severity == "error" else log.warning)("%s", problem)
    manifest = checked.manifest
    if manifest is None:
        count = len(checked.errors)
        log.error(
            "reload refused: %s has %d error%s (above); still serving the previous %d tools",
            path,
            count,
            "" if count == 1 else "s",
            len(old.tools),
        )
        return False
    if manifest.api != old.manifest.api or manifest.clock != old.manifest.clock:
        log.warning(
            "reload: the api or clock block of %s changed; the upstream connection (base URL, token, "
            "timeouts, retries) and the time zone stay as resolved at start: restart to apply them",
            path,
        )
    for kind, declared, served in (
        ("prompts", manifest.prompts, engine.state.serves_prompts),
        ("resources", manifest.resources, engine.state.serves_resources),
    ):
        if declared and not served:
            log.warning(
                "reload: %s now declares %s, but the server started without any, so clients were not "
                "offered them: restart the server to serve them",
                path,
                kind,
            )
    previous = old.runner
    # The same upstream (HTTP client, token, base URL); only the tool definitions change.
    runner = ToolRunner(manifest, previous.upstream, previous.base_url, previous.redactor, previous.clock)
    catalog = filtered_catalog(manifest, runner, engine.filters)
    notified = await engine.state.swap(catalog)
    added = sorted(set(catalog.tools) - set(old.tools))
    removed = sorted(set(old.tools) - set(catalog.tools))
    log.info(
        "reloaded %s: serving %d tools (added: %s; removed: %s); tools/list_changed sent to %d client%s",
        path,
        len(catalog.tools),
        ", ".join(added) or "none",
        ", ".join(removed) or "none",
        notified,
        "" if notified == 1 else "s",
    )
    return True
