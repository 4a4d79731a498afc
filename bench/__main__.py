"""Run the benchmarks and report them as one table, printed and appended to BENCHMARKS.md
with the date, commit, machine and command:  python -m bench [scenario ...] [options]"""

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.harness import REPO, Row, commit, machine
from bench.scenarios import conversation, fanout, flood, ingest, peer, soak, stats, store_ops, workers

SCENARIOS = {
    "ingest": ingest,
    "peer": peer,
    "flood": flood,
    "conversation": conversation,
    "fanout": fanout,
    "workers": workers,
    "stats": stats,
    "store-ops": store_ops,
    "soak": soak,
}


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", help=f"any of {', '.join(SCENARIOS)}; all but soak when none is named")
    parser.add_argument("--seconds", type=int, default=10, help="length of each load run")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (closed loop)")
    parser.add_argument("--ingest-requests", type=int, default=100_000, help="distinct signed requests per provider")
    parser.add_argument("--steps", type=int, default=20_000, help="conversation steps in the throughput run")
    parser.add_argument("--recipients", type=int, default=10_000, help="fan-out recipients, and jobs per worker run")
    parser.add_argument("--entries", type=int, default=1_000_000, help="log entries for the stats scenario")
    parser.add_argument("--soak-minutes", type=float, default=10)
    parser.add_argument("--soak-rate", type=int, default=300)
    parser.add_argument("--workers", type=int, default=0, help="`wa-gateway worker` processes beside serve")
    parser.add_argument(
        "--profile", type=Path, default=None, metavar="DIR", help="profile serve with py-spy (the bench extra) into DIR"
    )
    parser.add_argument(
        "--store-url",
        default=None,
        help="a MongoDB server (mongodb://host) for the gateway's store, a fresh database per run; default a fresh "
        "SQLite file per run, and also GATEWAY_TEST_MONGO_URL's server when that is set",
    )
    arguments = parser.parse_args()
    unknown = set(arguments.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario {', '.join(sorted(unknown))}; choose from {', '.join(SCENARIOS)}")
    arguments.scenarios = arguments.scenarios or [name for name in SCENARIOS if name != "soak"]
    return arguments


def table(rows: list[Row], arguments: argparse.Namespace) -> str:
    store = "MongoDB" if arguments.store_url and arguments.store_url.startswith("mongodb") else "SQLite"
    processes = f"serve and {arguments.workers} worker process(es)" if arguments.workers else "one serve process"
    lines = [
        f"### bench/run: {', '.join(arguments.scenarios)} ({store}, {processes})",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit()}, {machine()}; "
        f"`bench/run {' '.join(sys.argv[1:])}`".rstrip(),
        "",
        "| scenario | measured | of ceiling | target | met |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        verdict = "-" if row.met is None else ("yes" if row.met else "**no**")
        lines.append(f"| {row.scenario} | {row.measured} | {row.of_ceiling} | {row.target} | {verdict} |")
    return "\n".join(lines) + "\n"


def stores(arguments: argparse.Namespace) -> list[str | None]:
    """The one named, else SQLite and, when GATEWAY_TEST_MONGO_URL is set, that MongoDB too."""
    if arguments.store_url:
        return [arguments.store_url]
    mongo = os.environ.get("GATEWAY_TEST_MONGO_URL")
    return [None, mongo] if mongo else [None]


def main() -> None:
    arguments = options()
    for store_url in stores(arguments):
        arguments.store_url = store_url
        rows = []
        for name in arguments.scenarios:
            print(f"bench: {name}…", file=sys.stderr, flush=True)
            rows += SCENARIOS[name].run(arguments)
        report = table(rows, arguments)
        print(report)
        with (REPO / "BENCHMARKS.md").open("a") as benchmarks:
            benchmarks.write("\n" + report)


if __name__ == "__main__":
    os.chdir(REPO)
    main()
