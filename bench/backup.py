"""How `wa-gateway backup` copies a live SQLite store: a database of the given size in WAL mode
(the store's), a writer committing rows as fast as it can, and the online backup in one read
transaction, made by another process as the command does. Reports the copy's speed and the
writer's commit latency during the copy against the same writer alone for as long, in the same
run. Run on purpose:

    python -m bench.backup [--megabytes N]
"""

import argparse
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROW_BYTES = 1000
COPY = """
import sys, time
from pathlib import Path
from gateway.backup import copy_database
started = time.perf_counter()
copy_database(Path(sys.argv[1]), Path(sys.argv[2]))
print(time.perf_counter() - started)
"""


def _live_database(path: Path, megabytes: int) -> sqlite3.Connection:
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA synchronous = NORMAL")  # as the store sets it
    writer.execute("CREATE TABLE log (id INTEGER PRIMARY KEY, payload BLOB)")
    rows = megabytes * 1024 * 1024 // ROW_BYTES
    writer.execute("BEGIN")
    writer.executemany("INSERT INTO log (payload) VALUES (randomblob(?))", [(ROW_BYTES,)] * rows)
    writer.execute("COMMIT")
    return writer


def _commit_latencies(writer: sqlite3.Connection, stop: threading.Event) -> list[float]:
    """Milliseconds each commit took until `stop` is set."""
    latencies = []
    while not stop.is_set():
        started = time.perf_counter()
        writer.execute("INSERT INTO log (payload) VALUES (randomblob(?))", (ROW_BYTES,))
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def _writing_while(writer: sqlite3.Connection, work) -> tuple[list[float], float]:
    """The writer's commit latencies while `work()` runs, and what `work` returns."""
    stop, latencies = threading.Event(), []
    thread = threading.Thread(target=lambda: latencies.extend(_commit_latencies(writer, stop)))
    thread.start()
    result = work()
    stop.set()
    thread.join()
    return latencies, result


def _copy_in_another_process(live: Path, copy: Path) -> float:
    """Seconds the copy took, timed inside the process that made it."""
    run = subprocess.run([sys.executable, "-c", COPY, str(live), str(copy)], capture_output=True, text=True, check=True)
    return float(run.stdout)


def _summary(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p99 = ordered[int(len(ordered) * 0.99)]
    return f"{len(ordered)} commits, p50 {statistics.median(ordered):.3f} ms, p99 {p99:.3f} ms, max {ordered[-1]:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=200)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        live = Path(directory) / "gateway.db"
        writer = _live_database(live, arguments.megabytes)
        size = live.stat().st_size / 1e6
        during, elapsed = _writing_while(writer, lambda: _copy_in_another_process(live, Path(directory) / "copy.db"))
        alone, _ = _writing_while(writer, lambda: time.sleep(elapsed))
        writer.close()
    print(f"copied {size:.0f} MB in {elapsed:.2f} s ({size / elapsed:.0f} MB/s) while a writer committed")
    print(f"writer during the copy (and the copying process's start): {_summary(during)}")
    print(f"writer alone, as long:                                     {_summary(alone)}")


if __name__ == "__main__":
    main()
