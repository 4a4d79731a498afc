"""Issue 11, finding 7: a signature header carrying a byte that is not UTF-8 is refused like any
wrong signature, over the real HTTP stack (aiohttp hands such a byte on as a lone surrogate)."""

import asyncio
import json

import pytest

from tests.gateway_fixtures import meta_text


@pytest.mark.parametrize(
    ("path", "header", "content_type"),
    [
        ("/webhooks/meta", "X-Hub-Signature-256", "application/json"),
        ("/webhooks/myoperator", "X-Webhook-Key", "application/json"),
        ("/webhooks/twilio", "X-Twilio-Signature", "application/x-www-form-urlencoded"),
    ],
)
async def test_a_signature_header_with_a_byte_that_is_not_utf8_is_a_403(gateway, path, header, content_type):
    body = b"MessageSid=SM1" if "twilio" in path else json.dumps(meta_text()).encode()
    reader, writer = await asyncio.open_connection(gateway.host, gateway.port)
    writer.write(
        f"POST {path} HTTP/1.1\r\nHost: gw\r\nConnection: close\r\nContent-Type: {content_type}\r\n".encode()
        + f"Content-Length: {len(body)}\r\n{header}: ".encode()
        + b"sha256=\xff\xfe"
        + b"\r\n\r\n"
        + body
    )
    status_line = await reader.readline()
    writer.close()
    assert status_line.startswith(b"HTTP/1.1 403")
