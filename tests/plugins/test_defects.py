"""The defects plugin, as an operator talks to it: in Spanish, in English, and over Twilio."""

import asyncio
from urllib.parse import urlencode

import pytest

from adapters.storage.sqlite import SqliteStore
from gateway.app import create_app
from gateway.appkeys import ENGINE, HANDOVERS, STORE
from gateway.demo import DEMO_OPERATOR
from gateway.handover.card import HandoverState
from gateway.models import InboundKind, InboundMessage, Provider
from gateway.testing import SimulatedContact, twilio_headers
from plugins.defects import demo
from plugins.defects.backend import EmbeddedDefects
from plugins.defects.plugin import DefectsPlugin
from gateway.notifications.notifier import role_key
from plugins.orders.plugin import OrdersPlugin
from tests.adapters.channels.conftest import fixture_json
from tests.gateway_fixtures import PUBLIC_URL, TWILIO_TOKEN


@pytest.fixture
async def operator(make_gateway, clock):
    return SimulatedContact(await make_gateway([OrdersPlugin(), DefectsPlugin()]), DEMO_OPERATOR, clock)


async def test_reporting_a_defect_in_spanish_gets_a_reference_and_holds_the_order(operator):
    greeting, menu = await operator.send("hola")
    assert menu.titles[:2] == ["Calidad", "Pedidos"]
    [entries] = await operator.press("Calidad")
    assert entries.titles == ["Reportar un defecto", "Mis defectos", "Seguir un defecto", "Ver SOP"]
    [question] = await operator.press("Reportar un defecto")
    assert question.text == "¿En qué pedido está el defecto? Envía el número de pedido."
    [types] = await operator.send("4411")
    assert types.titles == ["Rechazo interno", "Devolución cliente", "Dimensional", "Acabado superficial", "Otro"]
    [severity] = await operator.press("Dimensional")
    assert severity.titles == ["Baja", "Media", "Alta"] and severity.raw["buttons"]
    [photo] = await operator.press("Alta")
    assert photo.text == "Envía una foto del defecto u omite este paso." and photo.titles == ["Omitir"]
    recorded, handed_over = await operator.press("Omitir")
    assert recorded.text == (
        "Defecto registrado como *DEF-000003* (Dimensional, alta). El pedido ORD-4411 queda EN ESPERA."
    )
    assert handed_over.text.startswith("Una persona de nuestro equipo te responderá aquí")
    card = await operator.client.app[HANDOVERS].card(operator.phone)
    assert (card.state, card.detail) == (HandoverState.WAITING, "DEF-000003: high severity on order ORD-4411")
    assert await operator.send("¿me oyen?") == [], "the quality team has the conversation now"

    await operator.send("menú")
    await operator.press("Pedidos")
    await operator.press("Estado del pedido")
    _grafico, status = await operator.send("4411")
    assert "Estado: EN ESPERA" in status.text


async def test_a_typed_choice_wins_over_a_command_spelled_the_same(operator):
    await operator.send("hola")
    await operator.press("Calidad")
    await operator.press("Reportar un defecto")
    await operator.send("4411")
    await operator.press("Otro")
    await operator.send("alta")  # "alta" is also the Spanish command to opt back in
    recorded, _ = await operator.send("omitir")
    assert recorded.text.startswith("Defecto registrado como *DEF-000003* (Otro, alta).")


async def test_an_unknown_order_is_refused_and_asked_again(operator):
    await operator.send("menu")
    await operator.press("Quality")
    await operator.press("Report a defect")
    reason, again = await operator.send("1234")
    assert reason.text == "Order ORD-1234 does not exist. Check the number and send it again."
    assert again.text.startswith("Which order is the defect on?")


async def test_my_defects_and_tracking_one(operator):
    await operator.send("menu")
    await operator.press("Quality")
    [mine] = await operator.press("My defects")
    assert mine.text.splitlines() == [
        "Your recent defects:",
        "• DEF-000002, order ORD-4413: Dimensional, under investigation",
        "• DEF-000001, order ORD-4414: Internal Reject, resolved",
    ]
    await operator.send("menu")
    await operator.press("Quality")
    await operator.press("Track a defect")
    reason, _ = await operator.send("DEF-000099")
    assert reason.text == "There is no defect DEF-000099."
    [tracked] = await operator.send("def-000001")
    assert tracked.text.splitlines() == [
        "*DEF-000001* on order ORD-4414: Internal Reject, medium.",
        "Status: resolved",
        "Resolution: Burr removed; SOP-101 updated.",
    ]


async def test_view_an_sop(operator):
    await operator.send("menu")
    await operator.press("Quality")
    await operator.press("View SOP")
    sop, video, following = await operator.send("SOP-101")
    assert sop.text.splitlines()[0] == "*SOP-101: Deburring gear housings*"
    assert "2. Deburr all bores" in sop.text and sop.text.endswith("Last failure: Burr left in bore 3 (DEF-000001)")
    assert video.media["kind"] == "video" and video.media["url"] == demo.SOP_VIDEO
    assert video.media["caption"] == "Video for SOP-101: Deburring gear housings"
    assert following.titles == ["View SOP", "Menu"]


async def test_over_twilio_the_buttons_are_numbered_text_and_a_typed_number_answers(
    aiohttp_client, provider_settings, clock, stand_ins
):
    gateway = await aiohttp_client(
        create_app(provider_settings, clock=clock, plugins=[OrdersPlugin(), DefectsPlugin()], entry_points=False)
    )
    await gateway.app[STORE].settings.set(role_key("staff"), ["+15550001111"])
    sent = 0

    async def say(text: str) -> str:
        nonlocal sent
        sent += 1
        clock.advance(seconds=1)
        form = fixture_json("twilio", "text") | {
            "MessageSid": f"SM-defect-{sent}",
            "Body": text,
            "From": "whatsapp:+15550001111",
        }
        headers = twilio_headers(PUBLIC_URL + "/webhooks/twilio", form, TWILIO_TOKEN)
        await gateway.post("/webhooks/twilio", data=urlencode(form), headers=headers)
        before = len(stand_ins.twilio.requests)
        return (await stand_ins.twilio.wait_for(before + 1))[-1].form()["Body"]

    assert (await say("menu")).startswith("What would you like to do?\n\n1. Quality\n2. Orders")
    assert (await say("1")).endswith("1. Report a defect\n2. My defects\n3. Track a defect\n4. View SOP")
    assert (await say("1")).startswith("Which order is the defect on?")
    assert (await say("4412")).endswith("3. Dimensional\n4. Surface Finish\n5. Other")
    assert await say("4") == "How severe is it?\n\n1. Low\n2. Medium\n3. High"
    assert await say("2") == "Send a photo of the defect, or skip.\n\n1. Skip"
    assert await say("1") == (
        "Defect recorded as *DEF-000003* (Surface Finish, medium). Order ORD-4412 is now ON HOLD.\n\n"
        "1. Report as PDF\n2. Menu"
    ), "the result offers the next step, numbered as the buttons it carries"


async def report_on_4411(operator: SimulatedContact, retry_next_turn) -> str:
    """Report a defect on order 4411; the turn that records it runs twice, as after a lost lease."""
    await operator.send("menu")
    await operator.press("Quality")
    await operator.press("Report a defect")
    await operator.send("4411")
    await operator.press("Dimensional")
    await operator.press("High")
    retry_next_turn(operator.client)
    recorded, _ = await operator.press("Skip")
    return recorded.text


async def test_a_retried_turn_records_one_defect(operator, retry_next_turn):
    records = operator.client.app[STORE].records
    before = await records.find("defects", {"kind": "defect"})
    recorded = await report_on_4411(operator, retry_next_turn)
    assert recorded.startswith("Defect recorded as *DEF-000003*")
    after = await records.find("defects", {"kind": "defect"})
    assert [defect["reference"] for defect in after[: len(after) - len(before)]] == ["DEF-000003"]


async def test_two_runs_of_one_turn_side_by_side_record_one_defect(operator, clock):
    """As when a turn runs again on another process while its first run is still going."""
    records = operator.client.app[STORE].records
    backend = EmbeddedDefects(records)
    arguments = ("4411", "dimensional", "high", operator.phone, clock.now(), "inbound-1")
    first, second = await asyncio.gather(backend.report(*arguments), backend.report(*arguments))
    assert first == second
    mine = await records.find("defects", {"kind": "defect", "order_id": "4411"})
    assert [defect["reference"] for defect in mine] == [first.reference]


async def test_two_processes_starting_on_a_new_store_at_once_seed_the_demo_defects_once(tmp_path, clock):
    store = await SqliteStore.open(tmp_path / "gateway.db", clock)
    try:
        backend = EmbeddedDefects(store.records)
        await asyncio.gather(*(demo.seed(backend, store.records, clock.now()) for _ in range(2)))
        defects = await store.records.find("defects", {"kind": "defect"})
        assert sorted(defect["order_id"] for defect in defects) == ["4413", "4414"]
    finally:
        await store.close()


async def test_the_http_backend_posts_a_defect_with_one_idempotency_key_per_message(
    make_gateway, clock, business_system, retry_next_turn
):
    def defect(path: str, body: dict, number: int) -> dict:
        return body | {"reference": f"QA-{number}", "status": "open"}

    system = await business_system("DEFECTS", defect, {"/api/orders/4411": {"id": "4411"}})
    operator = await SimulatedContact(await make_gateway([DefectsPlugin()]), DEMO_OPERATOR, clock).hold("staff")
    assert (await report_on_4411(operator, retry_next_turn)).startswith("Defect recorded as *QA-1*")
    assert (await report_on_4411(operator, lambda client: None)).startswith("Defect recorded as *QA-2*")
    [(path, first), retried, (_, second)] = system.posts
    assert path == "/api/defects" and retried == (path, first)
    assert first and second and first != second


async def test_a_turn_run_again_after_a_crash_records_one_defect(operator, clock, monkeypatch):
    """As the inbox does when a process dies after a turn's side effects, before its save."""
    app = operator.client.app
    await operator.send("menu")
    await operator.press("Quality")
    await operator.press("Report a defect")
    await operator.send("4411")
    await operator.press("Dimensional")
    await operator.press("High")
    press = InboundMessage(
        provider=Provider.SIMULATOR,
        provider_message_id="crashed-turn",
        sender=operator.phone,
        timestamp=clock.now(),
        kind=InboundKind.BUTTON_REPLY,
        reply_id="form.skip",
        reply_title="Skip",
    )
    sessions, save = app[STORE].sessions, app[STORE].sessions.save
    crashes = iter([ConnectionError("the process died")])

    async def crash_once(*args, **kwargs):
        if (crash := next(crashes, None)) is not None:
            raise crash
        return await save(*args, **kwargs)

    monkeypatch.setattr(sessions, "save", crash_once)
    with pytest.raises(ConnectionError):
        await app[ENGINE].handle(press, {})
    recorded, _ = await app[ENGINE].handle(press, {})
    assert recorded.text.startswith("Defect recorded as *DEF-000003*")
    mine = await app[STORE].records.find("defects", {"kind": "defect", "order_id": "4411"})
    assert [defect["reference"] for defect in mine] == ["DEF-000003"]


async def test_a_defect_below_high_severity_stays_with_the_bot(operator):
    await operator.send("menu")
    await operator.press("Quality")
    await operator.press("Report a defect")
    await operator.send("4411")
    await operator.press("Dimensional")
    await operator.press("Medium")
    [recorded] = await operator.press("Skip")
    assert recorded.text.startswith("Defect recorded as *DEF-000003*")
    assert not (await operator.client.app[HANDOVERS].card(operator.phone)).held


async def test_an_sops_video_that_is_a_page_is_sent_as_a_link(make_gateway, clock, business_system):
    page = "https://intranet.example.com/sops/SOP-7/video"
    sop = {"id": "SOP-7", "title": "Bores", "steps": ["Clean the bores"], "video_url": page}
    await business_system("DEFECTS", lambda path, body, n: {}, {"/api/sops/SOP-7": sop})
    operator = await SimulatedContact(await make_gateway([DefectsPlugin()]), DEMO_OPERATOR, clock).hold("staff")
    await operator.send("menu")
    await operator.press("Quality")
    await operator.press("View SOP")
    _, link = await operator.send("SOP-7")
    assert link.media is None and link.text == f"Video for SOP-7: Bores\n{page}"
    assert link.titles == ["View SOP", "Menu"], "the next steps go with the link"
