"""Who may use what: the staff roles a contact holds, read from the same role settings that
notifications go to, and the polite refusal of an entry the contact may not use."""

from collections.abc import Iterable

from gateway.notifications.notifier import role_key
from gateway.phone import InvalidPhoneNumber, to_contact_id
from gateway.ports.store import Store

STAFF_ROLES = ("staff", "supervisors", "quality")
"""The roles that open the factory's functions: defects, maintenance, the production schedule
and BOM updates; any one of them is enough."""

async def roles_of(store: Store, contact: str, roles: Iterable[str]) -> frozenset[str]:
    """Which of `roles` the contact holds (members are the global settings `roles.<name>`), in
    one read of the store for each message."""
    names = list(dict.fromkeys(roles))
    members = await store.settings.many([role_key(name) for name in names])
    return frozenset(name for name in names if contact in (members.get(role_key(name)) or ()))


def owned_by(owner: str, contact: str) -> bool:
    """Whether a business system's owner of a record (an order's `customer`, a defect's
    `reporter`) is the contact, however the system writes the number ("15550001111",
    "+1 555-000-1111", "whatsapp:+1…"); an owner that is no phone number or id is nobody."""
    try:
        return to_contact_id(owner) == contact
    except InvalidPhoneNumber:
        return False
