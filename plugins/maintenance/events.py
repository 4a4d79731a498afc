"""What a business system sends with each maintenance event: checked at the door, shown in the
OpenAPI document; any other key passes to the template as sent."""

from typing import Annotated

from gateway.notifications.event_fields import Moment, Name, one_of
from gateway.notifications.events import EventData
from plugins.maintenance.backend import URGENCIES


class TicketCreated(EventData):
    ticket_id: Name
    machine_id: Name
    urgency: Annotated[Name, one_of(*URGENCIES)]
    sla_deadline: Moment


class ShiftScheduled(EventData):
    operator_name: Name
    shift_start: Moment
    line: Name
