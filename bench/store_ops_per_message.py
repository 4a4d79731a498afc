"""How many store operations one message costs, from its webhook to its sent reply: the
figure behind the ingest throughput. Run on purpose:  python bench/store_ops_per_message.py"""

import asyncio
import json
import sys
import tempfile

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from gateway.app import create_app
from gateway.appkeys import INBOX, METRICS, STORE
from gateway.settings import Settings
from gateway.testing import meta_headers


async def main():
    api = web.Application()
    api.router.add_post("/{t:.*}", lambda r: web.json_response({"messages": [{"id": "wamid.x"}]}))
    provider = TestServer(api)
    await provider.start_server()
    with tempfile.TemporaryDirectory() as d:
        s = Settings(
            _env_file=None,
            store_url=f"sqlite:///{d}/g.db",
            meta_access_token="t",
            meta_phone_number_id="1",
            meta_app_secret="s",
            meta_verify_token="v",
            meta_api_base=str(provider.make_url("")),
        )
        c = TestClient(TestServer(create_app(s, entry_points=False)))
        await c.start_server()
        n = 200
        for i in range(n):
            v = {
                "metadata": {"phone_number_id": "1", "display_phone_number": "15550783881"},
                "contacts": [{"wa_id": f"9198{i:08d}"}],
                "messages": [
                    {
                        "from": f"9198{i:08d}",
                        "id": f"w{i}",
                        "timestamp": "1767225600",
                        "type": "text",
                        "text": {"body": "ping"},
                    }
                ],
            }
            b = json.dumps(
                {
                    "object": "whatsapp_business_account",
                    "entry": [{"id": "1", "changes": [{"field": "messages", "value": v}]}],
                }
            ).encode()
            await c.post("/webhooks/meta", data=b, headers=meta_headers(b, "s"))
        await c.app[INBOX].idle()
        while (await c.app[STORE].queue.counts())["sent"] < n:
            await asyncio.sleep(0.05)
        reg = c.app[METRICS].registry
        ops = {}
        for metric in reg.collect():
            if metric.name == "gateway_store_operation_duration_seconds":
                for sample in metric.samples:
                    if sample.name.endswith("_count"):
                        ops[sample.labels["operation"]] = sample.value
        total = sum(ops.values())
        print(f"store operations per message, webhook to sent reply: {total / n:.1f}")
        for op, count in sorted(ops.items(), key=lambda kv: -kv[1])[:12]:
            print(f"  {op}: {count / n:.1f}")
        await c.close()
        await provider.close()


asyncio.run(main())
