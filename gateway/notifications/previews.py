"""A template rendered with given values as a notification would be (the deployment's currency
unless the values give one), before anything is queued: the admin API's and the command line's
preview, and a template send's check at the door, so all of them fail alike and name the value
at fault."""

import re
from typing import Any

from jinja2 import Environment, nodes

from gateway.conversation.locality import Locality
from gateway.notifications.delivery import CURRENCY_SETTING
from gateway.ports.records import TemplateVersion
from gateway.ports.store import Store
from gateway.templates import TemplateError, render

UNDEFINED = re.compile(r"'(\w+)' is undefined")


class Unrenderable(TemplateError):
    """The values cannot render the template: `variable` is the one at fault, None when no one
    value is (the template fails whatever it is given)."""

    def __init__(self, reason: str, variable: str | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.variable = variable

    def path(self, values: str) -> str:
        """Where the fault is in a request whose values are at `values` (context, template.parameters)."""
        return values if self.variable is None else f"{values}.{self.variable}"


async def preview_text(template: TemplateVersion, values: dict[str, Any], store: Store, locality: Locality) -> str:
    """The template's text for these values in its own language; raises Unrenderable."""
    currency = await store.settings.get(CURRENCY_SETTING) or locality.currency
    context = {CURRENCY_SETTING: currency} | values
    try:
        return await render(template.body, context, template.language)
    except TemplateError as error:
        raise Unrenderable(str(error), await _variable_at_fault(template, context, str(error))) from None


async def _variable_at_fault(template: TemplateVersion, context: dict[str, Any], error: str) -> str | None:
    """The undefined variable the error names, else the first variable whose filter refuses its
    value alone, else None."""
    if undefined := UNDEFINED.search(error):
        return undefined.group(1)
    for use in Environment().parse(template.body).find_all(nodes.Filter):
        if isinstance(use.node, nodes.Name) and use.node.name in context:
            alone = {"value": context[use.node.name], CURRENCY_SETTING: context[CURRENCY_SETTING]}
            try:
                await render(f"{{{{ value | {use.name} }}}}", alone, template.language)
            except TemplateError:
                return use.node.name
    return None
