"""Sampling profiles of a gateway process while a scenario runs (py-spy, from the `bench`
extra): the collapsed stacks, and a summary of where the time went."""

import signal
import subprocess
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TOP = 40


@contextmanager
def profiled(process: subprocess.Popen, directory: Path | None, name: str) -> Iterator[None]:
    """Record `process` while the block runs; leaves NAME.folded and NAME.txt in `directory`."""
    if directory is None:
        yield
        return
    directory.mkdir(parents=True, exist_ok=True)
    stacks = directory / f"{name}.folded"
    command = ["py-spy", "record", "--pid", str(process.pid), "--format", "raw", "--output", str(stacks),
               "--rate", "200", "--nonblocking"]  # fmt: skip
    recorder = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        recorder.send_signal(signal.SIGINT)
        recorder.wait(timeout=60)
        (directory / f"{name}.txt").write_text(summary(stacks))


def summary(stacks: Path) -> str:
    """Per thread, the share of samples in which each function was on the stack."""
    threads: dict[str, Counter] = {}
    totals: Counter = Counter()
    for line in stacks.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        thread = "database thread" if "Thread._bootstrap" in frames[0] else "event loop"
        totals[thread] += int(count)
        functions = threads.setdefault(thread, Counter())
        for function in {frame.split(" (")[0] for frame in frames}:
            functions[function] += int(count)
    lines = []
    for thread, functions in threads.items():
        lines.append(f"{thread}: {totals[thread]} samples; share of samples with the function on the stack")
        lines += [f"  {count / totals[thread]:6.1%}  {function}" for function, count in functions.most_common(TOP)]
    return "\n".join(lines) + "\n"
