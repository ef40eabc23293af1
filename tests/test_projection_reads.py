"""What a projection reads of its input, read statically (the paginated-projection rule's basis)."""

from __future__ import annotations

import pytest

from hoursmith_mcp.engine.manifest.projection import RootReads, root_reads


@pytest.mark.parametrize(
    ("expression", "fields", "as_list"),
    [
        ("{id: id, name: name}", {"id", "name"}, False),
        ("data[].{id: id}", {"data"}, False),  # written for the list body
        ("data[*].id", {"data"}, False),
        ("{id: data.id, next: pagination.nextCursor}", {"data", "pagination"}, False),
        ("length(data)", {"data"}, False),
        ("data | [0]", {"data"}, False),  # after a pipe, [0] reads what data gave, not the input
        ("client.name", {"client"}, False),  # nested keys are not the input's
        ("[].id", set(), True),
        ("[*].id", set(), True),
        ("[0]", set(), True),
        ("[?billable].id", set(), True),
        ("*.id", set(), False),  # a value projection works on an object
        ("@", set(), False),
        ("merge(@, {a: b})", {"b"}, False),
        ("sort_by(@, &name)", set(), False),  # &name is read from each element, not the input
    ],
)
def test_root_reads(expression: str, fields: set[str], as_list: bool) -> None:
    assert root_reads(expression) == RootReads(frozenset(fields), as_list)
