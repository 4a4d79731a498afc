"""The simulator channel: what scripts and the chat page post becomes canonical messages."""

import json
from datetime import UTC, datetime

import pytest

from adapters.channels import simulator
from gateway.models import DeliveryStatus, InboundKind, OutboundMessage, Provider
from gateway.ports.channel import SendError, WebhookRejected

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_text_and_button_press():
    text = simulator.parse(b'{"phone": "+15550001111", "text": "hola"}', NOW).messages[0]
    assert (text.kind, text.text, text.timestamp) == (InboundKind.TEXT, "hola", NOW)
    press = simulator.parse(
        json.dumps({"phone": "15550001111", "reply_id": "defects", "reply_title": "Report a defect"}).encode(), NOW
    )
    assert press.messages[0].kind is InboundKind.BUTTON_REPLY and press.messages[0].reply_id == "defects"
    row = simulator.parse(b'{"phone": "+15550001111", "reply_id": "r2", "kind": "list_reply"}', NOW).messages[0]
    assert row.kind is InboundKind.LIST_REPLY


@pytest.mark.parametrize("typed", ["+15550001111", "1 555 000 1111", "sim:+15550001111"])
def test_the_sender_is_the_simulated_contact_never_the_real_number(typed):
    message = simulator.parse(json.dumps({"phone": typed, "text": "stop"}).encode(), NOW).messages[0]
    assert message.sender == "sim:+15550001111"


def test_a_given_id_is_the_provider_message_id_so_redelivery_can_be_tested():
    first = simulator.parse(b'{"phone": "+15550001111", "text": "a", "id": "sim-1"}', NOW).messages[0]
    assert first.provider_message_id == "sim-1"
    other = simulator.parse(b'{"phone": "+15550001111", "text": "a"}', NOW).messages[0]
    assert other.provider_message_id != "sim-1"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"text": "hi"}', "phone: Field required"),
        (b'{"phone": "12", "text": "hi"}', "not an international"),
        (b'{"phone": "sim:sim:+15550001111", "text": "hi"}', "not an international"),
        (b'{"phone": 15550001111, "text": "hi"}', "phone must be a string"),
        (b'{"phone": "+15550001111"}', "needs text"),
    ],
)
def test_bad_posts_are_refused_with_a_reason(body, reason):
    with pytest.raises(WebhookRejected) as refused:
        simulator.parse(body, NOW)
    assert reason in refused.value.message


def test_a_status_report_is_the_simulated_phones_delivery_report():
    body = b'{"phone": "+15550001111", "message_id": "sim-9", "status": "failed", "error": "phone off"}'
    parsed = simulator.parse(body, NOW)
    assert parsed.messages == [] and len(parsed.statuses) == 1
    report = parsed.statuses[0]
    assert (report.provider, report.provider_message_id) == (Provider.SIMULATOR, "sim-9")
    assert report.status is DeliveryStatus.FAILED
    assert (report.recipient, report.error_text, report.timestamp) == ("sim:+15550001111", "phone off", NOW)


def test_a_contact_who_writes_the_word_status_sends_a_message():
    parsed = simulator.parse(b'{"phone": "+15550001111", "text": "status"}', NOW)
    assert parsed.messages[0].text == "status" and parsed.statuses == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"phone": "+15550001111", "status": "delivered"}', "message_id: Field required"),
        (b'{"phone": "+15550001111", "message_id": "sim-9", "status": "seen"}', "status: Input should be"),
        (b'{"phone": "+15550001111", "message_id": "sim-9", "status": "read", "text": "hi"}', "text: Extra inputs"),
        (b"not json", "not JSON"),
    ],
)
def test_bad_status_reports_are_refused_naming_the_field(body, reason):
    with pytest.raises(WebhookRejected) as refused:
        simulator.parse(body, NOW)
    assert reason in refused.value.message


async def test_send_delivers_on_the_spot():
    channel = simulator.SimulatorChannel()
    assert (await channel.send(OutboundMessage(recipient="sim:+15550001111", text="hi"), None)).startswith("sim-")


async def test_send_refuses_a_real_contact_for_good_without_showing_the_number():
    with pytest.raises(SendError) as refused:
        await simulator.SimulatorChannel().send(OutboundMessage(recipient="+15550001111", text="hi"), None)
    assert not refused.value.retryable and refused.value.code == "recipient"
    assert "simulated contacts" in str(refused.value) and "15550001111" not in str(refused.value)
