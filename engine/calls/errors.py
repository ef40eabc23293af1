"""Tool errors: an upstream error, a network failure or a bad argument, as an actionable isError result.

The API's answer is passed on faithfully: its status, code, message and per-field reasons reach the
model unchanged, except that each field is named as the argument the model sent (due_date, not the
API's dueDate); the engine only adds the manifest's hint for that kind of error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from ..manifest.model import Api, ErrorEnvelope
from ..manifest.projection import search
from .outcome import ToolOutcome, failure
from .transport import UpstreamFailure, UpstreamResponse


def upstream_error(
    envelope: ErrorEnvelope, response: UpstreamResponse, argument_names: Mapping[str, str] | None = None
) -> ToolOutcome:
    """`argument_names` maps the API's field names to the tool's argument names (unknown names stay)."""
    status = response.status
    body = response.body
    code = _string(_find(envelope.code, body)) or _status_code_name(status)
    message = _string(_find(envelope.message, body)) or _fallback_message(response)
    error: dict[str, Any] = {"status": status, "code": code, "message": message}
    more: list[str] = []
    fields = _find(envelope.fields, body) if envelope.fields else None
    if isinstance(fields, dict) and fields:
        names = argument_names or {}
        fields = {names.get(name, name): reason for name, reason in fields.items()}
        error["fields"] = fields
        more.append("fields: " + "; ".join(f"{name}: {reason}" for name, reason in fields.items()))
    details = _find(envelope.details, body) if envelope.details else None
    if isinstance(details, dict):
        details = {k: v for k, v in details.items() if v is not None}
        if details:
            error["details"] = details
            more.append("details: " + ", ".join(f"{k}={v}" for k, v in details.items()))
    retry_after = response.retry_after_seconds()
    if retry_after is not None and status in (429, 503):
        error["retry_after_seconds"] = retry_after
        more.append(f"retry after {retry_after:g} seconds")
    if response.attempts > 1:
        error["attempts"] = response.attempts
        more.append(f"gave up after {response.attempts} attempts")
    if response.outcome_unknown:
        error["outcome_unknown"] = True
        more.append("An earlier attempt was lost in transit and may have acted: check before calling again.")
    if 300 <= status < 400:
        location = response.headers.get("location", "")
        error["location"] = location
        more.append(f"the API redirected to {location or 'another URL'}; redirects are not followed")
    hint = envelope.hints.get(code) or envelope.hints.get(str(status))
    if hint:
        error["hint"] = hint
        more.insert(0, hint)
    return failure(f"{status} {code}: {message}", error, more)


# Statuses by which a server says "no such route here": the API says them in its own envelope.
_NO_ROUTE = frozenset({404, 405})


def is_api_answer(envelope: ErrorEnvelope, response: UpstreamResponse) -> bool:
    """Whether an error body is in the API's envelope (the manifest says where its code is)."""
    return _string(_find(envelope.code, response.body)) is not None


def not_the_api(api: Api, response: UpstreamResponse, base_url: str) -> ToolOutcome | None:
    """A 404 or 405 outside the API's error envelope came from no route of the API: something else
    answers at the base URL (often a website, when the API's path is missing). Said as that, instead of
    the API's "no such record" advice, which would send the model looking for another id."""
    if response.status not in _NO_ROUTE or is_api_answer(api.errors, response):
        return None
    error: dict[str, Any] = {
        "status": response.status,
        "code": "upstream_wrong_base_url",
        "message": f"{base_url} answered with {_describe_body(response)}; the base URL looks wrong",
    }
    fix = f"The base URL must be the API's root, like {api.base_url}"
    if api.base_url_env:
        fix += f"; {api.base_url_env} sets it (restart the client after changing it)"
    error["hint"] = fix + "."
    return failure(
        f"{response.status} from something that is not the API: {error['message']}", error, [fix + "."]
    )


def network_failure(failure_: UpstreamFailure, repeat_is_safe: bool) -> ToolOutcome:
    error: dict[str, Any] = {
        "code": f"upstream_{failure_.kind}",
        "message": failure_.message,
        "attempts": failure_.attempts,
        "outcome_unknown": failure_.outcome_unknown,
    }
    more = []
    if failure_.attempts > 1:
        more.append(f"gave up after {failure_.attempts} attempts")
    if failure_.outcome_unknown:
        more.append(_UNKNOWN_SAFE if repeat_is_safe else _UNKNOWN_CHECK)
    elif failure_.kind != "too_large":
        more.append(
            "Nothing was changed. Try again in a moment; if it persists, check the network or base URL."
        )
    return failure(f"{error['code']}: {failure_.message}", error, more)


_UNKNOWN_CHECK = (
    "The request may have reached the API and acted: check whether the change happened (get or list) "
    "before calling again."
)
_UNKNOWN_SAFE = (
    "The request may have reached the API; repeating this call is safe (it has no further effect)."
)


def argument_problems(tool_name: str, problems: list[str]) -> ToolOutcome:
    error = {"code": "invalid_arguments", "message": "; ".join(problems), "problems": problems}
    first = f"invalid arguments for {tool_name}: {problems[0]}"
    return failure(
        first, error, [*problems[1:], "Nothing was sent to the API; fix the arguments and call again."]
    )


def name_not_resolved(
    tool_name: str, argument: str, text: str, candidates: list[dict[str, Any]], *, several: bool, more: bool
) -> ToolOutcome:
    """A name that matched no record or several: the candidates, so the model can ask or choose."""
    if several:
        first = f"argument '{argument}': {text!r} matches several records; none is picked"
        code = "ambiguous_name"
    else:
        first = f"argument '{argument}': no record's name contains {text!r}"
        code = "name_not_found"
    lines = [f"- {c['name']} (id {c['id']})" for c in candidates]
    if candidates and not several:
        lines.insert(0, "Records that mention it elsewhere:")
    if more:
        lines.append("…and more: give a longer part of the name.")
    lines.append("Call again with one of these ids or an exact name. Nothing was changed.")
    error = {"code": code, "message": first, "argument": argument, "value": text, "candidates": candidates}
    # Not "invalid arguments": the value is valid, the data has no single record of that name (like a 404).
    return failure(f"{tool_name}: {first}", error, lines)


def lookup_failed(
    tool_name: str, argument: str, text: str, list_tool: str, outcome: ToolOutcome
) -> ToolOutcome:
    """The list call behind a name lookup failed: the API's error, said to be about the lookup."""
    first, _, rest = outcome.text.partition("\n")
    error = {**outcome.structured.get("error", {}), "argument": argument, "lookup": list_tool}
    return ToolOutcome(
        {"error": error},
        f"{tool_name}: looking up {argument} {text!r} with {list_tool} failed: {first}"
        + (f"\n{rest}" if rest else "")
        + "\nGive an id instead of a name, or ask someone who may list these records. Nothing was changed.",
        True,
    )


def step_failed(
    workflow: str, step: str, tool: str, outcome: ToolOutcome, changed: list[dict[str, Any]]
) -> ToolOutcome:
    """A workflow step failed: which step, the API's error as it came, and what earlier steps changed."""
    first, _, rest = outcome.text.partition("\n")
    error = {**outcome.structured.get("error", {}), "step": step, "tool": tool, "changed": changed}
    lines = [f"{workflow}: step {step!r} ({tool}) failed: {first}", *([rest] if rest else [])]
    return ToolOutcome({"error": error}, "\n".join([*lines, _changed_line(changed)]), True)


def step_problem(workflow: str, step: str, message: str, changed: list[dict[str, Any]]) -> ToolOutcome:
    """A workflow step the engine could not compute (an aggregate over an unexpected value...)."""
    error = {"code": "step_failed", "message": message, "step": step, "changed": changed}
    return failure(f"{workflow}: step {step!r} failed: {message}", error, [_changed_line(changed)])


def too_many_records(tool_name: str, max_items: int) -> ToolOutcome:
    """A workflow that totals records must see all of them: past its bound it refuses to answer."""
    message = (
        f"{tool_name} has more than {max_items:,} matching records, more than this workflow reads; "
        "narrow the request (a shorter period, a filter) so the totals cover every record"
    )
    return failure(f"{tool_name}: {message}", {"code": "too_many_records", "message": message})


def _changed_line(changed: list[dict[str, Any]]) -> str:
    if not changed:
        return "Earlier steps changed nothing."
    done = "; ".join(f"step {c['step']!r} ({c['tool']}) -> {_record_label(c['result'])}" for c in changed)
    return f"Already changed by earlier steps (not undone): {done}."


def _record_label(result: Any) -> str:
    return f"id {result['id']}" if isinstance(result, dict) and result.get("id") else "done"


def request_problem(tool_name: str, message: str) -> ToolOutcome:
    error = {"code": "invalid_arguments", "message": message}
    return failure(f"invalid arguments for {tool_name}: {message}", error, ["Nothing was sent to the API."])


def unexpected_answer(tool_name: str, message: str, status: int) -> ToolOutcome:
    error = {"code": "unexpected_response", "message": message, "status": status}
    return failure(
        f"unexpected answer from the API for {tool_name}: {message}",
        error,
        ["The API's answer did not have the shape the manifest promises; the call may have succeeded."],
    )


def not_json(tool_name: str, response: UpstreamResponse, base_url: str) -> ToolOutcome:
    """A success status with a body that is not JSON: a JSON API does not answer so, but a website at
    the wrong base URL does (a page for any path)."""
    kind = response.headers.get("content-type", "").split(";")[0].strip() or "no content type"
    error = {
        "code": "unexpected_response",
        "message": f"the body is not JSON ({kind})",
        "status": response.status,
    }
    return failure(
        f"unexpected answer from the API for {tool_name}: {error['message']}",
        error,
        [
            f"If every tool answers so, the base URL ({base_url}) points at something that is not the "
            "API, such as its website; otherwise the call may have succeeded."
        ],
    )


def too_large(tool_name: str, message: str) -> ToolOutcome:
    error = {"code": "result_too_large", "message": message}
    return failure(f"result of {tool_name} too large: {message}", error)


def internal_error(tool_name: str, message: str) -> ToolOutcome:
    error = {"code": "internal_error", "message": message}
    return failure(
        f"internal error in {tool_name}: {message}", error, ["This is a bug in the server; see its log."]
    )


def _find(expression: str | None, body: Any) -> Any:
    if expression is None or not isinstance(body, dict | list):
        return None
    return search(expression, body)


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _status_code_name(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_")
    except ValueError:
        return f"http_{status}"


# Only the start of a body is ever quoted: an answer may be megabytes, and splitting it all into words
# (or searching it all for a tag) would cost far more than the answer itself.
_QUOTED_HEAD = 4096


def _describe_body(response: UpstreamResponse) -> str:
    """What answered instead of the API, in a few words: a web page (by its title), or the text."""
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    text = response.text
    if kind == "text/html" or text.lstrip()[:15].lower().startswith(("<!doctype html", "<html")):
        name = " ".join(_title(text[: _QUOTED_HEAD * 16]).split())[:80]
        return f"a web page{f' titled {name!r}' if name else ''}"
    if response.body is None and not text:
        return "an empty body"
    shown = text[:_QUOTED_HEAD] or json.dumps(response.body, ensure_ascii=False)[:_QUOTED_HEAD]
    return f"{' '.join(shown.split())[:100]!r}, not the API's error format"


def _title(html: str) -> str:
    """The first <title>'s text, in one linear scan (a lazy regex rescans the rest at every "<title")."""
    lowered = html.lower()
    start = lowered.find("<title")
    opened = lowered.find(">", start) if start >= 0 else -1
    end = lowered.find("</title>", opened) if opened >= 0 else -1
    return html[opened + 1 : end] if end >= 0 else ""


def _fallback_message(response: UpstreamResponse) -> str:
    snippet = " ".join(response.text[:_QUOTED_HEAD].split())[:200] or (response.problem or "")
    reason = _status_code_name(response.status).replace("_", " ")
    return f"{reason}: {snippet}" if snippet else reason
