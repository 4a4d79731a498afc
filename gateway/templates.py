"""Notification templates: Jinja2 in the sandbox with strict undefined variables, since
operators edit them at run time; amounts and dates render in the contact's language."""

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, UndefinedError, pass_context
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from gateway.conversation import formatting


class TemplateError(ValueError):
    """A template that cannot be saved or rendered, with a reason an operator can act on."""


@pass_context
def _money(context: Context, amount: float, currency: str | None = None) -> str:
    return formatting.money(amount, context["language"], currency)


@pass_context
def _date(context: Context, value: str | date) -> str:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return formatting.day(moment.date() if isinstance(moment, datetime) else moment, context["language"])


@pass_context
def _datetime(context: Context, value: str | datetime) -> str:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return formatting.moment(moment, context["language"])


_ENVIRONMENT = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
_ENVIRONMENT.filters.update(money=_money, date=_date, datetime=_datetime)


@lru_cache(maxsize=1_024)
def _compiled(body: str) -> Template:
    """Parsed and compiled once per body: a template changes rarely and renders for every
    recipient, and compiling one costs far more than rendering it."""
    check(body)
    return _ENVIRONMENT.from_string(body)


def check(body: str) -> None:
    """Refuse a body that does not parse, naming the line and the problem."""
    try:
        _ENVIRONMENT.parse(body)
    except TemplateSyntaxError as error:
        raise TemplateError(f"line {error.lineno}: {error.message}") from None


def render(body: str, context: dict[str, Any], language: str) -> str:
    """The body filled from `context`; a missing variable or a forbidden attribute is a TemplateError."""
    try:
        return _compiled(body).render(context | {"language": language}).strip()
    except UndefinedError as error:
        raise TemplateError(f"missing value: {error.message}") from None
    except SecurityError as error:
        raise TemplateError(f"not allowed in a template: {error}") from None
