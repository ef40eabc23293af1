"""A peer: FastMCP's OpenAPI server on the OpenAPI document generated from tools.yaml (bench/openapi_doc.py).

Run as `python bench/fastmcp_server.py OPENAPI.json` with HOURSMITH_API_URL and HOURSMITH_API_TOKEN set,
as our server is: stdio, the same upstream, the token as a Bearer header on its HTTP client. FastMCP is
the `bench` extra (`pip install -e ".[bench]"`); the bench reports this peer as absent without it.
"""

from __future__ import annotations

import json
import os
import sys

# Before fastmcp is imported: no banner on stderr, and no look-up of newer versions on the network.
os.environ.setdefault("FASTMCP_SHOW_SERVER_BANNER", "false")
os.environ.setdefault("FASTMCP_CHECK_FOR_UPDATES", "off")

import httpx2
from fastmcp import FastMCP


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as file:
        spec = json.load(file)
    client = httpx2.AsyncClient(
        base_url=os.environ["HOURSMITH_API_URL"],
        headers={"Authorization": f"Bearer {os.environ.get('HOURSMITH_API_TOKEN', '')}"},
        timeout=30,
    )
    server = FastMCP.from_openapi(spec, client=client, name="hoursmith-openapi")
    server.run(transport="stdio", show_banner=False)


if __name__ == "__main__":
    main()
