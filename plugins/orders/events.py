"""What a business system sends with `order.completed`: checked at the door, shown in the
OpenAPI document; any other key passes to the template as sent."""

from gateway.notifications.event_fields import Moment, Name
from gateway.notifications.events import EventData


class OrderCompleted(EventData):
    order_id: Name
    completed_at: Moment
