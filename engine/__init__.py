"""The generic engine: reads a tools manifest and serves it as MCP tools over a REST API.

The flow, one sub-package per stage: manifest (file -> checked model) -> calls (one tool call against
the API) -> serving (MCP over stdio or HTTP) -> commands (the command line). Each imports only the ones
before it, and the engine imports nothing of any product: it knows only what the manifest says.
"""

__version__ = "0.1.0"
