"""Where the next page is, by the API's list convention (api.pagination.style).

- cursor: the body names the next cursor (a JMESPath), null on the last page;
- page: the page number sent goes up by one while `has_more` holds over the body (without it: while
  a page comes back full);
- link: the `cursor_param` value of the Link header's rel="next" URL. Only that value is taken:
  the URL itself is never followed, so an answer cannot send the token to another host.
Every style ends as one value the tool's cursor argument takes next (None on the last page), worked
out by engine/manifest/projection.py's next_position with the helpers here.
"""

from __future__ import annotations

import re

from .model import Argument, Pagination, Tool

# One link-value of a Link header (RFC 8288): <target>; param=value; ...
_LINK = re.compile(r'<([^>]*)>\s*((?:;(?:[^;,"]|"[^"]*")*)*)')  # a quoted value may hold , or ;
_REL = re.compile(r"""rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))""", re.IGNORECASE)


def cursor_argument(pagination: Pagination, tool: Tool) -> Argument | None:
    """The tool's argument that carries the position (cursor or page number), if it declares one."""
    return next((a for a in tool.arguments_in("query") if a.api_name == pagination.cursor_param), None)


def limit_argument(pagination: Pagination, tool: Tool) -> Argument | None:
    if pagination.limit_param is None:
        return None
    return next((a for a in tool.arguments_in("query") if a.api_name == pagination.limit_param), None)


def next_link_target(link_header: str | None) -> str | None:
    """The target of the rel="next" link, or None."""
    for target, params in _LINK.findall(link_header or ""):
        for quoted, bare in _REL.findall(params):
            if "next" in (quoted or bare).lower().split():
                return str(target)
    return None
