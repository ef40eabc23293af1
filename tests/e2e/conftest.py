"""The canary check of the end-to-end suite: no seeded token (nor the Shelf API's key) may ever show in
what the servers print.

Every stdio server these tests launch logs at debug level to stderr, which pytest captures at the file
descriptor; after each test the captured output is searched for every seeded token's value.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hoursmith_mcp.sandbox.seed import SEEDED_TOKENS

from ..upstreams.shelf import KEY as SHELF_KEY

TOKENS = [*(seeded.token for seeded in SEEDED_TOKENS), SHELF_KEY]


def assert_no_token(text: str, where: str) -> None:
    leaked = [token[:12] for token in TOKENS if token in text]
    assert not leaked, f"a token ({', '.join(leaked)}…) appeared in {where}"


@pytest.fixture(autouse=True)
def no_token_in_output(capfd: pytest.CaptureFixture[str]) -> Iterator[None]:
    yield
    out, err = capfd.readouterr()
    assert_no_token(out, "stdout")
    assert_no_token(err, "stderr")
