"""Declarative conversations: menu entries, and flows made of steps with choices and validation."""

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gateway.conversation.references import Reference
from gateway.models import Content, MediaKind

if TYPE_CHECKING:
    from gateway.conversation.context import Conversation

Answers = dict[str, str]


class InvalidAnswer(Exception):
    """Raised by a lookup: the answer is refused, for the reason in catalog key `key`."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Choice:
    """One allowed answer: `title` is a catalog key; the answer stored is `id`."""

    id: str
    title: str


@dataclass(frozen=True)
class Step:
    """One question. Choices go out as buttons (3 or fewer) or a list; a typed answer must
    match `pattern` when given, and is read as a `reference` when given (its canonical id);
    `lookup` may check it against the plugin's backend and return the value to store, or
    raise InvalidAnswer. With `media`, the answer is a file of one of those kinds, and the
    value stored is its media store id; an `optional` step has a Skip button, which stores ""."""

    name: str
    prompt: str
    choices: tuple[Choice, ...] = ()
    pattern: str | None = None
    invalid: str = "core.invalid_answer"
    lookup: Callable[[str, "Conversation"], Awaitable[str]] | None = None
    reference: Reference | None = None
    media: frozenset[MediaKind] = frozenset()
    optional: bool = False

    def matches(self, answer: str) -> bool:
        return self.pattern is None or re.fullmatch(self.pattern, answer, re.IGNORECASE) is not None


@dataclass(frozen=True)
class Flow:
    """A form: its steps in order, and what to do with the answers once all are given. Three
    refused answers end it, or with `hand_over_on_failures` hand the contact over to a person."""

    id: str
    steps: tuple[Step, ...]
    complete: Callable[[Answers, "Conversation"], Awaitable[list[Content]]]
    hand_over_on_failures: bool = False
    precondition: Callable[["Conversation"], Awaitable[list[Content]]] | None = field(default=None, compare=False)
    """Asked before the first question: replies it returns are sent instead of the form (a
    customer with no subscription is told so before being asked for a date); none, ask away."""


@dataclass(frozen=True)
class MenuEntry:
    """A main-menu entry: `title` and `group` are catalog keys; choosing it starts `flow`, or
    runs `action` and sends what it returns. With `roles`, only contacts holding one of them
    see and use it; empty, everyone does. Any of `keywords` (words in any language, such as
    "bill", "factura", "فاتورة") as a whole word in free text outside a form opens it too."""

    id: str
    title: str
    group: str
    flow: str | None = None
    action: Callable[["Conversation"], Awaitable[list[Content]]] | None = field(default=None, compare=False)
    order: int = 100
    roles: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
