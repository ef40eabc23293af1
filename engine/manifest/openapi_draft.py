"""An OpenAPI 3.0/3.1 document turned into a draft manifest: one tool per operation.

A pure function of the parsed document (no I/O). What the manifest cannot express is never dropped
silently: each such construct becomes a `Note` placed where it matters in the draft (the tool, the
argument) and naming its JSON pointer in the source. Choices a person should confirm (destructive
inferred from the method, the auth scheme, the error envelope) become `reviews`, written as comments.

Linear in the document: every `$ref` is resolved once and reused; a reference met again inside its
own expansion (a recursive schema) is cut there, with a note.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from .lint import MAX_QUALIFIED_NAME, schema_problem
from .model import DocPath
from .patterns import pattern_problem

METHODS = ("get", "post", "put", "patch", "delete")
_UNSERVED_METHODS = ("head", "options", "trace")
_NAME_CHARS = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_DROPPED_KEYWORDS = frozenset(
    {"example", "examples", "xml", "externalDocs", "discriminator", "deprecated", "nullable", "readOnly",
     "writeOnly", "$schema", "$id", "$comment", "title", "description", "$defs", "definitions"}
)  # fmt: skip
_SUMMARY_LIMIT = 160
_ARGUMENT_NAME_LIMIT = 64  # the manifest schema's limit on argument names
_DESCRIPTION_LIMIT = 120


@dataclass(frozen=True)
class Note:
    at: DocPath  # where in the draft
    pointer: str  # where in the source document (a JSON pointer, "#/paths/~1x/get")
    message: str


@dataclass
class Draft:
    document: dict[str, Any]
    notes: list[Note] = field(default_factory=list)
    reviews: dict[DocPath, str] = field(default_factory=dict)  # end-of-line comments on these keys
    operations: int = 0  # operations seen after the filters


class ImportError_(Exception):
    """The document cannot be imported at all (not OpenAPI 3, no paths)."""


def pointer(*parts: str | int) -> str:
    return "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def snake(text: str) -> str:
    """A portable name: lower-case letters, digits and underscores, starting with a letter."""
    name = _NAME_CHARS.sub("_", _CAMEL.sub("_", text).lower()).strip("_")
    if not name or not name[0].isalpha():
        name = f"x_{name}" if name else "x"
    return name


def draft_from_openapi(
    document: dict[str, Any],
    *,
    tags: Iterable[str] = (),
    path_globs: Iterable[str] = (),
    server_name: str | None = None,
    base_url: str | None = None,
) -> Draft:
    version = str(document.get("openapi", ""))
    if not version.startswith("3."):
        found = f"swagger {document['swagger']}" if "swagger" in document else repr(version or "no version")
        raise ImportError_(f"only OpenAPI 3.0 and 3.1 documents can be imported (this one is {found})")
    if not isinstance(document.get("paths"), dict):
        raise ImportError_("the document has no paths")
    return _Importer(document, set(tags), list(path_globs), server_name, base_url).run()


class _Importer:
    def __init__(
        self,
        document: dict[str, Any],
        tags: set[str],
        path_globs: list[str],
        server_name: str | None,
        base_url: str | None,
    ) -> None:
        self.doc = document
        self.tags = tags
        self.path_globs = path_globs
        info = document.get("info") or {}
        self.server = snake(server_name) if server_name else _short_name(str(info.get("title") or "api"))
        self.base_url = base_url
        self.draft = Draft({})
        self.resolved: dict[str, Any] = {}  # $ref -> its expansion, when it had no recursion cut
        self.names: set[str] = set()

    # -- the document ---------------------------------------------------------------------------

    def run(self) -> Draft:
        doc = self.doc
        info = doc.get("info") or {}
        env = self.server.upper()
        api: dict[str, Any] = {
            "base_url": self._base_url(),
            "base_url_env": f"{env}_API_URL",
            "auth": self._auth(env),
            "headers": {"Accept": "application/json"},
            "errors": {
                "code": "code || error.code || errors[0].code",
                "message": "message || error.message || error_description || errors[0].message"
                " || errors[0].detail",
            },
        }
        self.draft.reviews[("api", "errors")] = (
            "review: a guess at the error envelope; name the API's own fields"
        )
        server: dict[str, Any] = {"name": self.server, "version": str(info.get("version") or "0.1.0")}
        if info.get("title"):
            server["title"] = _one_line(str(info["title"]), 80)
        self.draft.document = {"version": 1, "server": server, "api": api, "tools": []}
        tools: list[dict[str, Any]] = self.draft.document["tools"]
        for path, item in doc["paths"].items():
            if not isinstance(item, dict):
                continue
            item = self._deref(item)
            if self.path_globs and not any(fnmatchcase(path, glob) for glob in self.path_globs):
                continue
            for method in _UNSERVED_METHODS:
                if method in item and self._wanted(item[method]):
                    self._note(
                        ("tools",),
                        pointer("paths", path, method),
                        f"{method.upper()} {path} not imported: "
                        "the manifest serves GET, POST, PUT, PATCH and DELETE only",
                    )
            for method in METHODS:
                operation = item.get(method)
                if isinstance(operation, dict) and self._wanted(operation):
                    self.draft.operations += 1
                    tools.append(self._tool(path, method, item, operation, len(tools)))
        if "webhooks" in doc:
            self._note(
                ("tools",),
                pointer("webhooks"),
                f"{len(doc['webhooks'])} webhook(s) not imported: "
                "an MCP server calls the API, it does not receive calls",
            )
        if not tools:
            self.draft.document.pop("tools")
        return self.draft

    def _wanted(self, operation: dict[str, Any]) -> bool:
        return not self.tags or bool(self.tags & set(operation.get("tags") or []))

    def _base_url(self) -> str:
        if self.base_url:
            return self.base_url.rstrip("/")
        servers = self.doc.get("servers") or []
        if servers and isinstance(servers[0], dict) and servers[0].get("url"):
            url = str(servers[0]["url"])
            for name, variable in (servers[0].get("variables") or {}).items():
                url = url.replace("{" + name + "}", str(variable.get("default", "")))
            if (
                url.startswith("https://")
                or url.startswith("http://127.0.0.1")
                or url.startswith("http://localhost")
            ):
                return url.rstrip("/")
            self._note(
                ("api", "base_url"),
                pointer("servers", 0, "url"),
                f"server URL {url!r} is not an absolute https:// URL: set base_url (or --base-url)",
            )
        else:
            self._note(
                ("api", "base_url"),
                pointer("servers"),
                "the document names no server: set base_url (or --base-url)",
            )
        return "https://api.example.invalid"

    def _auth(self, env: str) -> dict[str, Any]:
        schemes = ((self.doc.get("components") or {}).get("securitySchemes")) or {}
        for name, raw in schemes.items():
            scheme = self._deref(raw)
            where = pointer("components", "securitySchemes", name)
            if scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
                return {"scheme": "bearer", "token_env": f"{env}_TOKEN"}
            if scheme.get("type") == "apiKey" and scheme.get("in") == "header" and scheme.get("name"):
                header = str(scheme["name"])
                if header.lower() == "authorization":
                    return {"scheme": "bearer", "token_env": f"{env}_TOKEN"}
                return {"scheme": "header", "header": header, "token_env": f"{env}_TOKEN"}
            self._note(
                ("api", "auth"),
                where,
                f"security scheme {name!r} ({scheme.get('type')}) is not supported; bearer assumed",
            )
        self.draft.reviews[("api", "auth")] = "review: check how the API takes its token"
        return {"scheme": "bearer", "token_env": f"{env}_TOKEN"}

    # -- one operation --------------------------------------------------------------------------

    def _tool(
        self, path: str, method: str, item: dict[str, Any], operation: dict[str, Any], index: int
    ) -> dict[str, Any]:
        where: DocPath = ("tools", index)
        source = pointer("paths", path, method)
        name = self._name(operation.get("operationId"), method, path)
        tool: dict[str, Any] = {"name": name, "description": _description(operation, method, path)}
        tool["method"] = method.upper()
        arguments: dict[str, Any] = {}
        placeholders: dict[str, str] = {}
        route = self._route(path, source, where, arguments)
        in_route = set(_PLACEHOLDER.findall(route))
        for param, param_source in self._parameters(item, operation, source, path):
            if param["in"] == "path" and param["name"] not in in_route:
                self._note(
                    (*where, "path"),
                    param_source,
                    f"path parameter {param['name']!r} has no {{placeholder}} in the path; left out",
                )
                continue
            self._parameter(param, param_source, where, arguments, placeholders)
        tool["path"] = self._fill_placeholders(route, placeholders, arguments, where, source)
        for placeholder in _PLACEHOLDER.findall(tool["path"]):
            if placeholder not in arguments:  # a path parameter the document forgot to declare
                arguments[placeholder] = {"in": "path", "schema": {"type": "string"}}
                self._note(
                    (*where, "path"),
                    source,
                    f"path parameter {{{placeholder}}} is not declared; taken as a string",
                )
        if "requestBody" in operation:
            if method == "get":
                self._note(
                    (*where, "name"), f"{source}/requestBody", "a GET request body is not sent; left out"
                )
            else:
                self._body(operation["requestBody"], f"{source}/requestBody", where, arguments)
        tool["destructive"] = method == "delete"
        if method != "get":
            self.draft.reviews[(*where, "destructive")] = f"review: inferred from {method.upper()}"
        if arguments:
            tool["arguments"] = arguments
        if "callbacks" in operation:
            self._note(
                where, f"{source}/callbacks", "callbacks are not imported (the server cannot receive them)"
            )
        if operation.get("deprecated"):
            self._note(where, source, "the operation is deprecated")
        return tool

    def _route(self, path: str, source: str, where: DocPath, arguments: dict[str, Any]) -> str:
        """The path alone: a `#...` tail (only told operations apart in the document) is dropped, and a
        fixed `?name=value` query becomes an argument that can take only that value."""
        route, hash_mark, fragment = path.partition("#")
        if hash_mark:
            self._note(
                (*where, "path"),
                source,
                f"'#{fragment}' is not part of a URL; dropped from the path "
                "(check how the API tells this operation apart)",
            )
        route, question_mark, query = route.partition("?")
        for pair in query.split("&") if question_mark else []:
            key, _, value = pair.partition("=")
            if key:
                name = self._free_name(_argument_name(key), arguments)
                fixed = {"type": "string", "enum": [value]}
                arguments[name] = {"in": "query", "api_name": key, "default": value, "schema": fixed}
        return route if route.startswith("/") else f"/{route}"

    def _fill_placeholders(
        self, route: str, placeholders: dict[str, str], arguments: dict[str, Any], where: DocPath, source: str
    ) -> str:
        """Placeholders named as their arguments; one that appears twice gets a second argument, since
        a manifest path names each argument once."""
        seen: set[str] = set()

        def name(match: re.Match[str]) -> str:
            first = placeholders.get(match.group(1), snake(match.group(1)))
            if first not in seen:
                seen.add(first)
                return "{" + first + "}"
            again = self._free_name(first, arguments)
            arguments[again] = dict(arguments.get(first) or {"in": "path", "schema": {"type": "string"}})
            self._note(
                (*where, "path"),
                source,
                f"{{{match.group(1)}}} appears twice in the path: give {again} the same value",
            )
            return "{" + again + "}"

        return _PLACEHOLDER.sub(name, route)

    def _name(self, operation_id: Any, method: str, path: str) -> str:
        base = snake(str(operation_id)) if operation_id else snake(f"{method}_{path}")
        room = MAX_QUALIFIED_NAME - len(self.server) - 1
        name = base[:room].rstrip("_")
        counter = 2
        while name in self.names:
            suffix = f"_{counter}"
            name = base[: room - len(suffix)].rstrip("_") + suffix
            counter += 1
        self.names.add(name)
        return name

    def _parameters(
        self, item: dict[str, Any], operation: dict[str, Any], source: str, path: str
    ) -> Iterator[tuple[dict[str, Any], str]]:
        """Path-level parameters, overridden by the operation's own of the same name and location."""
        chosen: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        for origin, params in (
            (pointer("paths", path, "parameters"), item.get("parameters")),
            (f"{source}/parameters", operation.get("parameters")),
        ):
            for position, raw in enumerate(params or []):
                param = self._deref(raw)
                if isinstance(param, dict) and "name" in param and "in" in param:
                    chosen[(str(param["name"]), str(param["in"]))] = (param, f"{origin}/{position}")
        yield from chosen.values()

    def _parameter(
        self,
        param: dict[str, Any],
        source: str,
        where: DocPath,
        arguments: dict[str, Any],
        placeholders: dict[str, str],
    ) -> None:
        location, api_name = str(param["in"]), str(param["name"])
        if any(a["in"] == location and a.get("api_name", n) == api_name for n, a in arguments.items()):
            self._note(
                (*where, "arguments"),
                source,
                f"{location} parameter {api_name!r} is fixed by the path already; left out",
            )
            return
        if location in ("header", "cookie"):
            self._note(
                (*where, "name"),
                source,
                f"{location} parameter {api_name!r} is not supported "
                "(the manifest sends path, query and body values); it is left out",
            )
            return
        name = self._free_name(_argument_name(api_name), arguments)
        if "schema" in param:
            schema = self._schema(param["schema"], f"{source}/schema", (*where, "arguments", name))
        else:
            schema = {"type": "string"}
            self._note(
                (*where, "arguments", name),
                source,
                "parameter given by content, not schema; taken as a string",
            )
        argument: dict[str, Any] = {"in": location}
        text = param.get("description")
        if text:
            argument["description"] = _one_line(str(text), _DESCRIPTION_LIMIT)
        if location == "query" and param.get("required"):
            argument["required"] = True
        if name != api_name and location != "path":
            argument["api_name"] = api_name
        if location == "path":
            placeholders[api_name] = name
        style = param.get("style")
        if style not in (None, "form", "simple") or param.get("explode") is False:
            self._note(
                (*where, "arguments", name),
                source,
                f"parameter style {style or 'form'} (explode {param.get('explode', True)}) is not supported; "
                "values are sent as repeated name=value pairs",
            )
        if "default" in schema:
            default = schema.pop("default")
            if location != "path" and not argument.get("required"):
                if _fits(schema, default):
                    argument["default"] = default
                else:
                    self._note(
                        (*where, "arguments", name),
                        source,
                        f"default {default!r} does not match the parameter's schema; left out",
                    )
        argument["schema"] = schema
        arguments[name] = argument

    def _body(self, raw: Any, source: str, where: DocPath, arguments: dict[str, Any]) -> None:
        body = self._deref(raw)
        content = body.get("content") or {}
        json_type = next((t for t in content if t == "application/json" or t.endswith("+json")), None)
        if json_type is None:
            kinds = ", ".join(content) or "no content"
            self._note(
                (*where, "name"),
                source,
                f"request body ({kinds}) is not JSON; not imported: the tool sends no body",
            )
            return
        media = content[json_type] or {}
        schema = self._schema(
            media.get("schema") or {},
            f"{source}/content/{pointer(json_type)[2:]}/schema",
            (*where, "arguments"),
            top=False,
        )
        if (
            any(k in schema for k in ("oneOf", "anyOf"))
            or schema.get("type") not in (None, "object")
            or "properties" not in schema
        ):
            shape = (
                "oneOf/anyOf"
                if any(k in schema for k in ("oneOf", "anyOf"))
                else f"a value of type {schema.get('type', 'any')}"
            )
            self._note(
                (*where, "name"),
                f"{source}/content/{pointer(json_type)[2:]}/schema",
                f"request body is {shape}, not an object with properties; "
                "not imported: add its fields as body arguments by hand",
            )
            return
        required = set(schema.get("required") or [])
        raw_schema = self._deref(media.get("schema") or {})
        described = raw_schema.get("properties") if isinstance(raw_schema, dict) else None
        for field_name, field_schema in schema["properties"].items():
            name = self._free_name(_argument_name(field_name), arguments)
            argument: dict[str, Any] = {"in": "body"}
            if field_name in required:
                argument["required"] = True
            if name != field_name:
                argument["api_name"] = field_name
            if isinstance(field_schema, dict) and field_schema.get("format") == "binary":
                self._note(
                    (*where, "arguments", name),
                    source,
                    f"body field {field_name!r} is a file upload; the tool can only send JSON text",
                )
            fragment = dict(field_schema) if isinstance(field_schema, dict) else {}
            raw_field = self._deref((described or {}).get(field_name))
            description = raw_field.get("description") if isinstance(raw_field, dict) else None
            if description:
                argument["description"] = _one_line(str(description), _DESCRIPTION_LIMIT)
            at: DocPath = (*where, "arguments", name)
            fragment = _portable_top(fragment, lambda message, at=at: self._note(at, source, message))
            fragment.pop("default", None)
            fragment = self._valid(fragment, source, (*where, "arguments", name))
            argument["schema"] = fragment
            arguments[name] = argument

    @staticmethod
    def _free_name(name: str, taken: dict[str, Any]) -> str:
        if name not in taken:
            return name
        counter = 2
        while f"{name[: _ARGUMENT_NAME_LIMIT - 4]}_{counter}" in taken:
            counter += 1
        return f"{name[: _ARGUMENT_NAME_LIMIT - 4]}_{counter}"

    # -- schemas --------------------------------------------------------------------------------

    def _schema(self, raw: Any, source: str, at: DocPath, *, top: bool = True) -> dict[str, Any]:
        """A self-contained, portable JSON Schema fragment: refs inlined, OpenAPI-only keywords out."""
        cut: list[str] = []
        schema: dict[str, Any] = self._clean(raw, (), cut)
        for ref in dict.fromkeys(cut):
            self._note(
                at,
                source,
                f"recursive schema {ref} cut where it refers to itself (an object of any shape there)",
            )
        if top:
            schema = _portable_top(schema, lambda message: self._note(at, source, message))
            schema = self._valid(schema, source, at)
        return schema

    def _valid(self, schema: dict[str, Any], source: str, at: DocPath) -> dict[str, Any]:
        schema = _without_unsafe_patterns(schema, lambda message: self._note(at, source, message))
        problem = schema_problem(schema)
        if problem is None:
            return schema
        self._note(at, source, f"the schema is {problem}; replaced by a plain string")
        return {"type": "string"}

    def _clean(self, node: Any, active: tuple[str, ...], cut: list[str]) -> Any:
        if isinstance(node, list):
            return [self._clean(item, active, cut) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            if ref in active:
                cut.append(ref)
                return {"type": "object"}
            if ref in self.resolved:
                return self.resolved[ref]
            before = len(cut)
            target = self._clean(self._lookup(ref), (*active, ref), cut)
            if len(cut) == before:  # no recursion below: the same expansion serves every later use
                self.resolved[ref] = target
            return target
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in _DROPPED_KEYWORDS or key.startswith("x-"):
                continue
            if key == "properties" and isinstance(value, dict):
                out[key] = {
                    name: self._clean(sub, active, cut)
                    for name, sub in value.items()
                    if not (isinstance(sub, dict) and sub.get("readOnly"))
                }
            elif key == "const":
                out["enum"] = [value]
            elif key == "type" and isinstance(value, list):
                kinds = [kind for kind in value if kind != "null"]
                if kinds:
                    out["type"] = kinds[0]
            elif key == "allOf" and isinstance(value, list):
                merged = _merge_all_of([self._clean(part, active, cut) for part in value])
                out.update({k: v for k, v in merged.items() if k not in out})
            else:
                out[key] = self._clean(value, active, cut)
        if node.get("exclusiveMinimum") is True and "minimum" in out:
            out["exclusiveMinimum"] = out.pop("minimum")
        elif isinstance(out.get("exclusiveMinimum"), bool):
            out.pop("exclusiveMinimum")
        if node.get("exclusiveMaximum") is True and "maximum" in out:
            out["exclusiveMaximum"] = out.pop("maximum")
        elif isinstance(out.get("exclusiveMaximum"), bool):
            out.pop("exclusiveMaximum")
        if out.get("type") == "array" and "items" not in out:
            out["items"] = {}
        enum = out.get("enum")
        if isinstance(enum, list) and len({type(v).__name__ for v in enum}) > 1:
            out["enum"] = [v for v in enum if v is not None]
            if len({type(v).__name__ for v in out["enum"]}) > 1:
                out.pop("enum")
        return out

    def _lookup(self, ref: str) -> Any:
        if not ref.startswith("#/"):
            return {}  # an external reference cannot be followed offline
        node: Any = self.doc
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                return {}
            node = node[part]
        return node

    def _deref(self, node: Any) -> Any:
        """A parameter, body or path item given by reference (bounded: references to references)."""
        for _ in range(16):
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
                return node
            node = self._lookup(node["$ref"])
        return {}

    def _note(self, at: DocPath, source: str, message: str) -> None:
        self.draft.notes.append(Note(at, source, message))


def _fits(schema: dict[str, Any], value: Any) -> bool:
    from jsonschema import Draft202012Validator

    return schema_problem(schema) is None and bool(Draft202012Validator(schema).is_valid(value))


def _merge_all_of(parts: list[Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for part in parts:
        if not isinstance(part, dict):
            continue
        for key, value in part.items():
            if key == "properties" and isinstance(value, dict):
                merged.setdefault("properties", {}).update(value)
            elif key == "required" and isinstance(value, list):
                merged["required"] = list(dict.fromkeys([*merged.get("required", []), *value]))
            else:
                merged.setdefault(key, value)
    return merged


def _portable_top(schema: dict[str, Any], note: Any) -> dict[str, Any]:
    """Some clients reject a combinator or a missing type at the top of an argument's schema."""
    for combinator in ("oneOf", "anyOf"):
        if combinator in schema:
            branches = [b for b in schema[combinator] if isinstance(b, dict)]
            typed = next((b for b in branches if "type" in b), None)
            rest = {k: v for k, v in schema.items() if k != combinator}
            note(
                f"{combinator} of {len(branches)} schemas narrowed to its first typed one "
                f"(some clients reject {combinator} here)"
            )
            schema = {**(typed or {"type": "string"}), **rest}
    schema = {k: v for k, v in schema.items() if k not in ("$ref",)}
    if "type" not in schema:
        schema["type"] = "object" if "properties" in schema else "string"
    return schema


def _argument_name(text: str) -> str:
    """A portable argument name within the manifest's limit (the API keeps its own as api_name)."""
    return snake(text)[:_ARGUMENT_NAME_LIMIT].rstrip("_")


def _short_name(title: str) -> str:
    """A short server name from the API's title: its first words, at most 16 characters."""
    words = snake(title.replace("'s ", " ").replace("'", "")).split("_")
    name = words[0]
    for word in words[1:]:
        if len(name) + 1 + len(word) > 16:
            break
        name = f"{name}_{word}"
    return name[:16].rstrip("_") or "api"


def _one_line(text: str, limit: int) -> str:
    """The first sentence, on one line, at most `limit` characters: tools/list costs context."""
    line = " ".join(text.split())
    sentence = re.split(r"(?<=[.!?])\s", line, maxsplit=1)[0]
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def _description(operation: dict[str, Any], method: str, path: str) -> str:
    for key in ("summary", "description"):
        text = _one_line(str(operation.get(key) or ""), _SUMMARY_LIMIT)
        if text:
            return text
    return f"{method.upper()} {path}"


def _without_unsafe_patterns(node: Any, note: Callable[[str], None]) -> Any:
    """The schema without the patterns validate refuses (they may take exponential or quadratic time,
    or run on unbounded property names), each left out with a note: the draft must validate, and the
    person reviewing it sees what the API's own check was."""
    if isinstance(node, list):
        return [_without_unsafe_patterns(item, note) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "pattern" and isinstance(value, str) and (problem := pattern_problem(value)):
            note(f"{problem}; left out (the API still checks the value)")
        elif key == "patternProperties":
            note("patternProperties left out: its patterns would run on property names")
        elif key in ("properties", "$defs", "definitions") and isinstance(value, dict):
            out[key] = {name: _without_unsafe_patterns(sub, note) for name, sub in value.items()}
        else:
            out[key] = _without_unsafe_patterns(value, note)
    return out
