"""A contact's file end to end, per provider: the webhook stores the message and answers, the
inbox fetches the file through the real channel from stand-in provider hosts, checks it and
keeps it in the media store, and the plugin then sees the message with the stored file, or
with the reason it could not be had, and answers it all the same."""

import asyncio
import hashlib
import json
from datetime import timedelta
from functools import partial
from urllib.parse import urlencode

import pytest
from aiohttp import web

from gateway.app import create_app
from gateway.appkeys import INBOX, MEDIA, METRICS, STORE
from gateway.inbound import inbox as inbox_module
from gateway.media import fetching
from gateway.models import InboundMessage, MediaKind, MediaRefusal
from gateway.ports.media import MediaState
from gateway.ports.store import inbox_lease
from gateway.testing import meta_headers, myoperator_headers, twilio_headers
from tests.gateway.media.samples import pdf, picture
from tests.gateway_fixtures import MYOPERATOR_SECRET, META_SECRET, PUBLIC_URL, TWILIO_TOKEN, eventually, meta_text
from tests.stand_in_media import StandInMedia

SENDER = "919812345678"
MB = 1024 * 1024


@pytest.fixture
async def hosts(aiohttp_server) -> StandInMedia:
    """The hosts contacts' files come from, Meta's API among them (which takes the bot's replies too)."""
    return await StandInMedia(authorization="Bearer EAAG-token").start(aiohttp_server)


@pytest.fixture(autouse=True)
def no_waiting_between_attempts(monkeypatch):
    """The pauses between attempts pass at once (their lengths are the unit tests' business)."""
    monkeypatch.setattr(fetching, "PAUSES_SECONDS", (0.0, 0.0))


@pytest.fixture
async def gateway(aiohttp_client, provider_settings, hosts, clock, echo):
    # Twilio's links point at the hosts that play Meta's API: another origin, on this machine
    settings = provider_settings.model_copy(update={"meta_api_base": hosts.base, "test_loopback_links": True})
    return await aiohttp_client(create_app(settings, clock=clock, plugins=[echo], entry_points=False))


MEDIA_ID = "1479537139650973"


def meta_photo(message_id: str = "wamid.M1", media_id: str = MEDIA_ID) -> dict:
    """A Meta webhook of a photo, as Meta sends one."""
    body = meta_text(message_id, sender=SENDER)
    message = body["entry"][0]["changes"][0]["value"]["messages"][0]
    del message["text"]
    message.update(type="image", image={"id": media_id, "mime_type": "image/jpeg", "caption": "lathe 3"})
    return body


async def post_meta(gateway, body: dict) -> None:
    raw = json.dumps(body).encode()
    response = await gateway.post("/webhooks/meta", data=raw, headers=meta_headers(raw, META_SECRET))
    assert response.status == 200, await response.text()


async def send_meta(gateway, hosts, data: bytes, **serving) -> str:
    """Send a photo through Meta whose bytes are `data`; returns the path its id resolves at."""
    hosts.meta_media(MEDIA_ID, data, mime_type="image/jpeg", **serving)
    await post_meta(gateway, meta_photo())
    return f"/v25.0/{MEDIA_ID}"


async def send_twilio(gateway, hosts, data: bytes, **serving) -> str:
    """Send a photo through Twilio whose file is `data`; returns the path it is served at."""
    path = "/twilio/Media/ME2b00000000000000000000000000d4"
    params = {
        "AccountSid": "AC7e0000000000000000000000000001",
        "From": f"whatsapp:+{SENDER}",
        "To": "whatsapp:+14155550100",
        "WaId": SENDER,
        "NumMedia": "1",
        "MessageSid": "MM770000000000000000000000000000c",
        "MessageType": "image",
        "Body": "",
        "MediaContentType0": "image/jpeg",
        "MediaUrl0": hosts.file(path, data, content_type="image/jpeg", **serving),
    }
    headers = twilio_headers(PUBLIC_URL + "/webhooks/twilio", params, TWILIO_TOKEN)
    response = await gateway.post("/webhooks/twilio", data=urlencode(params), headers=headers)
    assert response.status == 200, await response.text()
    return path


async def send_myoperator(gateway, hosts, data: bytes, **serving) -> str:
    """Send a photo through MyOperator whose file is `data`; returns the path it is served at."""
    path = "/myoperator/img.jpg"
    link = hosts.file(path, data, content_type="image/jpeg", **serving)
    body = {
        "event_id": "evt_i4",
        "company_id": "68a1f00d2b3c4d5e",
        "event_type": "message.received",
        "event_sequence": 3,
        "event_version": 1,
        "timestamp": "2026-01-05T09:00:00Z",
        "channel": "whatsapp",
        "direction": "incoming",
        "session_id": "0c9f6a52-7d1e-4c07-9a43-2f0f3b1c8e11",
        "system_identifier": "690000000000001",
        "customer_identifier": SENDER,
        "payload": {
            "id": "77c20000-0000-4000-8000-000000000003",
            "status": "received",
            "data": {"type": "image", "context": {"link": link, "mime_type": "image/jpeg"}},
        },
    }
    response = await gateway.post("/webhooks/myoperator", json=body, headers=myoperator_headers(MYOPERATOR_SECRET))
    assert response.status == 200, await response.text()
    return path


SENDERS = {"meta": send_meta, "twilio": send_twilio, "myoperator": send_myoperator}


async def processed(gateway, echo) -> InboundMessage:
    """The message as the plugin saw it, once the inbox is done."""
    await gateway.app[INBOX].idle()
    [seen] = echo.seen
    return seen


async def answered(stand_ins, hosts, provider: str) -> bool:
    """Whether the bot's reply reached the provider."""
    if provider == "meta":
        return any(json.loads(body).get("status") != "read" for body in hosts.posted)
    return bool((stand_ins.twilio if provider == "twilio" else stand_ins.myoperator).requests)


def fetches(gateway, provider: str, outcome: str) -> float | None:
    return gateway.app[METRICS].registry.get_sample_value(
        "gateway_media_fetches_total", {"provider": provider, "outcome": outcome}
    )


@pytest.mark.parametrize("provider", SENDERS)
async def test_a_photo_is_stored_with_its_digest_type_size_and_message_before_the_plugin_sees_it(
    gateway, hosts, echo, provider
):
    photo = picture("JPEG")

    await SENDERS[provider](gateway, hosts, photo)

    seen = await processed(gateway, echo)
    assert seen.media.stored_id is not None and seen.media.unavailable is None
    assert (seen.media.kind, seen.media.mime_type) == (MediaKind.IMAGE, "image/jpeg")
    record = await gateway.app[MEDIA].get(seen.media.stored_id)
    assert (record.sha256, record.size) == (hashlib.sha256(photo).hexdigest(), len(photo))
    assert (record.content_type, record.message_id) == ("image/jpeg", seen.id)
    assert await gateway.app[MEDIA].read(record.id) == photo
    assert fetches(gateway, provider, "stored") == 1


async def test_an_expired_meta_url_is_resolved_again(gateway, hosts, echo):
    photo = picture("JPEG")

    resolved_at = await send_meta(gateway, hosts, photo, expired=1, expired_status=403)

    seen = await processed(gateway, echo)
    assert await gateway.app[MEDIA].read(seen.media.stored_id) == photo
    assert len(hosts.requests_to(resolved_at)) == 2


@pytest.mark.parametrize("provider", ["twilio", "myoperator"])
async def test_a_file_that_is_gone_is_unavailable_at_once_and_the_message_answered(
    gateway, hosts, stand_ins, echo, provider
):
    path = await SENDERS[provider](gateway, hosts, b"", status=404)

    seen = await processed(gateway, echo)
    assert "404" in seen.media.unavailable
    assert len(hosts.requests_to(path)) == 1
    [record] = await gateway.app[MEDIA].of_message(seen.id)
    assert (record.state, record.attempts, record.error) == (MediaState.UNAVAILABLE, 1, seen.media.unavailable)
    assert await eventually(lambda: answered(stand_ins, hosts, provider))


async def test_a_meta_media_id_meta_does_not_know_is_unavailable_at_once(gateway, hosts, echo):
    await post_meta(gateway, meta_photo(media_id="999000999"))

    seen = await processed(gateway, echo)
    assert seen.media.unavailable is not None and seen.media.stored_id is None
    assert len(hosts.requests_to("/v25.0/999000999")) == 1


@pytest.mark.parametrize("provider", SENDERS)
async def test_a_failing_host_is_tried_three_times_then_the_message_is_answered_without_its_file(
    gateway, hosts, stand_ins, echo, provider
):
    if provider == "meta":  # every URL Meta hands out fails; each attempt resolves the id afresh
        path = await send_meta(gateway, hosts, picture("JPEG"), expired=99, expired_status=500)
    else:
        path = await SENDERS[provider](gateway, hosts, b"", status=500)

    seen = await processed(gateway, echo)
    assert seen.media.unavailable.endswith("(gave up after 3 attempts)")
    assert fetches(gateway, provider, "failed") == 1
    assert len(hosts.requests_to(path)) == 3
    assert await eventually(lambda: answered(stand_ins, hosts, provider))


@pytest.mark.parametrize("provider", SENDERS)
async def test_a_file_over_whatsapps_limit_is_refused(gateway, hosts, echo, provider):
    if provider == "meta":  # Meta says how large the file is before it is downloaded
        await send_meta(gateway, hosts, picture("JPEG"), file_size=6 * MB)
    else:
        path = await SENDERS[provider](gateway, hosts, b"")
        hosts.large_file(path, 6 * MB, content_type="image/jpeg")

    seen = await processed(gateway, echo)
    assert f"larger than {5 * MB} bytes" in seen.media.unavailable
    assert seen.media.refused is MediaRefusal.TOO_LARGE, "the contact is told why, not to send it again"
    assert seen.media.stored_id is None and fetches(gateway, provider, "refused") == 1


@pytest.mark.parametrize("provider", SENDERS)
async def test_a_pdf_sent_as_a_photo_is_refused_and_not_kept(gateway, hosts, echo, provider):
    await SENDERS[provider](gateway, hosts, pdf())

    seen = await processed(gateway, echo)
    assert seen.media.unavailable == "the file was declared image/jpeg but its bytes are application/pdf"
    assert seen.media.refused is MediaRefusal.WRONG_TYPE
    [record] = await gateway.app[MEDIA].of_message(seen.id)
    assert record.state is MediaState.UNAVAILABLE and record.sha256 is None
    assert fetches(gateway, provider, "refused") == 1


async def test_the_same_webhook_three_times_at_once_stores_the_file_once(gateway, hosts, echo):
    hosts.meta_media(MEDIA_ID, picture("JPEG"), mime_type="image/jpeg")

    await asyncio.gather(*[post_meta(gateway, meta_photo()) for _ in range(3)])

    seen = await processed(gateway, echo)
    assert len(await gateway.app[MEDIA].of_message(seen.id)) == 1
    assert len(hosts.requests_to(f"/v25.0/{MEDIA_ID}")) == 1


class HangingHost:
    """A file host that holds every request until `release` is set."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        self.app = web.Application()
        self.app.router.add_get("/{tail:.*}", self._serve)

    async def _serve(self, request: web.Request) -> web.Response:
        self.entered.set()
        await self.release.wait()
        return web.Response(body=self.data, content_type="image/jpeg")


@pytest.fixture
async def hanging(aiohttp_server):
    host = HangingHost(picture("JPEG"))
    server = await aiohttp_server(host.app)
    host.url = str(server.make_url("/Media/ME1"))
    yield host
    host.release.set()


async def send_twilio_from(gateway, url: str) -> web.Response:
    params = {
        "AccountSid": "AC7e0000000000000000000000000001",
        "From": f"whatsapp:+{SENDER}",
        "To": "whatsapp:+14155550100",
        "NumMedia": "1",
        "MessageSid": "MM77000000000000000000000000009",
        "Body": "",
        "MediaContentType0": "image/jpeg",
        "MediaUrl0": url,
    }
    headers = twilio_headers(PUBLIC_URL + "/webhooks/twilio", params, TWILIO_TOKEN)
    return await gateway.post("/webhooks/twilio", data=urlencode(params), headers=headers)


async def test_the_webhook_answers_while_the_file_is_still_downloading(gateway, hanging, echo):
    response = await asyncio.wait_for(send_twilio_from(gateway, hanging.url), 5)
    await asyncio.wait_for(hanging.entered.wait(), 5)

    assert response.status == 200 and echo.seen == []

    hanging.release.set()
    seen = await processed(gateway, echo)
    assert seen.media.stored_id is not None


async def test_a_download_that_outlasts_the_inbox_lease_keeps_the_lease_and_runs_the_turn_once(
    gateway, hanging, echo, clock, monkeypatch
):
    monkeypatch.setattr(inbox_module, "RENEW_WHILE_FETCHING_SECONDS", 0.01)
    await send_twilio_from(gateway, hanging.url)
    await asyncio.wait_for(hanging.entered.wait(), 5)
    leases = gateway.app[STORE].leases

    async def renewed() -> bool:
        [lease] = await leases.holders(inbox_lease(f"+{SENDER}"))
        return lease.expires_at > clock.now() + timedelta(seconds=20)

    for _ in range(3):  # a minute of downloading, twice the lease
        clock.advance(seconds=20)
        assert await eventually(renewed)
    hanging.release.set()

    seen = await processed(gateway, echo)
    assert seen.media.stored_id is not None
    assert gateway.app[METRICS].registry.get_sample_value("gateway_inbox_leases_lost_total") == 0


class AbandonableHost(HangingHost):
    """A hanging file host that notes when the gateway hangs up before it has the file."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.abandoned = asyncio.Event()

    async def _serve(self, request: web.Request) -> web.Response:
        try:
            return await super()._serve(request)
        except asyncio.CancelledError:  # the server's handler is cancelled when the client disconnects
            self.abandoned.set()
            raise


async def test_a_download_whose_lease_moves_to_another_process_is_abandoned_and_the_turn_not_run(
    gateway, aiohttp_server, echo, monkeypatch
):
    monkeypatch.setattr(inbox_module, "RENEW_WHILE_FETCHING_SECONDS", 0.01)
    host = AbandonableHost(picture("JPEG"))
    server = await aiohttp_server(host.app)
    await send_twilio_from(gateway, str(server.make_url("/Media/ME1")))
    await asyncio.wait_for(host.entered.wait(), 5)
    leases = gateway.app[STORE].leases
    [held] = await leases.holders(inbox_lease(f"+{SENDER}"))

    await leases.release(held.name, held.owner, held.token)  # as after a stall, another process takes it
    assert await leases.acquire(held.name, "another-process", inbox_module.LEASE) is not None

    lost = partial(gateway.app[METRICS].registry.get_sample_value, "gateway_inbox_leases_lost_total")
    assert await eventually(lambda: asyncio.sleep(0, lost() == 1))
    await asyncio.wait_for(host.abandoned.wait(), 5)
    assert echo.seen == [], "the turn ran in a process that no longer held the contact"
