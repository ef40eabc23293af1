"""An OpenAPI 3.1 document equivalent to a tools manifest, for FastMCP's OpenAPI server (a peer).

`python bench/openapi_doc.py [MANIFEST] > openapi.json`. Generated, not hand-written, so the peer serves
exactly our operations: one operation per tool (operationId = the tool's name, summary = its title, the
same description), every argument as a parameter or request-body property under the API's name, with the
same schema, description, default and required flag. Responses are declared as JSON objects without a
schema: the manifest's output_schema describes our projected result, not the API's raw answer.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `hoursmith_mcp` importable from a checkout
    sys.path.insert(0, str(ROOT))

from hoursmith_mcp.engine.manifest.loader import load_manifest  # noqa: E402
from hoursmith_mcp.engine.manifest.model import Manifest, Tool  # noqa: E402


def document(manifest: Manifest) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for tool in manifest.tools:
        paths.setdefault(tool.path, {})[tool.method.lower()] = operation(tool)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": manifest.server.title or manifest.server.name,
            "version": manifest.server.version,
            "description": manifest.server.instructions or "",
        },
        "servers": [{"url": manifest.api.base_url}],
        "paths": paths,
    }


def operation(tool: Tool) -> dict[str, Any]:
    op: dict[str, Any] = {"operationId": tool.name, "description": tool.description}
    if tool.title:
        op["summary"] = tool.title
    parameters = []
    for arg in tool.arguments:
        if arg.location == "body":
            continue
        parameter: dict[str, Any] = {
            "name": arg.name if arg.location == "path" else arg.api_name,
            "in": arg.location,
            "required": arg.required,
            "schema": _schema(arg.schema, arg.has_default, arg.default),
        }
        if arg.description:
            parameter["description"] = arg.description
        parameters.append(parameter)
    if parameters:
        op["parameters"] = parameters
    body_args = tool.arguments_in("body")
    if body_args:
        properties = {}
        for arg in body_args:
            prop = _schema(arg.schema, arg.has_default, arg.default)
            if arg.description:
                prop["description"] = arg.description
            properties[arg.api_name] = prop
        schema: dict[str, Any] = {"type": "object", "properties": properties}
        required = [arg.api_name for arg in body_args if arg.required]
        if required:
            schema["required"] = required
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
    status = "201" if tool.method == "POST" else ("204" if tool.method == "DELETE" else "200")
    op["responses"] = {
        status: {
            "description": "The API's answer",
            **({} if status == "204" else {"content": {"application/json": {"schema": {"type": "object"}}}}),
        }
    }
    return op


def _schema(schema: dict[str, Any], has_default: bool, default: Any) -> dict[str, Any]:
    result = dict(schema)
    if has_default:
        result["default"] = default
    return result


def main() -> None:
    manifest = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tools.yaml"
    json.dump(document(load_manifest(manifest)), sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
