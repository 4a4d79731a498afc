"""Pre-generated, correctly signed provider webhooks with unique message ids, so the load
generator only replays bytes."""

import json
import urllib.parse

from bench.harness import META_SECRET, TWILIO_TOKEN
from gateway.testing import meta_headers, twilio_headers

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
        "contacts": [{"profile": {"name": "Bench"}, "wa_id": sender(contact)}],
        "messages": [message],
    }
    body = json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
        }
    )
    return "/webhooks/meta", meta_headers(body.encode(), META_SECRET), body


def twilio_text(message_id: str, contact: int, text: str, public_url: str) -> Request:
    params = {"MessageSid": message_id, "From": f"whatsapp:+{sender(contact)}", "To": "whatsapp:+14155550100",
              "Body": text, "MessageType": "text", "NumMedia": "0", "ProfileName": "Bench"}  # fmt: skip
    headers = twilio_headers(public_url + "/webhooks/twilio", params, TWILIO_TOKEN)
    return "/webhooks/twilio", headers, urllib.parse.urlencode(params)


def meta_texts(count: int, contacts: int = 50_000, text: str = "ping") -> list[Request]:
    return [meta_text(f"wamid.BENCH{number}", number % contacts, text) for number in range(count)]


def twilio_texts(count: int, public_url: str, contacts: int = 50_000) -> list[Request]:
    return [twilio_text(f"SM{number:032d}", number % contacts, "ping", public_url) for number in range(count)]
