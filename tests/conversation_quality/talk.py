"""The language of the per-language conversation tables: what a contact does (send a text, tap a
button, tap one on a menu left above, let time pass), what they should notice in the bot's
answer (what it says, in their language; what it offers; the same answer as for another way of
writing), and the checks every answer passes whatever the row (bold that WhatsApp shows as bold,
no placeholder left). Right-to-left marks are left to the queue worker's own tests: a transcript
may be read before the worker has laid a reply out."""

import re
import string
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiohttp.test_utils import TestClient

from gateway.appkeys import ENGINE, STORE
from gateway.demo import DEMO_CUSTOMER
from gateway.testing import FakeClock, Reply, SimulatedContact
from tests.inbound_files import jpeg

TODAY = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
"""When every conversation takes place: "15 Dec" and "24/12" are then weeks ahead."""
CUSTOMER = DEMO_CUSTOMER.removeprefix("sim:")
"""The demo customer: the demo orders, defects, subscription and bill are theirs."""
STAFF = "+15550003333"
"""The demo's factory operator, in the role staff: quality and maintenance are theirs to use."""
STRANGER = "+15550009999"
"""A number the demo data knows nothing about."""

RLM = "\u200f"
"""Right-to-left mark, which the queue worker adds to Arabic lines; ignored when comparing texts."""


@dataclass(frozen=True)
class Tap:
    """Tap the button or list row with this string's title, on the answer just received."""

    title: str


@dataclass(frozen=True)
class TapEarlier:
    """Tap an option of an earlier answer, still on screen further up the chat (a stale menu)."""

    title: str


@dataclass(frozen=True)
class Wait:
    """Let this many minutes pass before the next message."""

    minutes: int


@dataclass(frozen=True)
class Attach:
    """Send a file as the simulator page attaches one."""

    name: str
    content_type: str
    data: bytes = field(repr=False)


PHOTO = Attach("photo.jpg", "image/jpeg", jpeg())
"""A photo from the phone's camera."""

Step = str | Tap | TapEarlier | Wait | Attach
Gateways = Callable[[], Awaitable[TestClient]]
"""Starts another gateway with the four built-in plugins, on a store of its own (conftest.py)."""


class Phone(SimulatedContact):
    """A contact who can also tap options of any answer they received, not only the last."""

    def __init__(self, client: TestClient, phone: str, clock: FakeClock) -> None:
        super().__init__(client, phone, clock)
        self.seen: list[Reply] = []

    async def tap_earlier(self, title: str) -> list[Reply]:
        """Tap the option titled `title` on the latest answer that showed one."""
        for reply in reversed(self.seen):
            for option in reply.options:
                if option["title"] == title:
                    kind = "button_reply" if reply.raw.get("buttons") else "list_reply"
                    return await self._post({"reply_id": option["id"], "reply_title": title, "kind": kind})
        raise AssertionError(f"no option {title!r} was ever shown")


@dataclass
class Chat:
    """One contact's conversation with a gateway running the four built-in plugins, in a language."""

    client: TestClient
    clock: FakeClock
    language: str
    phone: Phone
    new_gateway: Gateways
    answers: list[list[Reply]] = field(default_factory=list)

    @classmethod
    async def start(cls, new_gateway: Gateways, clock: FakeClock, language: str, phone: str) -> "Chat":
        """A conversation with a gateway of its own, fresh from its demo data."""
        client = await new_gateway()
        return cls(client, clock, language, Phone(client, phone, clock), new_gateway)

    def text(self, key: str) -> str:
        """The bot's string `key` in this chat's language, placeholders left as written."""
        return self.client.app[ENGINE].catalog.text(key, self.language)

    def said(self, key: str) -> str:
        """The bot's string `key`, which must exist in the running gateway's catalog: the catalog
        answers an unknown key with the key itself, which no reply contains, so a misspelled key
        would let `never_says` pass whatever the bot said."""
        assert key in self.client.app[ENGINE].catalog.keys(), f"no string {key!r} in the gateway's catalog"
        return self.text(key)

    async def play(self, steps: tuple[Step, ...]) -> list[Reply]:
        """Do each step; the answer to the last one."""
        for step in steps:
            if isinstance(step, Wait):
                self.clock.advance(minutes=step.minutes)
                continue
            if isinstance(step, Tap):
                replies = await self.phone.press(self.title(step.title))
            elif isinstance(step, TapEarlier):
                replies = await self.phone.tap_earlier(self.title(step.title))
            elif isinstance(step, Attach):
                replies = await self.phone.attach(step.data, step.content_type, step.name)
            else:
                replies = await self.phone.send(step)
            self.phone.seen += replies
            self.answers.append(replies)
        return self.answers[-1]

    def title(self, title: str) -> str:
        """A title given as a string key ("orders.menu") in the chat's language, else as written."""
        text = self.text(title)
        return title if text == title else text


Check = Callable[[Chat, list[Reply]], Awaitable[None]]


def _pattern(template: str) -> re.Pattern[str]:
    """A template's fixed parts in order, anything in place of its placeholders."""
    parts = [re.escape(literal) for literal, *_ in string.Formatter().parse(template)]
    return re.compile(".*?".join(parts), re.DOTALL)


def _texts(replies: list[Reply]) -> list[str]:
    return [(reply.text or "").replace(RLM, "") for reply in replies]


def says(key: str) -> Check:
    """One of the answers is the bot's string `key`, in the chat's language."""

    async def check(chat: Chat, replies: list[Reply]) -> None:
        pattern = _pattern(chat.said(key))
        found = any(pattern.search(text) for text in _texts(replies))
        assert found, f"{key} ({chat.text(key)!r}) not in {_texts(replies)}"

    return check


def never_says(key: str) -> Check:
    """None of the answers is the bot's string `key`."""

    async def check(chat: Chat, replies: list[Reply]) -> None:
        pattern = _pattern(chat.said(key))
        assert not any(pattern.search(text) for text in _texts(replies)), f"{key} in {_texts(replies)}"

    return check


def offers(*titles: str) -> Check:
    """The answer offers these options (string keys, in the chat's language) to tap."""

    async def check(chat: Chat, replies: list[Reply]) -> None:
        shown = [title for reply in replies for title in reply.titles]
        wanted = [chat.title(title) for title in titles]
        assert set(wanted) <= set(shown), f"{wanted} not all among {shown}"

    return check


def offers_something() -> Check:
    """The answer ends on options to tap: the contact is never left at a dead end."""

    async def check(chat: Chat, replies: list[Reply]) -> None:
        assert replies and replies[-1].options, f"no options after {_texts(replies)}"

    return check


def answered() -> Check:
    """The bot answers something."""

    async def check(chat: Chat, replies: list[Reply]) -> None:
        assert any(_texts(replies)), "no answer"

    return check


def same_as(*steps: Step, numbers_aside: bool = False) -> Check:
    """The answer is word for word the one the same contact gets for `steps` on a fresh gateway;
    with `numbers_aside`, but for the numbers in it (a refusal repeats the number it refuses)."""

    def seen(replies: list[Reply]) -> list[str]:
        return [re.sub(r"\d+", "N", text) if numbers_aside else text for text in _texts(replies)]

    async def check(chat: Chat, replies: list[Reply]) -> None:
        reference = await Chat.start(chat.new_gateway, chat.clock, chat.language, chat.phone.phone.removeprefix("sim:"))
        expected = await reference.play(steps)
        _readable(reference)
        assert seen(replies) == seen(expected), f"{_texts(replies)} instead of {_texts(expected)}"

    return check


def still_notified() -> Check:
    """The contact has not been opted out of notifications."""

    async def check(chat: Chat, replies: list[Reply]) -> None:
        settings = (await chat.client.app[STORE].settings.contact(chat.phone.phone)).values
        assert not settings.get("opted_out"), f"opted out, told {_texts(replies)}"

    return check


MAIN_MENU = offers("orders.menu", "billing.menu", "help.menu")
"""The main menu's groups for a customer, in the chat's language."""
UNDERSTOOD = (answered(), never_says("core.not_understood"))
"""An answer, and not "I did not understand"."""
NOT_STOPPED = (never_says("core.stopped"), still_notified())
"""Notifications go on, and the bot does not say they stopped."""
STOP_IN_A_FORM = (*NOT_STOPPED, says("core.form.stop_asked"))
"""Notifications go on, and the bot asks whether to leave the form under way."""
STOP_ASKED_TO_CONFIRM = (*NOT_STOPPED, says("core.stop.confirm"), offers("core.stop.all", "core.stop.keep"))
"""Notifications go on until the contact confirms, with a button to stop them or keep them."""


def order_status(hello: str) -> tuple[Step, ...]:
    """Greet, then open Orders -> Order status: the bot asks which order."""
    return (hello, Tap("orders.menu"), Tap("orders.status"))


def pause_deliveries(hello: str) -> tuple[Step, ...]:
    """Greet, then open Billing -> Pause deliveries: the bot asks until when."""
    return (hello, Tap("billing.menu"), Tap("billing.pause"))


def defect_report(hello: str) -> tuple[Step, ...]:
    """Greet, then report a dimensional defect on order 4411 up to the severity question."""
    return (hello, Tap("defects.menu"), Tap("defects.report"), "4411", Tap("defects.type.dimensional"))


class Row:
    """What a contact sends, and what they should notice in the answer to their last message."""

    def __init__(self, *steps: Step, then: Check | tuple[Check, ...], phone: str = CUSTOMER) -> None:
        self.steps = steps
        self.checks = then if isinstance(then, tuple) else (then,)
        self.phone = phone


def files(hello: str, skip: str) -> list[Row]:
    """Rows every language has for files: a photo answers the defect form's photo step and a
    word for skipping (`skip`) skips it; a photo where an order number is asked for is
    explained, costs no attempt, and three of them leave the form going."""
    status = order_status(hello)
    photo_step = (*defect_report(hello), Tap("defects.severity.low"))
    return [
        Row(*photo_step, PHOTO, phone=STAFF, then=(says("defects.with_photo"), offers("defects.pdf.button"))),
        Row(*photo_step, skip, phone=STAFF, then=(says("defects.recorded"), never_says("defects.with_photo"))),
        Row(*status, PHOTO, then=(says("core.media.cannot.image"), says("orders.ask_order"),
                                  never_says("core.invalid_answer"))),  # fmt: skip
        Row(*status, PHOTO, PHOTO, PHOTO, "4411", then=same_as(*status, "4411")),
    ]


_BOLD = re.compile(r"\*[^*\n]+\*")
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _readable(chat: Chat) -> None:
    """Every answer of the chat shows as written: bold with no letter against its asterisks, and
    no placeholder left unfilled."""
    for replies in chat.answers:
        for text in (reply.text or "" for reply in replies):
            for bold in _BOLD.finditer(text):
                before = text[bold.start() - 1] if bold.start() else " "
                after = text[bold.end()] if bold.end() < len(text) else " "
                assert not (before.isalpha() or after.isalpha()), f"bold against a letter: {text!r}"
            assert not _PLACEHOLDER.search(text), f"placeholder left: {text!r}"


async def converse(new_gateway: Gateways, clock: FakeClock, language: str, row: Row) -> None:
    """Play a row against a fresh gateway with the four built-in plugins and check the answer."""
    clock.advance(seconds=(TODAY - clock.now()).total_seconds())
    chat = await Chat.start(new_gateway, clock, language, row.phone)
    replies = await chat.play(row.steps)
    for check in row.checks:
        await check(chat, replies)
    _readable(chat)


def ids(rows: list[Row]) -> list[str]:
    """Test ids that say what the contact sent."""
    return [" / ".join(map(_named, row.steps)) + (f" ({row.phone})" if row.phone != CUSTOMER else "") for row in rows]


def _named(step: Step) -> str:
    if isinstance(step, Tap):
        return f"[{step.title}]"
    if isinstance(step, TapEarlier):
        return f"[earlier {step.title}]"
    if isinstance(step, Wait):
        return f"({step.minutes} minutes later)"
    if isinstance(step, Attach):
        return f"<{step.name}>"
    return step
