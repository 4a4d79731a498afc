"""The demo's two people, shared by every built-in plugin's embedded demo data: the simulator's
default customer and a factory operator who holds the role `staff`."""

from weakref import WeakSet

from gateway.notifications.notifier import role_key
from gateway.ports.store import SettingsRepository

DEMO_CUSTOMER = "sim:+15550001111"
"""The simulator page's default phone, as the simulated contact it chats as: never a real customer."""
DEMO_OPERATOR = "sim:+15550003333"
"""The demo's factory operator (`?phone=+15550003333` on the simulator page), who holds the role
`staff`: defects, maintenance, the production schedule and BOM changes are theirs."""

_staffed: WeakSet[SettingsRepository] = WeakSet()


async def seed_staff(settings: SettingsRepository) -> None:
    """Give the demo's operator the role `staff`, unless the role was ever set (an operator's
    choice, even an empty list, stands); once per store, however many plugins run on demo data."""
    if settings in _staffed:
        return
    _staffed.add(settings)
    if await settings.get(role_key("staff")) is None:
        await settings.set(role_key("staff"), [DEMO_OPERATOR])
