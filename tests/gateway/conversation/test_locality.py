"""Each contact is placed in a time zone and a locale: their own settings, else their phone
number's country, else the deployment's GATEWAY_TIME_ZONE and GATEWAY_LOCALE."""

from gateway.appkeys import PLUGIN_CONTEXT, STORE
from gateway.conversation.catalog import Catalog
from gateway.conversation.engine import Engine
from gateway.hookspecs import hookimpl
from gateway.models import Content
from gateway.testing import SimulatedContact


class Whereabouts:
    """Answers any message with the zone and locale the engine handed it."""

    @hookimpl
    def handle_message(self, message, conversation):
        async def answer():
            return [Content(text=f"{conversation.time_zone} {conversation.locale} {conversation.home_time_zone}")]

        return answer()


async def where(contact: SimulatedContact) -> str:
    [reply] = await contact.send("what time is it where I am")
    return reply.text


async def test_a_number_with_one_zone_follows_its_country(make_gateway, clock):
    client = await make_gateway([Whereabouts()])
    assert await where(SimulatedContact(client, "+12125550100", clock)) == "America/New_York en_US Asia/Kolkata"
    assert await where(SimulatedContact(client, "+5511987654321", clock)) == "America/Sao_Paulo en_IN Asia/Kolkata"


async def test_india_is_at_home_under_the_current_name_of_its_zone(make_gateway, clock):
    client = await make_gateway([Whereabouts()])
    india = SimulatedContact(client, "+919812345678", clock)  # phonenumbers answers "Asia/Calcutta"
    assert await where(india) == "Asia/Kolkata en_IN Asia/Kolkata"


async def test_a_mobile_of_a_country_with_several_zones_reads_its_main_one(make_gateway, clock):
    client = await make_gateway([Whereabouts()])
    spain = SimulatedContact(client, "+34612345678", clock)  # mainland and Canaries
    assert await where(spain) == "Europe/Madrid en_ES Asia/Kolkata"
    portugal = SimulatedContact(client, "+351912345678", clock)  # Lisbon, Madeira and Azores
    assert (await where(portugal)).startswith("Europe/Lisbon ")


async def test_a_number_of_no_country_falls_back_to_the_deployment(make_gateway, clock):
    client = await make_gateway([Whereabouts()], time_zone="Europe/Madrid", locale="es_ES")
    unknown = SimulatedContact(client, "+15550001111", clock)  # 555: no area, no zone
    assert await where(unknown) == "Europe/Madrid en_ES Europe/Madrid"


async def test_a_language_with_no_locale_in_the_territory_is_the_deployments_when_it_is_its(make_gateway, clock):
    client = await make_gateway([Whereabouts()], locale="es_MX")
    contact = SimulatedContact(client, "+919812345678", clock)
    await client.app[STORE].settings.update_contact("sim:+919812345678", {"language": "es"})
    assert await where(contact) == "Asia/Kolkata es_MX Asia/Kolkata", "no Spanish of India: the deployment's"
    await client.app[STORE].settings.update_contact("sim:+919812345678", {"language": "fr"})
    assert await where(contact) == "Asia/Kolkata fr_FR Asia/Kolkata", "no French of India nor Mexico: France's"


async def test_the_contacts_own_settings_win_and_the_language_keeps_their_territory(make_gateway, clock):
    client = await make_gateway([Whereabouts()])
    contact = SimulatedContact(client, "+919812345678", clock)
    await client.app[STORE].settings.update_contact(
        "sim:+919812345678", {"time_zone": "America/Mexico_City", "locale": "es_MX", "language": "es"}
    )
    assert await where(contact) == "America/Mexico_City es_MX Asia/Kolkata"
    await client.app[STORE].settings.update_contact("sim:+919812345678", {"language": "fr"})
    assert await where(contact) == "America/Mexico_City fr_FR Asia/Kolkata", "no French of Mexico: France's"


async def test_switching_language_in_a_turn_writes_the_new_one_as_in_the_contacts_territory(
    make_gateway, clock, monkeypatch
):
    shown_in = []
    main_menu = Engine._main_menu

    def recording(self, state, conversation):
        shown_in.append(conversation.locale)
        return main_menu(self, state, conversation)

    monkeypatch.setattr(Engine, "_main_menu", recording)
    client = await make_gateway([])
    mexican = SimulatedContact(client, "+525512345678", clock)
    await client.app[STORE].settings.update_contact("sim:+525512345678", {"language": "en"})
    await mexican.choose("language:es", "Español")
    await client.app[STORE].settings.update_contact("sim:+525512345678", {"language": "en"})
    await mexican.send("hola")
    assert shown_in == ["es_MX", "es_MX"], "the replies of the switching turn are written as in Mexico, not en_IN"


async def test_a_contact_read_to_outside_a_turn_is_placed_as_in_one(make_gateway, clock):
    """A file sent with a notification or an alert is written for its reader as a reply would be."""
    client = await make_gateway([Whereabouts()], locale="es_MX")
    store, context = client.app[STORE], client.app[PLUGIN_CONTEXT]
    await store.settings.update_contact("+34612345678", {"language": "es"})
    await store.settings.update_contact("+12125550100", {"language": "klingon"})
    catalog = Catalog()
    spain = await context.reader("+34612345678", catalog)
    assert (spain.language, spain.locale, spain.time_zone, spain.home_time_zone) == (
        "es",
        "es_ES",
        "Europe/Madrid",
        "Asia/Kolkata",
    )
    assert (spain.catalog, spain.idempotency_key) == (catalog, "")
    unknown = await context.reader("+12125550100", catalog, idempotency_key="in-1")
    assert (unknown.language, unknown.time_zone, unknown.idempotency_key) == ("en", "America/New_York", "in-1")
