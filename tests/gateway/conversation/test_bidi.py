"""Right to left: an Arabic line that starts with Latin text, a digit or an emoji gets a
right-to-left mark, so WhatsApp lays it out as Arabic reads; every message an Arabic contact
receives (replies, notifications, operators' messages, numbered text menus) passes there."""

import pytest

from adapters.storage.sqlite import SqliteStore
from gateway.conversation.bidi import RLM, right_to_left, written_right_to_left
from gateway.models import OutboundMessage, Priority, Provider
from gateway.notifications.delivery import DeliveryRules
from gateway.notifications.template_service import TemplateService
from gateway.ports.records import LogStatus
from gateway.outbound.worker import LEASE
from tests.gateway.test_worker import ScriptedChannel, worker

ARABIC, ENGLISH = "+966501234567", "+919812345678"


@pytest.mark.parametrize(
    ("line", "marked"),
    [
        ("*MAINT-000045*: يتبقى 5 ساعات", True),
        ("CNC-01 متوقفة", True),
        ("🚨 *DEF-000001*: تم تجاوز المهلة", True),
        ("12:30", True),
        ("تم فتح التذكرة *MAINT-000045*", False),
        ("*الطلب 4411*: قيد الإنتاج", False),
        ("8 ساعات", False),
        ("• 4411: مضخة", False),
    ],
)
def test_a_line_is_marked_when_its_first_strong_character_is_not_right_to_left(line, marked):
    assert right_to_left(line) == (RLM + line if marked else line)


def test_each_line_is_marked_on_its_own_and_blank_lines_are_left_blank():
    text = "*SOP-101: إزالة النتوءات*\n1. ثبّت القطعة\n\nLast: DEF-000001"
    assert right_to_left(text) == f"{RLM}*SOP-101: إزالة النتوءات*\n1. ثبّت القطعة\n\n{RLM}Last: DEF-000001"


def test_marking_twice_changes_nothing():
    once = right_to_left("*MAINT-1*: يتبقى\nCNC-01")
    assert right_to_left(once) == once


def test_arabic_is_the_right_to_left_language_among_the_six():
    assert [written_right_to_left(code) for code in ("en", "es", "fr", "pt", "ar", "hi")] == [False] * 4 + [True, False]


@pytest.fixture
async def store(tmp_path, clock):
    opened = await SqliteStore.open(tmp_path / "g.db", clock)
    await opened.settings.update_contact(ARABIC, {"language": "ar", "last_inbound_at": clock.now().isoformat()})
    await opened.settings.update_contact(ENGLISH, {"language": "en", "last_inbound_at": clock.now().isoformat()})
    yield opened
    await opened.close()


async def sent(store, clock, recipient: str, **content) -> OutboundMessage:
    """What the channel was given for one queued reply."""
    message = OutboundMessage(recipient=recipient, provider="twilio", priority=Priority.REPLY, **content)
    job = await store.queue.enqueue(message)
    await store.log.record_outbound(job.id, message, Provider.TWILIO)
    channel = ScriptedChannel()
    await worker(store, clock, channel).deliver(await store.queue.claim("w", LEASE), "w")
    assert (await store.log.get(job.id)).status is LogStatus.SENT
    return channel.sent[0]


async def test_an_arabic_contact_gets_lines_that_start_with_latin_text_marked(store, clock):
    text = "*MAINT-000045*: يتبقى 5 ساعات من المهلة"
    assert (await sent(store, clock, ARABIC, text=text)).text == RLM + text


async def test_numbered_options_of_a_text_menu_are_marked_too(store, clock):
    buttons = [{"id": "en", "title": "English"}, {"id": "ar", "title": "العربية"}]
    text = (await sent(store, clock, ARABIC, text="اختر لغتك:", buttons=buttons)).text
    assert text.split("\n") == ["اختر لغتك:", "", f"{RLM}1. English", "2. العربية"]


async def test_another_language_is_left_as_written_even_when_it_quotes_arabic(store, clock):
    text = "Choose your language:\n\n1. English\n2. العربية"
    assert (await sent(store, clock, ENGLISH, text=text)).text == text


async def test_a_rendered_arabic_notification_is_marked(store, clock):
    await TemplateService(store).save("ticket", "ar", "{{ ticket_id }}: تم فتح تذكرة للآلة {{ machine_id }}.")
    rules = DeliveryRules(store, TemplateService(store), clock)
    message = OutboundMessage(
        recipient=ARABIC, provider="twilio", template={"name": "ticket", "parameters": {"ticket_id": "MAINT-1", "machine_id": "CNC-01"}}
    )
    laid_out = await rules.laid_out(await rules.prepare(message))
    assert laid_out.text == f"{RLM}MAINT-1: تم فتح تذكرة للآلة CNC-01."
