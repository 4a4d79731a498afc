"""`wa-gateway chat`: a terminal conversation through the simulator channel."""

import io

import aiohttp
import pytest

from gateway.app import create_app
from gateway.appkeys import MEDIA
from gateway.chat import SimulatorOff, TerminalChat
from tests.adapters.channels.test_simulator_media import Files
from tests.gateway.test_cli import free_port, run_gateway, wait_for_health


async def lines(*typed: str):
    for line in typed:
        yield line + "\n"


async def test_a_terminal_conversation_with_a_numbered_menu(gateway):
    out = io.StringIO()
    async with aiohttp.ClientSession() as http:
        chat = TerminalChat(http, str(gateway.make_url("")), "+15550001111", out, quiet_seconds=0.05)
        await chat.run(lines("ping", "list", "2", "9"))
    transcript = out.getvalue().splitlines()
    assert transcript[:6] == [
        "bot: echo: ping",
        "bot: Choose",
        "  1. Option 1",
        "  2. Option 2",
        "  3. Option 3",
        "bot: echo: opt.2",
    ]
    assert transcript[6] == "bot: echo: 9", "a number with no such option is plain text"


async def test_a_file_from_the_bot_is_a_line_with_the_address_a_browser_opens(make_gateway):
    files = Files()
    gateway = await make_gateway([files])
    files.media = gateway.app[MEDIA]
    out = io.StringIO()
    async with aiohttp.ClientSession() as http:
        await TerminalChat(http, str(gateway.make_url("")), "+15550001111", out, quiet_seconds=0.05).say("chart")
        line = out.getvalue().strip()
        assert line.startswith("bot: [image] Order 4411 http://")
        async with http.get(line.split()[-1]) as opened:
            assert opened.status == 200 and opened.content_type == "image/jpeg"


async def test_digits_that_are_no_number_are_sent_as_text(gateway):
    out = io.StringIO()
    async with aiohttp.ClientSession() as http:
        chat = TerminalChat(http, str(gateway.make_url("")), "+15550001111", out, quiet_seconds=0.05)
        await chat.run(lines("list", "①", "²"))
    assert out.getvalue().splitlines()[-2:] == ["bot: echo: ①", "bot: echo: ²"]


async def test_a_refused_message_is_shown_not_fatal(gateway):
    out = io.StringIO()
    async with aiohttp.ClientSession() as http:
        await TerminalChat(http, str(gateway.make_url("")), "12", out, quiet_seconds=0.05).say("hello")
    assert out.getvalue().startswith("! phone: ")


async def test_a_gateway_with_the_simulator_off_is_reported_not_chatted_with(aiohttp_client, settings):
    switched_off = await aiohttp_client(create_app(settings.model_copy(update={"simulator": False}), entry_points=False))
    async with aiohttp.ClientSession() as http:
        chat = TerminalChat(http, str(switched_off.make_url("")), "+15550001111", io.StringIO())
        with pytest.raises(SimulatorOff, match="GATEWAY_SIMULATOR=true"):
            await chat.run(lines("hello"))


def test_wa_gateway_chat_says_in_one_line_that_the_simulator_is_off(tmp_path):
    port = free_port()
    server = run_gateway("serve", cwd=tmp_path, GATEWAY_PORT=str(port))
    try:
        wait_for_health(port, server)
        chat = run_gateway("chat", "--url", f"http://127.0.0.1:{port}", cwd=tmp_path)
        _, errors = chat.communicate(input="hello\n", timeout=30)
    finally:
        server.kill()
    assert chat.returncode == 1
    assert errors.splitlines() == [
        f"wa-gateway chat: the gateway at http://127.0.0.1:{port} has the simulator off; "
        "restart it with GATEWAY_SIMULATOR=true to chat"
    ]
