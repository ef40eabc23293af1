"""Exact grouping and sums, and the engine's JMESPath functions, as pure functions of their input."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hoursmith_mcp.engine.manifest.aggregation import AggregationError, aggregate
from hoursmith_mcp.engine.manifest.expressions import evaluate, options_for
from hoursmith_mcp.engine.manifest.workflow_model import AggregateStep, Join, Sum

OPTIONS = options_for(ZoneInfo("Europe/Berlin"))


def step(**spec: Any) -> AggregateStep:
    return AggregateStep(
        id="totals",
        when=None,
        over=spec.get("over", "items"),
        let=spec.get("let", {}),
        joins=tuple(
            Join(name, src, key, field, ()) for name, (src, key, field) in spec.get("join", {}).items()
        ),
        filter=spec.get("where"),
        group_by=spec.get("group_by", {}),
        sums=tuple(Sum(name, of, when, ()) for name, (of, when) in spec.get("sum", {}).items()),
        count=spec.get("count"),
        sort=spec.get("sort"),
        where=(),
    )


def test_integer_seconds_and_decimal_money_sum_exactly_over_thousands_of_records() -> None:
    rng = random.Random(7)
    items = [
        {
            "project": f"p{rng.randrange(5)}",
            "seconds": rng.randrange(1, 86401),
            "amount": f"{rng.randrange(1, 10**6) / 100:.2f}",
        }
        for _ in range(5000)
    ]
    sums = {"seconds": ("seconds", None), "amount": ("amount", None)}
    result = aggregate(
        step(group_by={"project": "project"}, sum=sums, count="entries"), {"items": items}, OPTIONS
    )
    assert result["total"]["seconds"] == sum(item["seconds"] for item in items)
    assert Decimal(result["total"]["amount"]) == sum(Decimal(item["amount"]) for item in items)
    assert result["total"]["entries"] == 5000
    for group in result["groups"]:
        mine = [item for item in items if item["project"] == group["project"]]
        assert group["seconds"] == sum(item["seconds"] for item in mine)
        assert group["amount"] == str(sum(Decimal(item["amount"]) for item in mine).quantize(Decimal("0.01")))
        assert isinstance(group["seconds"], int)


def test_no_float_drift_where_floats_would_drift() -> None:
    items = [{"amount": "0.10"}] * 10 + [{"amount": "0.2"}] * 3
    total = aggregate(step(sum={"amount": ("amount", None)}), {"items": items}, OPTIONS)["total"]
    assert sum([0.1] * 10 + [0.2] * 3) != 1.6  # what a float sum would say
    assert total["amount"] == "1.60"  # the largest number of places seen


def test_null_is_unknown_not_zero_but_nothing_to_add_is_zero() -> None:
    spec = step(group_by={"who": "who"}, sum={"amount": ("amount", None), "seconds": ("seconds", None)})
    items = [
        {"who": "member", "seconds": 60, "amount": None},
        {"who": "owner", "seconds": 60, "amount": "1.00"},
    ]
    groups = {g["who"]: g for g in aggregate(spec, {"items": items}, OPTIONS)["groups"]}
    assert groups["member"]["amount"] is None and groups["owner"]["amount"] == "1.00"
    assert aggregate(spec, {"items": []}, OPTIONS) == {"groups": [], "total": {"amount": 0, "seconds": 0}}
    assert aggregate(spec, {"items": None}, OPTIONS)["total"] == {"amount": 0, "seconds": 0}


def test_bad_values_are_an_error_not_a_guess() -> None:
    spec = step(sum={"seconds": ("seconds", None)})
    for bad in ("ninety", 1.5, True, [1]):
        with pytest.raises(AggregationError, match="sum 'seconds'"):
            aggregate(spec, {"items": [{"seconds": bad}]}, OPTIONS)
    with pytest.raises(AggregationError, match="not a list"):
        aggregate(spec, {"items": {"seconds": 1}}, OPTIONS)


def test_joins_lets_filters_and_conditional_sums() -> None:
    context = {
        "entries": [
            {"project_id": "p1", "seconds": 100, "billable": True, "invoice_id": None},
            {"project_id": "p1", "seconds": 50, "billable": False, "invoice_id": None},
            {"project_id": "p2", "seconds": 30, "billable": True, "invoice_id": "i1"},
            {"project_id": "gone", "seconds": 7, "billable": True, "invoice_id": None},
        ],
        "projects": [
            {"id": "p1", "name": "Web", "client_id": "c1"},
            {"id": "p2", "name": "App", "client_id": "c1"},
        ],
        "clients": [{"id": "c1", "name": "Acme"}],
        "wanted": "c1",
    }  # fmt: skip
    spec = step(
        over="entries",
        let={"client_filter": "wanted"},
        join={"project": ("projects", "project_id", "id"), "client": ("clients", "project.client_id", "id")},
        where="invoice_id == null && project.client_id == client_filter",
        group_by={"client": "client.name", "project": "project.name"},
        sum={"seconds": ("seconds", None), "billable_seconds": ("seconds", "billable")},
        count="entries",
    )
    result = aggregate(spec, context, OPTIONS)
    assert result["groups"] == [{"client": "Acme", "project": "Web", "seconds": 150, "billable_seconds": 100,
                                 "entries": 2}]  # fmt: skip
    without_filter = step(
        over="entries",
        join={"project": ("projects", "project_id", "id")},
        group_by={"project": "project.name"},
        sum={"seconds": ("seconds", None)},
    )
    names = [g["project"] for g in aggregate(without_filter, context, OPTIONS)["groups"]]
    assert names == ["Web", "App", None]  # an unknown project is its own group, never dropped silently


def test_groups_by_lists_and_objects_too() -> None:
    items = [{"tags": ["a", "b"], "s": 1}, {"tags": ["a", "b"], "s": 2}, {"tags": {"x": 1}, "s": 4}]
    spec = step(group_by={"tags": "tags"}, sum={"s": ("s", None)})
    groups = aggregate(spec, {"items": items}, OPTIONS)["groups"]
    assert groups == [{"tags": ["a", "b"], "s": 3}, {"tags": {"x": 1}, "s": 4}]


def test_sorting_is_stable_nulls_last_and_numeric_for_decimal_strings() -> None:
    items = [
        {"k": "b", "amount": "9.50"},
        {"k": "a", "amount": "10.00"},
        {"k": "c", "amount": None},
        {"k": "d", "amount": "9.50"},
    ]
    spec = step(group_by={"k": "k"}, sum={"amount": ("amount", None)}, sort="-amount")
    assert [g["k"] for g in aggregate(spec, {"items": items}, OPTIONS)["groups"]] == ["a", "b", "d", "c"]
    ascending = step(group_by={"k": "k"}, sum={"amount": ("amount", None)}, sort="amount")
    assert [g["k"] for g in aggregate(ascending, {"items": items}, OPTIONS)["groups"]] == ["b", "d", "a", "c"]


def test_engine_functions_are_exact_and_null_safe() -> None:
    data = {"s": 5400, "odd": 100, "rate": "95.00", "ts": "2026-03-29T01:30:00Z", "gap": None}
    assert evaluate("hours(s)", data, OPTIONS) == 1.5
    assert evaluate("hours(odd)", data, OPTIONS) == 0.03  # 0.02777 rounded half up
    assert evaluate("amount(odd, rate)", data, OPTIONS) == "2.64"  # 2.6388... -> 2.64
    assert evaluate("amount(s, gap)", data, OPTIONS) is None
    assert evaluate("duration_text(s)", data, OPTIONS) == "1h 30m"
    assert evaluate("duration_text(`45`)", data, OPTIONS) == "45s"
    assert evaluate("local_time(ts)", data, OPTIONS) == "2026-03-29T03:30:00+02:00"  # after the DST change
    assert evaluate('local_time(`"2026-03-29T00:30:00Z"`)', data, OPTIONS) == "2026-03-29T01:30:00+01:00"
    assert evaluate("local_time(gap)", data, OPTIONS) is None
    assert evaluate("without_nulls({a: s, b: gap})", data, OPTIONS) == {"a": 5400}
