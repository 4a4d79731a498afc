"""A microbenchmark for issue 14: what reading a date as people write it costs, with dateparser
(gateway.conversation.dates.parse_day), and what formatting one costs with Babel
(gateway.conversation.formatting). Each cold figure is taken in a fresh process, since
dateparser's import and each language's first parse load data once per process. Run on purpose:

    python -m bench.date_parsing [--calls N]
"""

import argparse
import json
import subprocess
import sys
import timeit
from datetime import UTC, date, datetime

from gateway.conversation.catalog import Catalog
from gateway.conversation.context import Conversation
from gateway.conversation.dates import parse_day
from gateway.conversation.formatting import day, moment, money

TODAY = date(2026, 12, 1)
SAMPLES = {"en": "15 Dec", "es": "mañana", "fr": "demain", "pt": "amanhã", "ar": "غدا", "hi": "कल"}
_COLD = """
import json, time
started = time.perf_counter()
import dateparser
imported = time.perf_counter()
from datetime import date
from gateway.conversation.catalog import Catalog
from gateway.conversation.context import Conversation
from gateway.conversation.dates import parse_day
conversation = Conversation("+919812345678", {language!r}, Catalog(), idempotency_key="bench")
before = time.perf_counter()
parse_day({text!r}, conversation, date(2026, 12, 1))
print(json.dumps({{"import": imported - started, "first": time.perf_counter() - before}}))
"""


def cold(language: str) -> dict[str, float]:
    """Seconds to import dateparser, and to parse the language's first date, in a new process."""
    code = _COLD.format(language=language, text=SAMPLES[language])
    return json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, text=True).stdout)


def warm(language: str, calls: int) -> float:
    """Microseconds a parse takes once the language is loaded."""
    conversation = Conversation("+919812345678", language, Catalog(), idempotency_key="bench")
    parse_day(SAMPLES[language], conversation, TODAY)
    return timeit.timeit(lambda: parse_day(SAMPLES[language], conversation, TODAY), number=calls) / calls * 1e6


def formatting(calls: int) -> dict[str, float]:
    """Microseconds a date, a date and time, and an amount take to format."""
    reader = Conversation("+919812345678", "es", Catalog(), idempotency_key="bench")
    deadline = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    cases = {
        "day": lambda: day(TODAY, reader),
        "moment": lambda: moment(deadline, reader),
        "money": lambda: money(1860, "INR", reader),
    }
    return {name: timeit.timeit(case, number=calls) / calls * 1e6 for name, case in cases.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    calls = parser.parse_args().calls
    print("| language | text | import s (cold) | first parse s (cold) | parse µs (warm) |")
    print("|---|---|---|---|---|")
    for language, text in SAMPLES.items():
        first = cold(language)
        print(f"| {language} | {text} | {first['import']:.2f} | {first['first']:.2f} | {warm(language, calls):,.0f} |")
    print()
    print("| format (es_ES) | µs a call |")
    print("|---|---|")
    for name, micros in formatting(calls * 10).items():
        print(f"| {name} | {micros:,.1f} |")


if __name__ == "__main__":
    main()
