"""A benchmark for issue 15: what a chart (an order's Gantt chart) and a PDF (a bill) cost to
make, first and warm, in a pool of threads against a pool of processes, and what a cached one
costs. Run on purpose:

    python -m bench.media_rendering [--rounds N]

Each pool is measured in a fresh interpreter that has imported the gateway's modules, as a
gateway process has by the time its first contact asks: "first" counts starting the pool (for
processes, spawning them and their imports) and the first file each kind makes.
"""

import argparse
import asyncio
import json
import multiprocessing
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

WORKERS = 2
CONCURRENT = 6


def _charts_and_bills(language: str):
    """A Gantt chart of the demo's order 4411 and the demo bill, as the plugins ask for them."""
    from gateway.conversation.catalog import Catalog
    from gateway.conversation.context import Conversation
    from gateway.conversation.translations import TranslationDomain, read_domain
    from plugins.billing import documents
    from plugins.billing.backend import Bill
    from plugins.billing.readers import DOMAIN as BILLING
    from plugins.orders import charts, demo
    from plugins.orders.backend import Order, OrderStatus

    now = datetime(2026, 12, 1, 10, tzinfo=UTC)
    catalog = Catalog()
    catalog.add(read_domain(BILLING))
    catalog.add(read_domain(TranslationDomain("orders", Path(charts.__file__).parent / "locale")))
    conversation = Conversation("+919812345678", language, catalog, idempotency_key="bench", time_zone="Asia/Kolkata")
    started, due = now - timedelta(days=6), now + timedelta(days=4)
    order = Order(
        id="4411", customer="+919812345678", product=demo.GEAR_HOUSING, quantity=500, status=OrderStatus.IN_PRODUCTION,
        percent_complete=60, started_at=started, due_at=due, delivery_date=date(2026, 12, 7),
        steps=demo.steps(started, due, 60, now),
    )  # fmt: skip
    bill = Bill(
        customer="+919812345678", amount=1860, currency="INR", period=date(2026, 11, 1), due_date=date(2026, 12, 10)
    )
    return (
        (charts.draw_gantt, charts.gantt(order, conversation, now)),
        (documents.draw_bill, documents.bill_document(bill, "Asha", "due", conversation)),
    )


def _timed(pool: Executor, make, spec) -> float:
    started = time.perf_counter()
    pool.submit(make, spec).result()
    return (time.perf_counter() - started) * 1000


def cpu_ms(make, spec) -> float:
    """The CPU time one rendering takes in the thread that runs it: what it costs whatever
    else the machine is doing (wall times on a shared machine wander with its load)."""
    started = time.thread_time()
    make(spec)
    return (time.thread_time() - started) * 1000


def _pool(kind: str) -> Executor:
    if kind == "thread":
        return ThreadPoolExecutor(WORKERS)
    return ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("spawn"))


def measure(kind: str, rounds: int) -> dict:
    """One pool's figures, in this interpreter."""
    started = time.perf_counter()
    import gateway.app  # noqa: F401  what a gateway process has imported before its first render
    import plugins.billing.plugin  # noqa: F401
    import plugins.orders.plugin  # noqa: F401

    imported = (time.perf_counter() - started) * 1000
    figures: dict = {"pool": kind, "imports_ms": imported}
    started = time.perf_counter()
    pool = _pool(kind)
    work = {language: _charts_and_bills(language) for language in ("en", "ar")}
    (chart, chart_spec), (pdf, pdf_spec) = work["en"]
    figures["first_chart_ms"] = (time.perf_counter() - started) * 1000 + _timed(pool, chart, chart_spec)
    figures["first_pdf_ms"] = _timed(pool, pdf, pdf_spec)
    for language, ((chart, chart_spec), (pdf, pdf_spec)) in work.items():
        figures[f"chart_{language}_ms"] = statistics.median(_timed(pool, chart, chart_spec) for _ in range(rounds))
        figures[f"pdf_{language}_ms"] = statistics.median(_timed(pool, pdf, pdf_spec) for _ in range(rounds))
        figures[f"chart_{language}_cpu"] = statistics.median(
            pool.submit(cpu_ms, chart, chart_spec).result() for _ in range(rounds)
        )
        figures[f"pdf_{language}_cpu"] = statistics.median(
            pool.submit(cpu_ms, pdf, pdf_spec).result() for _ in range(rounds)
        )
    started = time.perf_counter()
    batch = [pool.submit(make, spec) for make, spec in [(chart, chart_spec), (pdf, pdf_spec)] * CONCURRENT]
    for future in batch:
        future.result()
    figures["concurrent_ms"] = (time.perf_counter() - started) * 1000
    figures["cached_ms"] = asyncio.run(_cached(pool, chart, chart_spec, rounds))
    pool.shutdown()
    return figures


async def _cached(pool: Executor, make, spec, rounds: int) -> float:
    """A request for a chart already made: the digest of its inputs and one look-up in a disk
    media store."""
    from adapters.storage.media.disk import DiskMediaStore
    from gateway.clock import SystemClock
    from gateway.media.rendering import Renderer
    from gateway.models import MediaKind

    with tempfile.TemporaryDirectory() as folder:
        store = await DiskMediaStore.open(Path(folder), SystemClock())
        renderer = Renderer(store, pool)
        request = {"kind": MediaKind.IMAGE, "content_type": "image/png", "filename": "chart.png", "version": "1"}
        await renderer.render(make, spec, **request)
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            await renderer.render(make, spec, **request)
            times.append((time.perf_counter() - started) * 1000)
        await store.close()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--one", choices=("thread", "process"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.one:
        print(json.dumps(measure(arguments.one, arguments.rounds)))
        return
    rows = []
    for kind in ("thread", "process"):
        command = [sys.executable, "-m", "bench.media_rendering", "--one", kind, "--rounds", str(arguments.rounds)]
        rows.append(json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout))
    columns = [
        ("pool", "pool"), ("imports_ms", "imports"), ("first_chart_ms", "pool + first chart"),
        ("first_pdf_ms", "first PDF"), ("chart_en_ms", "chart en"), ("chart_ar_ms", "chart ar"),
        ("pdf_en_ms", "PDF en"), ("pdf_ar_ms", "PDF ar"), ("chart_en_cpu", "chart en CPU"),
        ("chart_ar_cpu", "chart ar CPU"), ("pdf_en_cpu", "PDF en CPU"), ("pdf_ar_cpu", "PDF ar CPU"),
        ("concurrent_ms", f"{CONCURRENT} charts + {CONCURRENT} PDFs at once"),
        ("cached_ms", "cached chart"),
    ]  # fmt: skip
    print("| " + " | ".join(title for _, title in columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        cells = [row[key] if isinstance(row[key], str) else f"{row[key]:.1f} ms" for key, _ in columns]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
