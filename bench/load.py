"""The load generator for runs that need more than wrk gives: each request once, either at a
fixed rate (open loop: request i is due at start + i / rate whether or not earlier ones were
answered, and its latency counts from then, so a stalled server shows in the figures instead
of slowing the load) or as fast as a number of connections allow (closed loop).

    python -m bench.load URL REPLAY OUTPUT (--rate PER_SECOND | --connections N)
Writes OUTPUT as JSON: one [due unix time, answered unix time, status] per request.
"""

import argparse
import asyncio
import json
import time
from pathlib import Path

import aiohttp

Request = tuple[str, dict[str, str], bytes]


async def post(session: aiohttp.ClientSession, request: Request) -> int:
    path, headers, body = request
    try:
        async with session.post(path, headers=headers, data=body) as answer:
            await answer.read()
            return answer.status
    except aiohttp.ClientError:
        return 0


async def fixed_rate(session: aiohttp.ClientSession, requests: list[Request], rate: float) -> list[list[float]]:
    results: list[list[float]] = [[] for _ in requests]

    async def send(number: int, due: float) -> None:
        status = await post(session, requests[number])
        results[number] = [due, time.time(), status]

    start = time.time() + 0.2
    tasks = []
    for number in range(len(requests)):
        due = start + number / rate
        delay = due - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(number, due)))
    await asyncio.gather(*tasks)
    return results


async def as_fast_as(session: aiohttp.ClientSession, requests: list[Request], connections: int) -> list[list[float]]:
    results: list[list[float]] = [[] for _ in requests]
    pending = iter(range(len(requests)))

    async def connection() -> None:
        for number in pending:
            due = time.time()
            status = await post(session, requests[number])
            results[number] = [due, time.time(), status]

    await asyncio.gather(*(connection() for _ in range(connections)))
    return results


async def main(arguments: argparse.Namespace) -> None:
    requests = []
    for line in arguments.replay.read_text().splitlines():
        path, headers, body = line.split("\t", 2)
        requests.append((path, json.loads(headers), body.encode()))
    connector = aiohttp.TCPConnector(limit=arguments.connections or 512)
    async with aiohttp.ClientSession(arguments.url, connector=connector) as session:
        if arguments.rate:
            results = await fixed_rate(session, requests, arguments.rate)
        else:
            results = await as_fast_as(session, requests, arguments.connections)
    arguments.output.write_text(json.dumps(results))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("replay", type=Path)
    parser.add_argument("output", type=Path)
    pace = parser.add_mutually_exclusive_group(required=True)
    pace.add_argument("--rate", type=float)
    pace.add_argument("--connections", type=int)
    asyncio.run(main(parser.parse_args()))
