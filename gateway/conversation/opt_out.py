"""Opting out by STOP, confirmed first: which notifications the contact can stop (all, or the
category of the latest one they received) and the buttons that ask them."""

from typing import Any

from gateway.conversation.context import Conversation
from gateway.models import MAX_BUTTON_TITLE_CHARS, Button, Content, Priority
from gateway.ports.records import Direction, LogQuery
from gateway.ports.store import Store

OPT_OUT = "optout:"
ALL, KEEP, CATEGORY = OPT_OUT + "all", OPT_OUT + "keep", OPT_OUT + "category:"
RECENT_MESSAGES = 20
"""How far back in the contact's messages to look for the latest notification."""


async def latest_category(store: Store, contact: str, language: str) -> str | None:
    """The category of the latest notification sent to the contact (its template's), if any.
    A sent entry's payload is the rendered text, so the template is read from its queue job."""
    page = await store.log.query(LogQuery(contact=contact, direction=Direction.OUTBOUND, limit=RECENT_MESSAGES))
    notification = next((entry for entry in page.entries if _is_notification(entry.payload)), None)
    if notification is None:
        return None
    template = notification.payload.get("template")
    if template is None and (job := await store.queue.get(notification.id)) is not None:
        template = job.message.get("template")
    if not template:
        return None
    saved = await store.templates.get(template["name"], template.get("language") or language)
    return saved.category if saved else None


def _is_notification(payload: dict[str, Any]) -> bool:
    """Neither a reply to the contact nor an operator's message."""
    return payload.get("priority") != Priority.REPLY and payload.get("sent_by") is None


def category_name(category: str, conversation: Conversation) -> str:
    """A category as the contact reads it: the core's translation when it has one."""
    key = f"core.category.{category}"
    return conversation.t(key) if key in conversation.catalog.keys() else category


def confirmation(category: str | None, conversation: Conversation) -> Content:
    """Ask before opting out, saying what each choice stops and how to undo it."""
    stop_all = Button(id=ALL, title=conversation.t("core.stop.all"))
    keep = Button(id=KEEP, title=conversation.t("core.stop.keep"))
    if category is None:
        return Content(text=conversation.t("core.stop.confirm"), buttons=[stop_all, keep])
    name = category_name(category, conversation)
    only = Button(id=CATEGORY + category, title=name[:MAX_BUTTON_TITLE_CHARS])
    return Content(text=conversation.t("core.stop.confirm_category", category=name), buttons=[stop_all, only, keep])
