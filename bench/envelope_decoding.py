"""A microbenchmark for issue 12: Meta's webhook envelope decoded by the adapter's pydantic models
against msgspec structs of the same shape, on the same bodies, beside the whole of `parse` (the
envelope, then each message read into the canonical pydantic model). Run on purpose:

    python -m bench.envelope_decoding [--calls N]
"""

import argparse
import json
import timeit
from typing import Any

import msgspec

from adapters.channels import meta
from bench.harness import META_SECRET
from bench.webhooks import meta_text


class _Value(msgspec.Struct):
    metadata: dict[str, Any] = {}
    contacts: list[Any] = []
    messages: list[Any] = []
    statuses: list[Any] = []
    errors: list[Any] = []


class _Change(msgspec.Struct):
    field: str
    value: _Value


class _Entry(msgspec.Struct):
    changes: list[_Change]


class _Envelope(msgspec.Struct):
    object: str
    entry: list[_Entry]


_DECODER = msgspec.json.Decoder(_Envelope)


def _statuses(count: int) -> bytes:
    statuses = [
        {"id": f"wamid.OUT{number}", "status": "delivered", "timestamp": "1767225600", "recipient_id": "919800000001"}
        for number in range(count)
    ]
    value = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "1"}, "statuses": statuses}
    envelope = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}]}  # fmt: skip
    return json.dumps(envelope).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000)
    calls = parser.parse_args().calls
    bodies = {"one text message": meta_text("wamid.MICRO", 1, "hi")[2].encode(), "ten statuses": _statuses(10)}
    print("| body | pydantic envelope | msgspec envelope | verify | whole parse (pydantic) |")
    print("|---|---|---|---|---|")
    for name, body in bodies.items():
        signature = {meta.SIGNATURE_HEADER: meta.sign(body, META_SECRET)}
        timings = [
            timeit.timeit(lambda: meta._Envelope.model_validate_json(body), number=calls),
            timeit.timeit(lambda: _DECODER.decode(body), number=calls),
            timeit.timeit(lambda: meta.verify(body, signature, META_SECRET), number=calls),
            timeit.timeit(lambda: meta.parse(body), number=calls),
        ]
        print(f"| {name} ({len(body)} bytes) | " + " | ".join(f"{t / calls * 1e6:.1f} µs" for t in timings) + " |")


if __name__ == "__main__":
    main()
