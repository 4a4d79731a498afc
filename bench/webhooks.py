"""Pre-generated, correctly signed provider webhooks with unique message ids, so the load
generator only replays bytes."""

import json
import urllib.parse

from adapters.channels.meta import sign
from adapters.channels.twilio import signature
from bench.harness import META_SECRET, TWILIO_TOKEN

Request = tuple[str, dict[str, str], str]


def sender(number: int) -> str:
    """A distinct, valid Indian mobile number for contact `number`."""
    return f"9198{number:08d}"


def meta_text(message_id: str, contact: int, text: str) -> Request:
    message = {
        "from": sender(contact),
        "id": message_id,
        "timestamp": "1767225600",
        "type": "text",
        "text": {"body": text},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "1"},
        "contacts": [{"profile": {"name": "Bench"}, "wa_id": sender(contact), "user_id": f"IN.{contact:020d}"}],
        "messages": [message],
    }
    body = json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
        }
    )
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body.encode(), META_SECRET)}
    return "/webhooks/meta", headers, body


def twilio_text(message_id: str, contact: int, text: str, public_url: str) -> Request:
    params = {"MessageSid": message_id, "From": f"whatsapp:+{sender(contact)}", "To": "whatsapp:+14155550100",
              "Body": text, "MessageType": "text", "NumMedia": "0", "ProfileName": "Bench"}  # fmt: skip
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": signature(public_url + "/webhooks/twilio", list(params.items()), TWILIO_TOKEN),
    }
    return "/webhooks/twilio", headers, urllib.parse.urlencode(params)


def meta_texts(count: int, contacts: int = 50_000, text: str = "ping") -> list[Request]:
    return [meta_text(f"wamid.BENCH{number}", number % contacts, text) for number in range(count)]


def twilio_texts(count: int, public_url: str, contacts: int = 50_000) -> list[Request]:
    return [twilio_text(f"SM{number:032d}", number % contacts, "ping", public_url) for number in range(count)]
