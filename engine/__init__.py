"""The generic engine: loads a tools manifest and serves it as MCP tools over a REST API."""

__version__ = "0.1.0"
