"""JMESPath expressions compiled once into Python closures, with jmespath's own results.

jmespath's interpreter walks the expression's tree for every value it is applied to: a projection over
a 50-record page visits about a thousand nodes through a generic dispatcher. Here each node becomes a
closure once per expression, and the shapes manifests use most (a field, a chain of fields, a
multi-select hash of fields) become one specialised closure each, so a record is projected by one dict
comprehension. Every node keeps jmespath's semantics, line for line with jmespath.visitor.TreeInterpreter
(tests/test_jmespath_compiled.py checks them against jmespath on generated data and expressions); the node
kinds not compiled here (comparisons, filters, functions) are handed to jmespath's interpreter as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from jmespath.visitor import TreeInterpreter

if TYPE_CHECKING:
    from jmespath.visitor import _TreeNode as Node  # the AST's shape, as the type stubs declare it

Compiled = Callable[[Any], Any]


def compile_tree(node: Node) -> Compiled:
    """The closure that evaluates `node` (a jmespath AST, as `jmespath.compile(...).parsed`)."""
    build = _BUILDERS.get(node["type"], _interpreted)
    return build(node)


def _is_false(value: Any) -> bool:
    # JMESPath's falsiness (TreeInterpreter._is_false), by equality as jmespath does it.
    return value == "" or value == [] or value == {} or value is None or value is False


def _field(node: Node) -> Compiled:
    return _field_named(node["value"])


def _field_named(name: str) -> Compiled:
    def field(value: Any) -> Any:
        try:
            return value.get(name)
        except AttributeError:
            return None

    return field


def _chain(node: Node) -> Compiled:
    """subexpression, index_expression and pipe: each child applied to the previous one's result."""
    children = node["children"]
    if all(child["type"] == "field" for child in children):
        names = tuple(child["value"] for child in children)

        def fields(value: Any) -> Any:
            for name in names:
                try:
                    value = value.get(name)
                except AttributeError:
                    return None
            return value

        return fields
    steps = tuple(compile_tree(child) for child in children)

    def chain(value: Any) -> Any:
        for step in steps:
            value = step(value)
        return value

    return chain


def _multi_select_dict(node: Node) -> Compiled:
    pairs = node["children"]  # key_val_pair nodes: the output key, and one child expression
    if all(pair["children"][0]["type"] == "field" for pair in pairs):
        renames = tuple((pair["value"], pair["children"][0]["value"]) for pair in pairs)
        generic = tuple((key, _field_named(name)) for key, name in renames)

        def select_fields(value: Any) -> Any:
            if value is None:
                return None
            if type(value) is dict:  # the common case: one lookup per key, no call per field
                get = value.get
                return {key: get(name) for key, name in renames}
            return {key: field(value) for key, field in generic}

        return select_fields
    compiled = tuple((pair["value"], compile_tree(pair["children"][0])) for pair in pairs)

    def select(value: Any) -> Any:
        if value is None:
            return None
        return {key: expression(value) for key, expression in compiled}

    return select


def _multi_select_list(node: Node) -> Compiled:
    compiled = tuple(compile_tree(child) for child in node["children"])

    def select(value: Any) -> Any:
        if value is None:
            return None
        return [expression(value) for expression in compiled]

    return select


def _key_val_pair(node: Node) -> Compiled:
    return compile_tree(node["children"][0])


def _current(node: Node) -> Compiled:
    return _identity


def _identity(value: Any) -> Any:
    return value


def _literal(node: Node) -> Compiled:
    literal = node["value"]
    return lambda value: literal


def _index(node: Node) -> Compiled:
    position = node["value"]

    def index(value: Any) -> Any:
        if not isinstance(value, list):
            return None
        try:
            return value[position]
        except IndexError:
            return None

    return index


def _slice(node: Node) -> Compiled:
    bounds = slice(*cast(list[int | None], node["children"]))  # a slice's children are its bounds

    def sliced(value: Any) -> Any:
        return value[bounds] if isinstance(value, list) else None

    return sliced


def _projection(node: Node) -> Compiled:
    base, each = compile_tree(node["children"][0]), compile_tree(node["children"][1])
    if each is _identity:

        def project_identity(value: Any) -> Any:
            found = base(value)
            return [item for item in found if item is not None] if isinstance(found, list) else None

        return project_identity

    def project(value: Any) -> Any:
        found = base(value)
        if not isinstance(found, list):
            return None
        return [result for result in map(each, found) if result is not None]

    return project


def _value_projection(node: Node) -> Compiled:
    base, each = compile_tree(node["children"][0]), compile_tree(node["children"][1])

    def project_values(value: Any) -> Any:
        found = base(value)
        try:
            values = found.values()
        except AttributeError:
            return None
        return [result for result in map(each, values) if result is not None]

    return project_values


def _flatten(node: Node) -> Compiled:
    base = compile_tree(node["children"][0])

    def flatten(value: Any) -> Any:
        found = base(value)
        if not isinstance(found, list):
            return None
        merged: list[Any] = []
        for element in found:
            if isinstance(element, list):
                merged.extend(element)
            else:
                merged.append(element)
        return merged

    return flatten


def _or(node: Node) -> Compiled:
    left, right = compile_tree(node["children"][0]), compile_tree(node["children"][1])

    def either(value: Any) -> Any:
        matched = left(value)
        return right(value) if _is_false(matched) else matched

    return either


def _and(node: Node) -> Compiled:
    left, right = compile_tree(node["children"][0]), compile_tree(node["children"][1])

    def both(value: Any) -> Any:
        matched = left(value)
        return matched if _is_false(matched) else right(value)

    return both


def _interpreted(node: Node) -> Compiled:
    """Anything else (comparators, filters, functions, not): jmespath's interpreter, on this subtree."""
    interpreter = TreeInterpreter()
    return lambda value: interpreter.visit(node, value)


_BUILDERS: dict[str, Callable[[Node], Compiled]] = {
    "field": _field,
    "subexpression": _chain,
    "index_expression": _chain,
    "pipe": _chain,
    "multi_select_dict": _multi_select_dict,
    "multi_select_list": _multi_select_list,
    "key_val_pair": _key_val_pair,
    "current": _current,
    "identity": _current,
    "literal": _literal,
    "index": _index,
    "slice": _slice,
    "projection": _projection,
    "value_projection": _value_projection,
    "flatten": _flatten,
    "or_expression": _or,
    "and_expression": _and,
}
