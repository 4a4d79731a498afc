"""A stand-in for the Meta and Twilio send APIs on loopback: it accepts every send at once,
answers as the provider would, and records when each arrived and for whom. Read receipts
(with their typing indicator) are answered as the provider does and not recorded: they are
not replies.

    python -m bench.stand_in_provider PORT
GET /arrivals answers [[unix time, recipient digits], ...] in arrival order; GET /cpu the CPU
seconds it has used.
"""

import sys
import time
from itertools import count
from urllib.parse import parse_qsl

from aiohttp import web

arrivals: list[tuple[float, str]] = []
ids = count()


async def meta_send(request: web.Request) -> web.Response:
    body = await request.json()
    if body.get("status") == "read":
        return await read_receipt(request)
    recipient = body.get("to") or body.get("recipient")
    arrivals.append((time.time(), recipient.lstrip("+")))
    return web.json_response(
        {
            "messaging_product": "whatsapp",
            "contacts": [{"input": recipient, "wa_id": recipient.lstrip("+")}],
            "messages": [{"id": f"wamid.STANDIN{next(ids)}"}],
        }
    )


async def twilio_send(request: web.Request) -> web.Response:
    form = dict(parse_qsl((await request.read()).decode()))
    arrivals.append((time.time(), form["To"].removeprefix("whatsapp:").lstrip("+")))
    return web.json_response({"sid": f"SM{next(ids):032x}", "status": "queued"}, status=201)


async def read_receipt(request: web.Request) -> web.Response:
    return web.json_response({"success": True})


async def listing(request: web.Request) -> web.Response:
    return web.json_response(arrivals)


async def cpu(request: web.Request) -> web.Response:
    """CPU seconds this process has used, so a run can tell what the stand-in cost."""
    return web.json_response(time.process_time())


app = web.Application()
app.router.add_post("/{version}/{phone_number_id}/messages", meta_send)
app.router.add_post("/2010-04-01/Accounts/{account}/Messages.json", twilio_send)
app.router.add_post("/v2/Indicators/Typing.json", read_receipt)
app.router.add_get("/arrivals", listing)
app.router.add_get("/cpu", cpu)

if __name__ == "__main__":
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
