"""What a business system sends with each billing event: checked at the door, shown in the
OpenAPI document; any other key passes to the template as sent."""

from gateway.notifications.event_fields import Amount, Day, Moment, Month, Name
from gateway.notifications.events import EventData


class OrderConfirmed(EventData):
    order_id: Name
    customer_name: Name
    amount: Amount
    delivery_date: Day


class Delivery(EventData):
    customer_name: Name
    delivery_date: Day


class DeliveryDelayed(EventData):
    customer_name: Name
    eta: Moment


class PaymentDue(EventData):
    customer_name: Name
    amount: Amount
    period: Month
    due_date: Day


class PaymentReceived(EventData):
    customer_name: Name
    amount: Amount


class SubscriptionCreated(EventData):
    customer_name: Name
    product: Name
    start_date: Day


class SubscriptionPaused(EventData):
    customer_name: Name
    product: Name
    resume_date: Day


class ChurnRisk(EventData):
    customer_name: Name
    offer: Name


class ProductLaunched(EventData):
    product: Name
    area: Name
