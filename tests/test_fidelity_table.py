"""sandbox/FIDELITY.md accounts for every documentation page: each row names a listed page, a status,
files that exist and a test function that exists (the suite runs it); every page has a row."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).parents[1]
TABLE = ROOT / "sandbox" / "FIDELITY.md"
DOCS = Path("/work/shared/hoursmith-docs")  # the gathered pages, where this checkout has them
STATUSES = {"doc", "decided", "pick", "app", "n/a"}
TEST_REF = re.compile(r"^([\w/]+\.py)::(test_\w+)$")
WHERE_PATH = re.compile(r"[\w/*.-]+\.(?:py|yaml)|engine/\w+/")


def rows() -> list[list[str]]:
    found = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line.startswith("| ") and not line.startswith("| page |"):
            found.append([cell.strip() for cell in line.strip().strip("|").split(" | ")])
    return found


def listed_pages() -> list[str]:
    text = TABLE.read_text(encoding="utf-8").split("## The 84 pages", 1)[1]
    return [page.strip() for page in text.replace("\n", " ").split("·") if page.strip()]


@cache
def defined_functions(path: Path) -> frozenset[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return frozenset(
        node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    )


def test_the_page_list_is_the_84_gathered_pages() -> None:
    pages = listed_pages()
    assert len(pages) == 84 and len(set(pages)) == 84
    if DOCS.is_dir():
        gathered = {p.stem.replace("__", "/") for p in DOCS.glob("*.txt")}
        assert set(pages) == gathered


def test_every_page_has_a_row_and_every_row_a_listed_page() -> None:
    pages = set(listed_pages())
    covered = {row[0] for row in rows()}
    assert pages - covered == set(), "pages without a row"
    assert covered - pages == set(), "rows naming no listed page"
    assert len(rows()) >= 200


def test_each_row_names_a_status_existing_files_and_an_existing_test() -> None:
    problems = [f"{row[0]}: {problem}" for row in rows() for problem in row_problems(row)]
    assert problems == []


def row_problems(row: list[str]) -> list[str]:
    if len(row) != 5:
        return [f"{len(row)} cells, not 5"]
    _page, rule, where, status, test = row
    problems = [] if rule and status in STATUSES else [f"status {status!r} or an empty rule"]
    for token in WHERE_PATH.findall(where):
        base = ROOT if token.startswith(("engine/", "tools.yaml")) else ROOT / "sandbox"
        if not list(base.glob(token)):
            problems.append(f"{token} (in {where!r}) does not exist")
    match = TEST_REF.match(test)
    if match is None:
        return [*problems, f"{test!r} is not tests-relative FILE.py::test_name"]
    path = ROOT / "tests" / match[1]
    if not path.is_file() or match[2] not in defined_functions(path):
        problems.append(f"{test} names no test function")
    return problems
