"""gateway.testing as a plugin team uses it: what `SimulatedContact.received` returns."""

from datetime import datetime

from gateway.hookspecs import hookimpl
from gateway.notifications.event_fields import Name
from gateway.notifications.events import EventData, EventType
from gateway.testing import SimulatedContact, post_event


class Visit(EventData):
    what: Name


class Reminders:
    @hookimpl
    def register_templates(self):
        return [{"name": "visit", "language": "en", "body": "Reminder: {{ what }}", "category": "visits"}]

    @hookimpl
    def register_event_types(self):
        later = EventType("visit.later", "visit", data=Visit, send_at=lambda data: datetime.fromisoformat(data["at"]))
        return [EventType("visit.now", "visit", data=Visit), later]


async def test_received_returns_each_sent_notification_once_and_none_of_the_replies_already_returned(
    make_gateway, clock
):
    gateway = await make_gateway([Reminders()])
    contact = SimulatedContact(gateway, "+15550001111", clock)
    assert await contact.send("hi")  # the bot's greeting and menu, returned here
    await post_event(gateway, "visit.now", {"what": "your visit at 10"}, recipients=[contact.phone])
    at = clock.now().replace(hour=12).isoformat()
    await post_event(gateway, "visit.later", {"what": "your visit at 14", "at": at}, recipients=[contact.phone])
    assert [reply.text for reply in await contact.received()] == ["Reminder: your visit at 10"]
    assert await contact.received() == []
    clock.advance(hours=3)
    assert [reply.text for reply in await contact.received()] == ["Reminder: your visit at 14"]
