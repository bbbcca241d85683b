"""Cheap checks of a parsed document before the expensive validation and execution.

graphql-core's validation can take exponential time on nested fragment spreads (ten
levels of ten spreads expand to 10^10 fields), and a document can ask for one costly
search per alias. These checks walk the document once, in time linear in its size,
and refuse what would cost too much with a message that names the limit.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    Visitor,
    visit,
)
from strawberry.extensions import SchemaExtension
from strawberry.extensions.validation_cache import _get_validate_cache

MAX_FIELDS = 1000  # fields of the operation once every fragment spread is expanded
MAX_COSTLY_FIELDS = 10  # root fields that run a search or a matrix, per request
COSTLY_ROOT_FIELDS = frozenset(
    {"models", "stats", "downloadSeries", "compare", "families", "family"}
)
VALIDATION_CACHE_SIZE = 256


class DocumentTooCostlyError(GraphQLError):
    """A document refused before validation; the message names the limit."""

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "BAD_REQUEST"})


def _selection_sets(node: Any) -> Iterator[SelectionSetNode]:
    selection_set = getattr(node, "selection_set", None)
    if selection_set is None:
        return
    yield selection_set
    for selection in selection_set.selections:
        yield from _selection_sets(selection)


@dataclass
class _Cost:
    fields: int = 0  # fields once every fragment spread is expanded
    costly: int = 0  # root fields in COSTLY_ROOT_FIELDS

    def add(self, other: _Cost) -> None:
        self.fields += other.fields
        self.costly += other.costly


def _measure(
    selection_set: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    memo: dict[str, _Cost],
    *,
    root: bool,
) -> _Cost:
    """The cost of a selection set with every fragment expanded. Fragments are measured
    once (memoized), so the walk stays linear while the counts may be astronomic."""
    cost = _Cost()
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            cost.fields += 1
            cost.costly += root and selection.name.value in COSTLY_ROOT_FIELDS
            if selection.selection_set is not None:
                inner = _measure(selection.selection_set, fragments, memo, root=False)
                cost.fields += inner.fields
        elif isinstance(selection, InlineFragmentNode):
            cost.add(_measure(selection.selection_set, fragments, memo, root=root))
        elif isinstance(selection, FragmentSpreadNode):
            cost.add(_fragment(selection.name.value, fragments, memo, root=root))
        if cost.fields > MAX_FIELDS:
            return cost  # no need to count further
    return cost


def _fragment(
    name: str, fragments: dict[str, FragmentDefinitionNode], memo: dict[str, _Cost], *, root: bool
) -> _Cost:
    key = f"{name}@{root}"
    if key in memo:
        return memo[key]
    fragment = fragments.get(name)
    memo[key] = _Cost()  # unknown fragments and cycles count nothing; validation reports them
    if fragment is not None:
        memo[key] = _measure(fragment.selection_set, fragments, memo, root=root)
    return memo[key]


class _NulFinder(Visitor):
    found = False

    def enter_string_value(self, node: StringValueNode, *_: Any) -> Any:
        if "\x00" in node.value:
            self.found = True
            return self.BREAK
        return None


def pick_operation(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode:
    """The operation to run.

    Raises:
        DocumentTooCostlyError: several operations and no (or an unknown) name.
    """
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        if len(operations) != 1:
            raise DocumentTooCostlyError(
                f"the document holds {len(operations)} operations: send operationName "
                "to say which one to run"
            )
        return operations[0]
    for operation in operations:
        if operation.name is not None and operation.name.value == operation_name:
            return operation
    raise DocumentTooCostlyError(f"the document has no operation named {operation_name!r}")


def check_document(document: DocumentNode, operation_name: str | None) -> None:
    """Refuse documents that are empty, ambiguous or would cost too much.

    Raises:
        DocumentTooCostlyError: with a message that names the problem and the limit.
    """
    operation = pick_operation(document, operation_name)
    for definition in document.definitions:
        for selection_set in _selection_sets(definition):
            if not selection_set.selections:
                line = selection_set.loc.start_token.line if selection_set.loc else "?"
                raise DocumentTooCostlyError(
                    f"empty selection set (line {line}): select at least one field"
                )
    finder = _NulFinder()
    visit(document, finder)
    if finder.found:
        raise DocumentTooCostlyError(
            "a string in the document holds a NUL character (\\u0000); remove it"
        )
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    cost = _measure(operation.selection_set, fragments, {}, root=True)
    if cost.fields > MAX_FIELDS:
        raise DocumentTooCostlyError(
            f"the operation selects more than {MAX_FIELDS} fields once its fragments are "
            "expanded; ask for fewer fields or split the request"
        )
    if cost.costly > MAX_COSTLY_FIELDS:
        raise DocumentTooCostlyError(
            f"the operation runs {cost.costly} searches or matrices "
            f"({', '.join(sorted(COSTLY_ROOT_FIELDS))}); at most {MAX_COSTLY_FIELDS} per "
            "request: split it into several requests"
        )


# Documents found fine, by identity: the parser cache hands out the same document for
# the same text, and walking it on every request took 2% of a worker's time under load.
# The document is held with its entry, so its id cannot be reused while it is there.
_CHECKED: OrderedDict[tuple[int, str | None], DocumentNode] = OrderedDict()


def _checked(document: DocumentNode, operation_name: str | None) -> None:
    """`check_document`, once per document object and operation name."""
    key = (id(document), operation_name)
    if _CHECKED.get(key) is document:
        return
    check_document(document, operation_name)  # raises: nothing kept
    _CHECKED[key] = document
    while len(_CHECKED) > VALIDATION_CACHE_SIZE:
        _CHECKED.popitem(last=False)


class GuardedValidation(SchemaExtension):
    """`check_document`, then graphql-core's validation (cached per document).

    It replaces strawberry's `ValidationCache`, so that a refused document never reaches
    the expensive validation rules.
    """

    def __init__(self) -> None:
        """Use the process-wide validation cache."""
        super().__init__()
        self._validate = _get_validate_cache(VALIDATION_CACHE_SIZE)

    def on_validate(self) -> Iterator[None]:
        """Check, then validate, before execution."""
        ctx = self.execution_context
        assert ctx.graphql_document is not None
        try:
            # The name the client sent: `operation_name` falls back to the first one's.
            _checked(ctx.graphql_document, ctx._provided_operation_name)
        except DocumentTooCostlyError as error:
            ctx.pre_execution_errors = [error]
        else:
            ctx.pre_execution_errors = self._validate(
                ctx.schema._schema, ctx.graphql_document, ctx.validation_rules
            )
        yield
