"""`wa-gateway chat`: the simulator channel in a terminal, talking to a running gateway."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any, TextIO
from urllib.parse import urljoin

import aiohttp

from gateway.inbound.text_menus import chosen

REPLY_WAIT_SECONDS = 10.0
QUIET_SECONDS = 0.5
POLL_SECONDS = 0.1


class SimulatorOff(Exception):
    """The gateway answers, but its simulator is switched off (GATEWAY_SIMULATOR is not true)."""


class TerminalChat:
    """Sends each typed line as the simulated phone and prints the bot's answers; a number
    typed after a menu presses that option."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        base_url: str,
        phone: str,
        out: TextIO,
        *,
        quiet_seconds: float = QUIET_SECONDS,
    ) -> None:
        self._http = http
        self._quiet_seconds = quiet_seconds
        self._url = base_url.rstrip("/") + "/simulator/api/messages"
        self._phone = phone
        self._out = out
        self._seen: set[str] = set()
        self._options: list[dict[str, str]] = []

    async def run(self, lines: AsyncIterator[str]) -> None:
        await self._read_new(show=False)
        async for line in lines:
            if line.strip():
                await self.say(line.strip())

    async def say(self, text: str) -> None:
        """Post one line and print what the bot answers."""
        async with self._http.post(self._url, json={"phone": self._phone, **self._message(text)}) as response:
            self._check_switched_on(response)
            if response.status >= 400:
                self._print(f"! {(await response.json())['error']['message']}")
                return
        await self._print_replies()

    def _message(self, text: str) -> dict[str, Any]:
        option = chosen(text, self._options)
        if option is None:
            return {"text": text}
        return {"reply_id": option["id"], "reply_title": option["title"], "kind": option["kind"]}

    async def _print_replies(self) -> None:
        """Print replies as they arrive; stop once the bot has been quiet for a moment."""
        loop = asyncio.get_running_loop()
        deadline, quiet_since, replied = loop.time() + REPLY_WAIT_SECONDS, loop.time(), False
        while loop.time() < deadline and not (replied and loop.time() - quiet_since > self._quiet_seconds):
            if await self._read_new():
                replied, quiet_since = True, loop.time()
            await asyncio.sleep(POLL_SECONDS)
        if not replied:
            self._print("(no reply yet)")

    async def _read_new(self, show: bool = True) -> bool:
        async with self._http.get(self._url, params={"phone": self._phone}) as response:
            self._check_switched_on(response)
            messages = (await response.json())["messages"]
        fresh = [message for message in messages if message["id"] not in self._seen]
        self._seen.update(message["id"] for message in fresh)
        for message in fresh:
            if show and message["direction"] == "outbound":
                self._show(message)
        return any(message["direction"] == "outbound" for message in fresh)

    def _check_switched_on(self, response: aiohttp.ClientResponse) -> None:
        if response.status == 404:
            raise SimulatorOff(
                f"the gateway at {response.url.origin()} has the simulator off; "
                "restart it with GATEWAY_SIMULATOR=true to chat"
            )

    def _show(self, message: dict[str, Any]) -> None:
        if message.get("text"):
            self._print(f"bot: {message['text']}")
        if message.get("media"):
            self._print(f"bot: {self._file(message['media'])}")
        options = [option | {"kind": "button_reply"} for option in message.get("buttons") or []]
        for section in (message.get("list") or {}).get("sections", []):
            options += [{"id": row["id"], "title": row["title"], "kind": "list_reply"} for row in section["rows"]]
        if options:
            self._options = options
            for number, option in enumerate(options, start=1):
                self._print(f"  {number}. {option['title']}")

    def _file(self, media: dict[str, Any]) -> str:
        """A file in a line: its kind, name and caption, and the address a browser opens it at."""
        words = [f"[{media['kind']}]", media.get("filename"), media.get("caption")]
        if media.get("unavailable"):
            words.append(f"(file could not be fetched: {media['unavailable']})")
        elif media.get("url"):
            words.append(urljoin(self._url, media["url"]))
        return " ".join(word for word in words if word)

    def _print(self, line: str) -> None:
        print(line, file=self._out, flush=True)
