"""What a business system sends with `defect.created`: checked at the door, shown in the
OpenAPI document; any other key passes to the template as sent."""

from typing import Annotated

from gateway.notifications.event_fields import Name, one_of
from gateway.notifications.events import EventData
from plugins.defects.backend import SEVERITIES


class DefectCreated(EventData):
    defect_id: Name
    order_id: Name
    defect_type: Name
    severity: Annotated[Name, one_of(*SEVERITIES)]
