"""Sampling profiles of a gateway process while a scenario runs (py-spy, from the `bench`
extra): the collapsed stacks, and a summary of where the time went."""

import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TOP = 40
PARTS = (
    ("webhooks: verify, parse, store, answer", ("receiver.<locals>.receive",)),
    ("admin API and events", ("declare.<locals>",)),
    ("inbox: session, engine, plugins, enqueue", ("Inbox.", "Engine.", "Outbox.enqueue", "TextMenus.resolve")),
    ("queue worker: claim, rules, send, ack, log",
     ("QueueWorker.", "MetaChannel.send", "TwilioChannel.send", "ClientSession.", "ClientRequest.", "ClientResponse.",
      "ResponseHandler.", "SqliteQueue.claim")),
    ("store calls, event-loop side (futures, timing)", ("Database.run", "_TimedRepository", "_settle_all")),
    ("HTTP server around the handlers", ("RequestHandler.",)),
)  # fmt: skip
"""The event loop's samples go to the first part with a function on their stack (under uvloop a
resumed coroutine's stack starts at the coroutine, hence the several names a part)."""


@contextmanager
def profiled(process: subprocess.Popen, directory: Path | None, name: str) -> Iterator[None]:
    """Record `process` while the block runs; leaves NAME.folded and NAME.txt in `directory`."""
    if directory is None:
        yield
        return
    directory.mkdir(parents=True, exist_ok=True)
    stacks = directory / f"{name}.folded"
    beside_python = Path(sys.executable).with_name("py-spy")
    command = [str(beside_python) if beside_python.exists() else "py-spy", "record", "--pid", str(process.pid), "--format", "raw", "--output", str(stacks),
               "--rate", "200", "--nonblocking"]  # fmt: skip
    recorder = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        recorder.send_signal(signal.SIGINT)
        recorder.wait(timeout=60)
        (directory / f"{name}.txt").write_text(summary(stacks))


def summary(stacks: Path) -> str:
    """The event loop's samples by part of the gateway; then per thread, the share of samples
    in which each function was on the stack."""
    threads: dict[str, Counter] = {}
    totals: Counter = Counter()
    parts: Counter = Counter()
    for line in stacks.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue  # py-spy sometimes reads a frame mid-update (it does not pause the process)
        frames = stack.split(";")
        thread = "database thread" if "Thread._bootstrap" in frames[0] else "event loop"
        totals[thread] += int(count)
        if thread == "event loop":
            parts[_part(frames)] += int(count)
        functions = threads.setdefault(thread, Counter())
        for function in {frame.split(" (")[0] for frame in frames}:
            functions[function] += int(count)
    lines = ["event loop by part:"]
    lines += [f"  {count / totals['event loop']:6.1%}  {part}" for part, count in parts.most_common()]
    for thread, functions in threads.items():
        lines.append(f"{thread}: {totals[thread]} samples; share of samples with the function on the stack")
        lines += [f"  {count / totals[thread]:6.1%}  {function}" for function, count in functions.most_common(TOP)]
    return "\n".join(lines) + "\n"


def _part(frames: list[str]) -> str:
    if frames[-1].startswith("run_app"):
        return "in the event loop itself (uvloop: I/O, timers, or idle)"
    for part, markers in PARTS:
        if any(marker in frame for frame in frames for marker in markers):
            return part
    return "other"
