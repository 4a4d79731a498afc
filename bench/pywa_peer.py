"""A peer for the ingest and flood scenarios: pywa, a widely used Python framework for the
WhatsApp Cloud API, on FastAPI and uvicorn. It checks each webhook's signature and parses it
into its own Message; given a provider API, its handler answers each message with two texts
(a greeting and a menu, as the gateway answers "hi"), otherwise it does nothing. pywa answers
the webhook first and runs the handler in a task of its own; it stores nothing.

    python -m bench.pywa_peer PORT [PROVIDER_API]
"""

import sys

import httpx
import uvicorn
from fastapi import FastAPI
from pywa_async import WhatsApp
from pywa_async.types import Message

from bench.harness import META_SECRET

API_VERSION = "22.0"
GREETING = "Hello Bench, welcome! How can we help you today?"
MENU = "Main menu\n1. Report a defect\n2. Check an order\n3. Open a maintenance ticket\n4. Billing"

app = FastAPI()
whatsapp = WhatsApp(
    phone_id="1",
    token="t",
    server=app,
    verify_token="v",
    app_secret=META_SECRET,
    webhook_endpoint="/webhooks/meta",
    api_version=API_VERSION,
    # pywa's default client keeps 20 of its 100 connections open: under a flood it opened and closed
    # connections until most sends failed on a 5 s pool or connect timeout
    session=httpx.AsyncClient(limits=httpx.Limits(max_connections=64, max_keepalive_connections=64)),
)
replying = len(sys.argv) > 2


@whatsapp.on_message()
async def received(client: WhatsApp, message: Message) -> None:
    """Parsed, then answered with two texts in order, or dropped."""
    if replying:
        await message.reply_text(GREETING)
        await message.reply_text(MENU)


if __name__ == "__main__":
    if replying:
        whatsapp.api._session.base_url = f"{sys.argv[2]}/v{API_VERSION}"  # pywa has no setting for it
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
