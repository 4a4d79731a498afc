"""A gateway with every provider configured against local stand-in APIs, and test plugins."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

import pytest

from gateway.app import create_app
from gateway.hookspecs import hookimpl
from gateway.models import Content, InboundMessage
from gateway.settings import Settings
from tests.stand_in_provider import Answer, StandInProvider

T = TypeVar("T")

PUBLIC_URL = "https://gw.example.com"
META_SECRET = "meta-app-secret"
TWILIO_TOKEN = "twilio-auth-token"
MYOPERATOR_SECRET = "myoperator-shared-secret-0123456789"


class EchoPlugin:
    """Answers every text with an echo, and a menu with buttons or a list on request."""

    def __init__(self) -> None:
        self.seen: list[InboundMessage] = []

    @hookimpl
    def handle_message(self, message: InboundMessage) -> list[Content]:
        self.seen.append(message)
        if message.text == "buttons":
            return [
                Content(
                    text="Severity?", buttons=[{"id": "sev.low", "title": "Low"}, {"id": "sev.high", "title": "High"}]
                )
            ]
        if message.text == "list":
            rows = [{"id": f"opt.{n}", "title": f"Option {n}"} for n in (1, 2, 3)]
            return [Content(text="Choose", list={"button": "Menu", "sections": [{"rows": rows}]})]
        return [Content(text=f"echo: {message.reply_id or message.text}")]


@dataclass
class StandIns:
    meta: StandInProvider
    twilio: StandInProvider
    myoperator: StandInProvider


@pytest.fixture
async def stand_ins(aiohttp_server) -> StandIns:
    providers = StandIns(
        meta=StandInProvider(Answer(200, {"messages": [{"id": "wamid.OUT1"}]})),
        twilio=StandInProvider(Answer(201, {"sid": "SM-OUT1", "status": "queued"})),
        myoperator=StandInProvider(Answer(200, {"status": "success", "data": {"message_id": "myop-OUT1"}})),
    )
    for provider in (providers.meta, providers.twilio, providers.myoperator):
        await provider.start(aiohttp_server)
    return providers


@pytest.fixture
def provider_settings(tmp_path, stand_ins) -> Settings:
    return Settings(
        _env_file=None,
        store_url=f"sqlite:///{tmp_path / 'gateway.db'}",
        public_url=PUBLIC_URL,
        meta_access_token="EAAG-token",
        meta_phone_number_id="106540352242922",
        meta_app_secret=META_SECRET,
        meta_verify_token="verify-me",
        meta_api_base=stand_ins.meta.base,
        twilio_account_sid="AC7e0000000000000000000000000001",
        twilio_auth_token=TWILIO_TOKEN,
        twilio_whatsapp_number="+14155550100",
        twilio_api_base=stand_ins.twilio.base,
        myoperator_api_key="myop-key",
        myoperator_company_id="68a1f00d2b3c4d5e",
        myoperator_phone_number_id="690000000000001",
        myoperator_webhook_secret=MYOPERATOR_SECRET,
        myoperator_api_base=stand_ins.myoperator.base,
        simulator=True,
    )


@pytest.fixture
def echo() -> EchoPlugin:
    return EchoPlugin()


@pytest.fixture
async def gateway(aiohttp_client, provider_settings, clock, echo):
    """A test client of a fully configured gateway whose only plugin is `echo`."""
    return await aiohttp_client(create_app(provider_settings, clock=clock, plugins=[echo], entry_points=False))


def meta_text(message_id: str = "wamid.IN1", text: str = "ping", sender: str = "919812345678") -> dict:
    message = {
        "from": sender,
        "id": message_id,
        "timestamp": str(int(datetime(2026, 1, 5, 9, tzinfo=UTC).timestamp())),
        "type": "text",
        "text": {"body": text},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
        "contacts": [{"profile": {"name": "Asha"}, "wa_id": sender}],
        "messages": [message],
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
    }


async def eventually(probe: Callable[[], Awaitable[T]], seconds: float = 5.0) -> T:
    """Await `probe` until it returns something truthy: for work the gateway finishes in the
    background (the queue worker), never for time to pass, which the fake clock controls."""
    async with asyncio.timeout(seconds):
        while not (result := await probe()):
            await asyncio.sleep(0.005)
    return result
