"""`wa-gateway chat`: a terminal conversation through the simulator channel."""

import io

import aiohttp

from gateway.chat import TerminalChat


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


async def test_a_refused_message_is_shown_not_fatal(gateway):
    out = io.StringIO()
    async with aiohttp.ClientSession() as http:
        await TerminalChat(http, str(gateway.make_url("")), "12", out, quiet_seconds=0.05).say("hello")
    assert out.getvalue().startswith("! phone: ")
