"""A microbenchmark for issue 14: what reading a reference costs, `Reference.parse` (an answer
to a question) and `Reference.find` (every free-text message, once per flow that starts with a
reference), on ordinary messages and on hostile ones (runs of whitespace between a word and
junk, which made the regexes backtrack quadratically before spaces were folded). Run on purpose:

    python -m bench.references [--calls N]
"""

import argparse
import time

from plugins.maintenance.references import MACHINE
from plugins.orders.references import ORDER

ORDINARY = {
    "ORD-4411": "ORD-4411",
    "Order No. ٤٤١١.": "Order No. ٤٤١١.",
    "where is my order 4411?": "where is my order 4411?",
    "a 300-character question": "hello, " * 40 + "where is my order 4411?",
}
HOSTILE = {
    '"order" + 4,000 spaces + "x"': "order" + " " * 4_000 + "x",
    '"order" + 20,000 newlines + "x"': "order" + "\n" * 20_000 + "x",
    '"cnc" + 4,000 tabs + "x"': "cnc" + "\t" * 4_000 + "x",
    '"order " x 4,000 + "x"': "order " * 4_000 + "x",
    "100,000 digits": "4" * 100_000,
}


def timed(call, text: str, calls: int) -> float:
    """Microseconds a call, over `calls` calls after one warm-up."""
    call(text)
    started = time.perf_counter()
    for _ in range(calls):
        call(text)
    return (time.perf_counter() - started) / calls * 1e6


def main(calls: int) -> None:
    print(f"{'message':42} {'ORDER.parse':>12} {'ORDER.find':>11} {'MACHINE.parse':>14} {'MACHINE.find':>13}  (µs a call)")
    for kind, messages in (("ordinary", ORDINARY), ("hostile", HOSTILE)):
        for name, text in messages.items():
            figures = [timed(call, text, calls) for call in (ORDER.parse, ORDER.find, MACHINE.parse, MACHINE.find)]
            print(f"{kind + ': ' + name:42} " + " ".join(f"{f:>{w}.1f}" for f, w in zip(figures, (12, 11, 14, 13))))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000)
    main(parser.parse_args().calls)
