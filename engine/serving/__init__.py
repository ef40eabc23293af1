"""Serving: the manifest's tools as an MCP server (listing, calls, progress, logs), over stdio or
Streamable HTTP, with filtering and hot reload."""
