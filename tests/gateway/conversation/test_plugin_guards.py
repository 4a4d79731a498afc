"""Plugins are guarded alike however they are written: one whose menu, form or default template
would break WhatsApp's limits in any language, or whose template does not parse, is refused at
start-up, named in the log, while the others and the menu keep working; a plain `def` action, lookup or completion works and fails like an
`async def` one."""

import logging

import pytest

from gateway.appkeys import STORE
from gateway.conversation.flows import Choice, Flow, MenuEntry, Step
from gateway.hookspecs import hookimpl
from gateway.models import Content
from gateway.notifications.events import EventRejected, EventType
from gateway.testing import SimulatedContact, post_event


class Parts:
    @hookimpl
    def register_menu_entries(self):
        return [MenuEntry("parts.order", title="parts.order", group="parts.menu", action=self.order)]

    @hookimpl
    def register_translations(self):
        return {"en": {"parts.menu": "Spare parts", "parts.order": "Order a part"}}

    async def order(self, conversation):
        return [Content(text="Which part?")]


class Wordy:
    """Fits in English; its Spanish group title is 32 characters, over a list row's 24."""

    @hookimpl
    def register_menu_entries(self):
        return [MenuEntry("wordy.go", title="wordy.go", group="wordy.menu", flow="wordy.ask")]

    @hookimpl
    def register_flows(self):
        size = Step("size", "wordy.ask_size", choices=(Choice("s", "wordy.small"), Choice("l", "wordy.large")))
        return [Flow("wordy.ask", (size,), self.done)]

    @hookimpl
    def register_translations(self):
        return {
            "en": {"wordy.menu": "Sizes", "wordy.go": "Pick a size", "wordy.ask_size": "Which?",
                   "wordy.small": "Small", "wordy.large": "Large, the one for the big machine"},
            "es": {"wordy.menu": "Tallas de todas las herramientas"},
        }  # fmt: skip

    async def done(self, answers, conversation):
        return [Content(text="ok")]


async def test_a_plugin_over_the_limits_is_refused_and_the_others_answer(make_gateway, clock, caplog):
    with caplog.at_level(logging.ERROR, logger="gateway.plugins"):
        gateway = await make_gateway([Parts(), Wordy()])
    [refusal] = [record.getMessage() for record in caplog.records if "is disabled" in record.getMessage()]
    assert refusal.startswith("plugin ")
    assert "menu entry wordy.go: 'wordy.menu' in es is 32 characters, over WhatsApp's 24" in refusal
    assert refusal.endswith("; form wordy.ask, step size: 'wordy.large' in en is 34 characters, over WhatsApp's 20")
    for phone, greeting in (("+15550002222", "hola"), ("+15550001111", "hi")):
        contact = SimulatedContact(gateway, phone, clock)
        menu = (await contact.send(greeting))[-1]
        assert "Spare parts" in menu.titles and not {"Sizes", "Tallas de todas las herramientas"} & set(menu.titles)
    [asked, *_] = await contact.press("Spare parts")
    assert asked.text == "Which part?"


class Notices:
    """Declares one template that is given as `body` and an event type that sends it."""

    def __init__(self, **template):
        self.template = {"name": "notice", "language": "en", "body": "Hi {{ name }}"} | template

    @hookimpl
    def register_templates(self):
        return [{"name": "notice_es", "language": "es", "body": "Hola {{ name }}"}, self.template]

    @hookimpl
    def register_event_types(self):
        return [EventType("notice.posted", "notice", required=("name",))]


@pytest.mark.parametrize(
    "template, reason",
    [
        ({"body": "Hi {{ name"}, "template notice (en): body: line 1: unexpected end of template, expected 'end of print statement'."),
        ({"body": "Hi " * 1_500}, "template notice (en): body: 4500 characters, over WhatsApp's 4096"),
        ({"language": "de"}, "template notice (de): language: must be one of en, es, fr, pt, ar, hi"),
        ({"provider_template": {"meta": {"parameters": ["name"]}}}, "template notice (en): provider_template.meta.name: Field required"),
        ({"provider_templates": {}}, "template notice (en): provider_templates: Extra inputs are not permitted"),
    ],
)  # fmt: skip
async def test_a_plugin_with_a_template_it_cannot_send_is_refused_and_the_others_answer(
    make_gateway, clock, caplog, template, reason
):
    with caplog.at_level(logging.ERROR, logger="gateway.plugins"):
        gateway = await make_gateway([Parts(), Notices(**template)], admin_token="t")
    [refusal] = [record.getMessage() for record in caplog.records if "is disabled" in record.getMessage()]
    assert refusal == f"plugin {__name__}.Notices is disabled: {reason}"
    listed = await (await gateway.get("/api/v1/plugins", headers={"Authorization": "Bearer t"})).json()
    [notices] = [plugin for plugin in listed["plugins"] if plugin["name"].endswith(".Notices")]
    assert (notices["in_service"], notices["refused"]) == (False, [reason])
    assert await gateway.app[STORE].templates.get("notice_es", "es") is None, "none of its templates is kept"
    with pytest.raises(EventRejected):
        await post_event(gateway, "notice.posted", {"name": "Ana"}, recipients=["sim:+15550001111"])
    contact = SimulatedContact(gateway, "+15550001111", clock)
    await contact.send("hi")
    [asked, *_] = await contact.press("Spare parts")
    assert asked.text == "Which part?"


class Plain:
    """A plugin written with plain `def`s: its action, lookup and completion work like async
    ones, and when one raises the contact gets the same apology and the error is counted."""

    @hookimpl
    def register_menu_entries(self):
        return [
            MenuEntry("plain.hours", title="plain.hours", group="plain.menu", action=self.hours),
            MenuEntry("plain.broken", title="plain.broken", group="plain.menu", action=self.broken),
            MenuEntry("plain.ask", title="plain.ask", group="plain.menu", flow="plain.ask"),
        ]

    @hookimpl
    def register_flows(self):
        return [Flow("plain.ask", (Step("code", "plain.ask_code", lookup=self.upper),), self.done)]

    @hookimpl
    def register_translations(self):
        return {"en": {"plain.menu": "Plain", "plain.hours": "Opening hours", "plain.broken": "Broken",
                       "plain.ask": "Send a code", "plain.ask_code": "Which code?"}}  # fmt: skip

    def hours(self, conversation):
        return [Content(text="We open at 9.")]

    def broken(self, conversation):
        raise RuntimeError("the backend is down")

    def upper(self, answer, conversation):
        return answer.upper()

    def done(self, answers, conversation):
        return [Content(text=f"Code {answers['code']} noted.")]


async def test_plain_def_actions_lookups_and_completions_answer_and_fail_like_async_ones(make_gateway, clock):
    gateway = await make_gateway([Plain()])
    contact = SimulatedContact(gateway, "+15550001111", clock)
    await contact.send("menu")
    await contact.press("Plain")
    assert (await contact.press("Opening hours"))[0].text == "We open at 9."
    await contact.send("menu")
    await contact.press("Plain")
    await contact.press("Send a code")
    assert (await contact.send("ab12"))[0].text == "Code AB12 noted."
    await contact.send("menu")
    await contact.press("Plain")
    [apology, *_] = await contact.press("Broken")
    assert apology.text.startswith("Sorry")
    metrics = await (await gateway.get("/metrics")).text()
    assert 'gateway_plugin_errors_total{hook="menu:plain.broken"' in metrics
    assert "Plain" not in (await contact.send("menu"))[-1].titles, "a failing plugin leaves the menu, as an async one does"


class Untranslated(Parts):
    """Its translations are not a hook (no @hookimpl), so its keys have no string anywhere."""

    def register_translations(self):
        return {"en": {"parts.menu": "Spare parts", "parts.order": "Order a part"}}


async def test_a_plugin_whose_menu_keys_have_no_string_is_refused_rather_than_shown_raw(make_gateway, clock, caplog):
    with caplog.at_level(logging.ERROR, logger="gateway.plugins"):
        gateway = await make_gateway([Untranslated(), Plain()])
    [refusal] = [record.getMessage() for record in caplog.records if "is disabled" in record.getMessage()]
    assert refusal == (
        f"plugin {__name__}.Untranslated is disabled: menu entry parts.order: 'parts.order' has no string in any "
        "language (register_translations gives none); menu entry parts.order: 'parts.menu' has no string in any "
        "language (register_translations gives none)"
    )
    menu = (await SimulatedContact(gateway, "+15550001111", clock).send("hi"))[-1]
    assert "parts.menu" not in menu.titles and "Plain" in menu.titles
