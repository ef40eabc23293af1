"""Keyset pagination, sorting, search and filters."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sbx_helpers import Api, collect, error_of, post

from hoursmith_mcp.sandbox import seed

STUDIO_ENTRIES = seed.STUDIO_TIME_ENTRY_COUNT + 1  # plus the running timer


def ids(records: list[dict[str, Any]]) -> list[str]:
    return [r["id"] for r in records]


def test_pages_cover_the_list_exactly_once(api: Api) -> None:
    whole = api().get("/time-entries", params={"limit": 200}).json()
    assert whole["pagination"] == {"nextCursor": None, "limit": 200}
    assert len(whole["data"]) == STUDIO_ENTRIES
    paged = collect(api(), "/time-entries", limit=7)
    assert ids(paged) == ids(whole["data"])
    first = api().get("/time-entries").json()
    assert first["pagination"]["limit"] == 50 and len(first["data"]) == 50  # documented default


def test_default_sort_is_newest_first(api: Api) -> None:
    records = collect(api(), "/time-entries", limit=200)
    keys = [(r["createdAt"], r["id"]) for r in records]
    assert keys == sorted(keys, reverse=True)


@pytest.mark.parametrize(
    "sort", ["createdAt", "-createdAt", "entryDate", "-entryDate", "durationSeconds", "-updatedAt"]
)
def test_paging_is_stable_under_inserts_and_deletes(api: Api, sort: str) -> None:
    client = api()
    before = set(ids(collect(client, "/time-entries", sort=sort)))
    seen: list[str] = []
    deleted: set[str] = set()
    created: set[str] = set()
    cursor: str | None = None
    for page_number in range(100):
        params: dict[str, Any] = {"sort": sort, "limit": 9, **({"cursor": cursor} if cursor else {})}
        body = client.get("/time-entries", params=params).json()
        seen.extend(ids(body["data"]))
        cursor = body["pagination"]["nextCursor"]
        if cursor is None:
            break
        # Between pages: add entries that sort at both ends and in the middle, and delete an entry
        # already seen and one not yet seen.
        for offset, day in enumerate(("2025-01-01", "2025-04-01", "2026-12-31")):
            entry = post(
                client,
                "/time-entries",
                {
                    "projectId": seed.HOURLY_PROJECT_ID,
                    "entryDate": day,
                    "durationSeconds": 60 * (page_number + offset + 1),
                },
            )
            assert entry.status_code == 201
            created.add(entry.json()["data"]["id"])
        unseen = sorted(before - set(seen) - deleted)
        for victim in (seen[0], unseen[-1] if unseen else seen[-1]):
            # Invoiced entries refuse deletion (409); only the ones actually deleted count.
            if victim not in deleted and client.delete(f"/time-entries/{victim}").status_code == 204:
                deleted.add(victim)
    else:
        raise AssertionError("paging did not end")
    assert deleted & set(seen) and deleted - set(seen), "the test should delete seen and unseen records"
    assert len(seen) == len(set(seen)), "a record was repeated"
    survivors = before - deleted
    missing = survivors - set(seen)
    assert not missing, f"{len(missing)} records that existed throughout were skipped"
    assert set(seen) <= before | created


def test_nulls_first_ascending_and_last_descending(api: Api) -> None:
    ascending = collect(api(), "/tasks", sort="endDate")
    descending = collect(api(), "/tasks", sort="-endDate")
    nulls = [t for t in ascending if t["endDate"] is None]
    assert nulls and len(nulls) < len(ascending)
    assert all(t["endDate"] is None for t in ascending[: len(nulls)])
    assert all(t["endDate"] is None for t in descending[-len(nulls) :])
    dated = [t["endDate"] for t in ascending[len(nulls) :]]
    assert dated == sorted(dated)


def test_enum_sorts_follow_the_documented_order(api: Api) -> None:
    priorities = [t["priority"] for t in collect(api(), "/tasks", sort="priority")]
    order = {"LOW": 0, "MEDIUM": 1, "HIGH": 2}
    assert [order[p] for p in priorities] == sorted(order[p] for p in priorities)


def test_money_sorts_numerically(api: Api) -> None:
    amounts = [float(e["amount"]) for e in collect(api(), "/expenses", sort="-amount", limit=3)]
    assert amounts == sorted(amounts, reverse=True)


def test_cursor_is_tied_to_its_sort(api: Api) -> None:
    cursor = (
        api()
        .get("/time-entries", params={"sort": "entryDate", "limit": 5})
        .json()["pagination"]["nextCursor"]
    )
    assert cursor
    mismatch = api().get("/time-entries", params={"sort": "-entryDate", "cursor": cursor})
    assert mismatch.status_code == 422 and "cursor" in error_of(mismatch)["fields"]
    other_list = api().get("/clients", params={"sort": "entryDate", "cursor": cursor})
    assert other_list.status_code == 422
    assert api().get("/time-entries", params={"sort": "entryDate", "cursor": cursor}).status_code == 200


def get_all(client: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    return collect(client, path, **params)


def test_search_is_a_case_insensitive_substring(api: Api) -> None:
    found = get_all(api(), "/time-entries", search="DESIGN review")
    assert found and all("design review" in e["note"].lower() for e in found)
    clients = get_all(api(), "/clients", search="ACME")
    assert [c["name"] for c in clients] == ["Acme Robotics"]
    by_contact = get_all(api(), "/clients", search="lumbergh")
    assert [c["id"] for c in by_contact] == [seed.DELETABLE_CLIENT_ID]


def test_exact_and_range_filters_combine_with_and(api: Api) -> None:
    entries = get_all(
        api(),
        "/time-entries",
        projectId=seed.HOURLY_PROJECT_ID,
        entryDateFrom="2025-03-10",
        entryDateTo="2025-03-20",
        durationSecondsMin="3600",
        durationSecondsMax="9000",
    )
    assert entries
    for entry in entries:
        assert entry["projectId"] == seed.HOURLY_PROJECT_ID
        assert "2025-03-10" <= entry["entryDate"] <= "2025-03-20"
        assert 3600 <= entry["durationSeconds"] <= 9000
    everything = get_all(api(), "/time-entries", projectId=seed.HOURLY_PROJECT_ID)
    inclusive = [
        e
        for e in everything
        if e["entryDate"] in ("2025-03-10", "2025-03-20") and 3600 <= e["durationSeconds"] <= 9000
    ]
    assert {e["id"] for e in inclusive} <= {e["id"] for e in entries}


def test_timestamp_ranges_take_bare_dates_as_whole_days(api: Api) -> None:
    day = api().get(f"/clients/{seed.DELETABLE_CLIENT_ID}").json()["data"]["createdAt"][:10]
    same_day = get_all(api(), "/clients", createdAtFrom=day, createdAtTo=day)
    assert seed.DELETABLE_CLIENT_ID in ids(same_day)
    assert all(c["createdAt"].startswith(day) for c in same_day)
    later = get_all(api(), "/clients", createdAtFrom=f"{day}T23:59:59Z")
    assert seed.DELETABLE_CLIENT_ID not in ids(later)


@pytest.mark.parametrize("spelling", ["true", "TRUE", "1", "yes", "Yes"])
def test_boolean_spellings_true(api: Api, spelling: str) -> None:
    entries = get_all(api(), "/time-entries", billable=spelling)
    assert entries and all(e["billable"] is True for e in entries)


@pytest.mark.parametrize("spelling", ["false", "0", "no", "NO"])
def test_boolean_spellings_false(api: Api, spelling: str) -> None:
    entries = get_all(api(), "/time-entries", billable=spelling)
    assert entries and all(e["billable"] is False for e in entries)


def test_enum_filters_are_case_insensitive(api: Api) -> None:
    upper = ids(get_all(api(), "/tasks", status="IN_PROGRESS"))
    lower = ids(get_all(api(), "/tasks", status="in_progress"))
    assert upper and upper == lower
    invoices = get_all(api(), "/invoices", paymentStatus="PARTIALLY_PAID")
    assert [i["paymentStatus"] for i in invoices] == ["partially_paid"]
    statuses = {i["status"] for i in get_all(api(), "/invoices")}
    assert statuses == {"DRAFT", "SENT", "PAID", "CANCELLED"}


def test_running_filter(api: Api) -> None:
    running = get_all(api(), "/time-entries", running="true")
    assert ids(running) == [seed.RUNNING_TIMER_ENTRY_ID]
    stopped = get_all(api(), "/time-entries", running="no")
    assert len(stopped) == STUDIO_ENTRIES - 1


def test_number_ranges_accept_decimal_strings(api: Api) -> None:
    invoices = get_all(api(), "/invoices", totalMin="2000.50", totalMax="6000")
    assert invoices and all(2000.5 <= float(i["total"]) <= 6000 for i in invoices)
    expenses = get_all(api(), "/expenses", amountMin="100", amountMax="150.5")
    assert all(100 <= float(e["amount"]) <= 150.5 for e in expenses)


def test_client_name_filters(api: Api) -> None:
    projects = get_all(api(), "/projects", clientName="northwind")
    assert {p["clientId"] for p in projects} == {seed.seed_id("client", "studio:northwind")}
    expenses = get_all(api(), "/expenses", clientName="HOOLI")
    assert expenses and {e["clientId"] for e in expenses} == {seed.seed_id("client", "studio:hooli")}


def test_task_filters(api: Api) -> None:
    sam = seed.STUDIO_MEMBER_SAM_USER_ID
    assigned = get_all(api(), "/tasks", assigneeId=sam)
    assert assigned and all(sam in t["assigneeIds"] for t in assigned)
    high = get_all(api(), "/tasks", priority="high", projectId=seed.HOURLY_PROJECT_ID)
    assert [t["id"] for t in high] == [seed.SAM_TASK_ID]
