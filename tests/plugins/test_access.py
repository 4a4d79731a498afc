"""Who may see what: a stranger, a customer and a staff member walk every flow and action that
shows or changes data, and the stranger learns nothing and changes nothing."""

import pytest

from gateway.appkeys import STORE
from gateway.conversation.flows import MenuEntry
from gateway.hookspecs import hookimpl
from gateway.models import Content
from gateway.notifications.notifier import role_key
from gateway.testing import SimulatedContact

STRANGER, STAFF = "+15550002222", "+15550003333"


class Shop:
    """A plugin with an entry for everyone and one for the staff role only."""

    @hookimpl
    def register_menu_entries(self):
        return [
            MenuEntry("shop.hours", "shop.hours", "shop.menu", action=self._hours, order=1),
            MenuEntry("shop.stock", "shop.stock", "shop.menu", action=self._stock, order=2, roles=("staff",)),
            MenuEntry("shop.safe", "shop.safe", "shop.back_office", action=self._stock, order=3, roles=("staff",)),
        ]

    @hookimpl
    def register_translations(self):
        titles = {"shop.menu": "Shop", "shop.hours": "Hours", "shop.stock": "Stock", "shop.back_office": "Office"}
        return {"en": titles, "es": {"shop.menu": "Tienda", "shop.hours": "Horario"}}

    async def _hours(self, conversation):
        return [Content(text="9 to 5")]

    async def _stock(self, conversation):
        return [Content(text="12 crates in the back room")]


@pytest.fixture
async def shop(make_gateway):
    client = await make_gateway([Shop()])
    await client.app[STORE].settings.set(role_key("staff"), ["sim:" + STAFF])
    return client


async def test_an_entry_for_a_role_is_shown_only_to_its_members(shop):
    stranger, staff = SimulatedContact(shop, STRANGER), SimulatedContact(shop, STAFF)
    [menu] = await stranger.send("menu")
    assert "Office" not in menu.titles, "a group with nothing the stranger may use is not shown"
    [hours] = await stranger.press("Shop")
    assert hours.text == "9 to 5", "the one entry left in the group starts at once"
    [menu] = await staff.send("menu")
    assert menu.titles[:2] == ["Shop", "Office"]
    [entries] = await staff.press("Shop")
    assert entries.titles == ["Hours", "Stock"]
    [stock] = await staff.press("Stock")
    assert stock.text == "12 crates in the back room"


async def test_a_forbidden_entry_reached_from_a_stale_menu_is_refused_politely(shop):
    staff = SimulatedContact(shop, STAFF)
    await staff.send("menu")
    await staff.press("Shop")
    await shop.app[STORE].settings.set(role_key("staff"), [])  # the role is taken away meanwhile
    refusal, menu = await staff.press("Stock")
    assert refusal.text == "Sorry, that option is not available to you."
    assert menu.titles[0] == "Shop" and "Office" not in menu.titles


async def test_a_forbidden_group_reached_anyway_is_refused_in_the_contacts_language(shop):
    staff = SimulatedContact(shop, STAFF)
    await staff.send("hola")
    await shop.app[STORE].settings.set(role_key("staff"), [])
    refusal, menu = await staff.press("Office")
    assert refusal.text == "Lo siento, esa opción no está disponible para ti."
    assert menu.titles[0] == "Tienda" and "Office" not in menu.titles
