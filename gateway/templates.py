"""Notification templates: Jinja2 in the sandbox with strict undefined variables, since
operators edit them at run time; amounts, dates and times render in the contact's language,
locale and time zone through filters (money, date, datetime, month, percent). A render
runs in a separate process within a time and memory budget, so no template can stall or
exhaust the gateway, and every way a template can fail is a TemplateError with a reason."""

from datetime import date, datetime
from decimal import InvalidOperation
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, Undefined, UndefinedError, nodes, pass_context
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from gateway.bounded_calls import MIB, BoundedCalls, Budget, OverBudget
from gateway.conversation import formatting
from gateway.conversation.formatting import Recipient
from gateway.conversation.locality import DEFAULT_LOCALE, LANGUAGE_LOCALES

MAX_TEXT = 65_536
"""Characters a render, or any one string or list built while rendering, may reach."""
MAX_INTEGER_BITS = 4_096
BUDGET = Budget(seconds=0.5, memory_bytes=256 * MIB)
STANDALONE = (nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)
"""Tags that load another template: there is nothing to load from, so they are refused at save."""


RECIPIENT = "recipient"
"""The context key filters read the reader's locale and time zone from."""


class TemplateError(ValueError):
    """A template that cannot be saved or rendered, with a reason an operator can act on."""


@pass_context
def _money(context: Context, amount: float | str, currency: str | None = None) -> str:
    _defined(amount)
    try:
        return formatting.money(amount, currency or context.get("currency"), context[RECIPIENT])
    except (InvalidOperation, TypeError, ValueError):
        raise TemplateError("the money filter needs a number, such as 1860 or 12.50") from None


@pass_context
def _date(context: Context, value: str | date) -> str:
    """A date, or the day a moment falls on where the recipient is."""
    return formatting.day(_moment(value, "date"), context[RECIPIENT])


@pass_context
def _datetime(context: Context, value: str | datetime) -> str:
    moment = _moment(value, "datetime")
    if not isinstance(moment, datetime):
        raise TemplateError("the datetime filter needs a date and a time, such as 2026-01-10T09:30+05:30")
    return formatting.moment(moment, context[RECIPIENT])


@pass_context
def _month(context: Context, value: str | date) -> str:
    """`2025-12` (or a date in it) in the recipient's language; other text, such as a business
    system's own "December 2025", is shown as sent rather than failing the notification."""
    text = f"{value}-01" if isinstance(value, str) and len(value) == len("2026-01") else value
    try:
        moment = _moment(text, "month")
    except TemplateError:
        return str(value)
    return formatting.month(moment.date() if isinstance(moment, datetime) else moment, context[RECIPIENT])


@pass_context
def _percent(context: Context, value: float | str) -> str:
    _defined(value)
    try:
        return formatting.percent(value, context[RECIPIENT])
    except (InvalidOperation, TypeError, ValueError):
        raise TemplateError("the percent filter needs a number in percent, such as 98.5") from None


def _moment(value: object, name: str) -> date:
    """A date for `2026-01-10`, a datetime when a time is given."""
    _defined(value)
    if isinstance(value, date):
        return value
    try:
        if isinstance(value, str) and len(value.strip()) == len("2026-01-10"):
            return date.fromisoformat(value.strip())
        return datetime.fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise TemplateError(f"the {name} filter needs an ISO date, such as 2026-01-10 or 2026-01-10T09:30") from None


def _defined(value: object) -> None:
    """A value missing from the context is named as missing, not as one the filter cannot read."""
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox, with the operators that can build huge values checked before they run."""

    intercepted_binops = frozenset({"*", "**", "+"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(left, int) and isinstance(right, int):
            _check_bits(left.bit_length() * right)
        elif operator == "*" and isinstance(left, int) and isinstance(right, int):
            _check_bits(left.bit_length() + right.bit_length())
        elif operator == "*":
            sized, times = (left, right) if isinstance(right, int) else (right, left)
            if isinstance(times, int) and hasattr(sized, "__len__"):
                _check_length(len(sized) * times)
        elif hasattr(left, "__len__") and hasattr(right, "__len__"):
            _check_length(len(left) + len(right))
        return super().call_binop(context, operator, left, right)


def _check_bits(bits: int) -> None:
    if bits > MAX_INTEGER_BITS:
        raise TemplateError(f"a number would have more than {MAX_INTEGER_BITS:,} bits")


def _check_length(length: int) -> None:
    if length > MAX_TEXT:
        raise TemplateError(f"a value would be longer than {MAX_TEXT:,} characters")


_ENVIRONMENT = _Sandbox(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
_ENVIRONMENT.filters.update(money=_money, date=_date, datetime=_datetime, month=_month, percent=_percent)
_RENDERER = BoundedCalls(BUDGET, preload=[__name__])


def check(body: str) -> None:
    """Refuse a body that does not compile or loads another template, naming the line and problem."""
    _compiled(body)


@lru_cache(maxsize=1_024)
def _compiled(body: str) -> Template:
    """Parsed and compiled once per body (and process): a template changes rarely and renders
    for every recipient, and compiling one costs far more than rendering it."""
    try:
        parsed = _ENVIRONMENT.parse(body)
        loads = next(parsed.find_all(STANDALONE), None)
        if loads is not None:
            raise TemplateError(f"line {loads.lineno}: a template stands alone; it cannot extend, include or import")
        return _ENVIRONMENT.from_string(parsed)
    except TemplateSyntaxError as error:
        raise TemplateError(f"line {error.lineno}: {error.message}") from None
    except (RecursionError, SyntaxError, MemoryError):
        raise TemplateError("the template is nested too deeply") from None


async def render(body: str, context: dict[str, Any], language: str, recipient: Recipient | None = None) -> str:
    """The body filled from `context` for `recipient` (their locale and time zone; by default
    the language's own locale in the deployment's zone), rendered in a separate process within
    BUDGET; raises TemplateError for a missing variable, a forbidden attribute or any other failure."""
    try:
        return await _RENDERER.call(fill, body, context, language, recipient)
    except OverBudget as error:
        raise TemplateError(str(error)) from None


async def start_renderer() -> None:
    """Start the render processes at start-up, so the first notification does not wait for them."""
    await render("", {}, "en")


def fill(body: str, context: dict[str, Any], language: str, recipient: Recipient | None = None) -> str:
    """The render itself, in this process, bounded in size but not in time: `render` runs it
    where it can be stopped. Whatever the template raises is its own failure, so every error
    becomes a TemplateError; only running out of memory is left to the budget."""
    template = _compiled(body)
    try:
        pieces, length = [], 0
        reader = recipient or Recipient(LANGUAGE_LOCALES.get(language, DEFAULT_LOCALE))
        for piece in template.generate(context | {"language": language, RECIPIENT: reader}):
            length += len(piece)
            _check_length(length)
            pieces.append(piece)
        return "".join(pieces).strip()
    except (TemplateError, MemoryError):
        raise
    except UndefinedError as error:
        raise TemplateError(f"missing value: {error.message}") from None
    except SecurityError as error:
        raise TemplateError(f"not allowed in a template: {error}") from None
    except RecursionError:
        raise TemplateError("the template calls itself too deeply") from None
    except Exception as error:
        raise TemplateError(f"cannot render: {type(error).__name__}: {str(error)[:200]}") from None
