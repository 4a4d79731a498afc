"""A peer for the ingest scenario: pywa, a widely used Python framework for the WhatsApp
Cloud API, on FastAPI and uvicorn. It checks each webhook's signature and parses it into its
own Message, with a handler that does nothing: no storage, no processing, no reply.

    python -m bench.pywa_peer PORT
"""

import sys

import uvicorn
from fastapi import FastAPI
from pywa_async import WhatsApp

from bench.harness import META_SECRET

app = FastAPI()
whatsapp = WhatsApp(
    phone_id="1", token="t", server=app, verify_token="v", app_secret=META_SECRET, webhook_endpoint="/webhooks/meta"
)


@whatsapp.on_message()
async def received(client: WhatsApp, message) -> None:
    """Parsed, then dropped."""


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
