"""Exact grouping and sums for workflow `aggregate:` steps.

Integers are summed as Python integers and decimal strings as Decimals (the result keeps the largest
number of places it met, "120.00" + "7.5" -> "127.50"), so no float drift creeps into seconds or
money. Nulls are skipped: a sum over no items is 0, but a sum over items that all lack the value is
null, so a figure the token may not see (a Member's rates and amounts) is never shown as zero.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import jmespath

from .expressions import Getter, field_path, getter, to_decimal, truthy
from .projection import compiled
from .workflow_model import AggregateStep


class AggregationError(ValueError):
    """An item's value cannot be summed (not an integer or a decimal string)."""


class _Total:
    """One running sum: an exact integer until a decimal string arrives."""

    __slots__ = ("decimal", "integer", "items", "places", "seen_text", "values")

    def __init__(self) -> None:
        self.integer = 0
        self.decimal: Decimal | None = None
        self.places = 0
        self.seen_text = False
        self.items = 0  # items offered, nulls included
        self.values = 0  # of which not null

    def add(self, value: Any, name: str) -> None:
        self.items += 1
        if value is None:
            return
        self.values += 1
        if isinstance(value, int) and not isinstance(value, bool):
            self.integer += value
            return
        number = to_decimal(value) if isinstance(value, str) else None
        if number is None:
            raise AggregationError(f"sum {name!r}: {value!r} is not an integer or a decimal string")
        self.seen_text = True
        self.decimal = number if self.decimal is None else self.decimal + number
        exponent = number.as_tuple().exponent
        self.places = max(self.places, -exponent if isinstance(exponent, int) and exponent < 0 else 0)

    def absorb(self, other: _Total) -> None:
        """Adds another running sum into this one (exactly: the grand total is the groups' sum)."""
        self.items += other.items
        self.values += other.values
        self.integer += other.integer
        self.places = max(self.places, other.places)
        if other.seen_text:
            assert other.decimal is not None
            self.seen_text = True
            self.decimal = other.decimal if self.decimal is None else self.decimal + other.decimal

    def value(self) -> int | str | None:
        if self.items and not self.values:
            return None  # every item lacked it: unknown, not zero
        if not self.seen_text:
            return self.integer
        assert self.decimal is not None
        total = self.decimal + self.integer
        return f"{total:.{self.places}f}"


def aggregate(step: AggregateStep, context: dict[str, Any], options: jmespath.Options) -> dict[str, Any]:
    """`{groups: [...], total: {...}}`: one object per group (its key fields, sums and count), and the
    sums and count over every item kept."""
    items = getter(step.over, options)(context)
    if items is None:
        items = []
    if not isinstance(items, list):
        raise AggregationError(f"'over' gave {type(items).__name__}, not a list")
    lets = {name: getter(expr, options)(context) for name, expr in step.let.items()}
    indexes = [(join, _index(getter(join.source, options)(context), join.field)) for join in step.joins]
    join_keys = [_item_getter(join.key, options) for join, _ in indexes]
    keep = _item_getter(step.filter, options) if step.filter else None
    fields = list(step.group_by)
    key_getters = [_item_getter(expr, options) for expr in step.group_by.values()]
    sums: list[tuple[str, Getter, Getter | None]] = [
        (s.name, _item_getter(s.of, options), _item_getter(s.when, options) if s.when else None)
        for s in step.sums
    ]
    # The hot loop (thousands of records): plain field paths are read without JMESPath (see getter), an
    # item is copied only when lets or joins add to it, and the grand total is summed from the groups.
    groups: dict[Any, tuple[dict[str, Any], list[_Total], list[int]]] = {}
    extend = bool(lets or indexes)
    for item in items:
        if not isinstance(item, dict):
            item = {}
        scope = {**item, **lets} if extend else item
        for (join, index), key_of in zip(indexes, join_keys, strict=True):
            scope[join.name] = index.get(_hashable(key_of(scope)))
        if keep is not None and not truthy(keep(scope)):
            continue
        values = tuple([get(scope) for get in key_getters])
        key: Any = values
        try:
            found = groups.get(key)
        except TypeError:  # an unhashable value (a list, an object) groups by its text
            key = repr(values)
            found = groups.get(key)
        if found is None:
            found = groups[key] = (dict(zip(fields, values, strict=True)), [_Total() for _ in sums], [0])
        _, totals, count = found
        count[0] += 1
        for (name, of, when), total in zip(sums, totals, strict=True):
            if when is None or truthy(when(scope)):
                total.add(of(scope), name)
    result_groups = [_output(step, keyed, totals, count[0]) for keyed, totals, count in groups.values()]
    if step.sort:
        _sort(result_groups, step.sort, list(step.group_by))
    overall = [_Total() for _ in sums]
    for _, totals, _ in groups.values():
        for grand, total in zip(overall, totals, strict=True):
            grand.absorb(total)
    overall_count = sum(count[0] for _, _, count in groups.values())
    return {"groups": result_groups, "total": _output(step, {}, overall, overall_count)}


def _item_getter(expression: str, options: jmespath.Options) -> Getter:
    """Items are always objects here: a single field name is a plain dict lookup."""
    path = field_path(compiled(expression).parsed)
    if path is not None and len(path) == 1:
        (key,) = path
        return lambda scope: scope.get(key)
    return getter(expression, options)


def _output(step: AggregateStep, fields: dict[str, Any], totals: list[_Total], count: int) -> dict[str, Any]:
    out = dict(fields)
    for spec, total in zip(step.sums, totals, strict=True):
        out[spec.name] = total.value()
    if step.count:
        out[step.count] = count
    return out


def _index(records: Any, key: str) -> dict[Any, Any]:
    """Records by their key field; a missing list (an optional step that failed) indexes nothing."""
    if not isinstance(records, list):
        return {}
    return {_hashable(r.get(key)): r for r in records if isinstance(r, dict) and r.get(key) is not None}


def _hashable(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool) or value is None else repr(value)


def _sort(groups: list[dict[str, Any]], spec: str, key_fields: list[str]) -> None:
    """By one field (descending with "-"), nulls last either way; ties in key order, so a result never
    depends on the order records arrived in."""
    field = spec.lstrip("-")
    groups.sort(key=lambda group: tuple(_sortable(group.get(k)) for k in key_fields))
    groups.sort(key=lambda group: _sortable(group.get(field)), reverse=spec.startswith("-"))
    nulls = [group for group in groups if group.get(field) is None]
    groups[:] = [group for group in groups if group.get(field) is not None] + nulls


def _sortable(value: Any) -> tuple[int, Any]:
    """Numbers by value (decimal strings too), then the rest as text; nulls compare first."""
    if value is None:
        return (0, "")
    number = to_decimal(value)
    if number is not None:
        return (1, number)
    return (2, str(value))
