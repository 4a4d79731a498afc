"""Language identification measured on what people write on WhatsApp (bench/data/languages/,
one file per language, one message per line, Hindi in Devanagari and in Latin letters; a tuning
set and a held-out set): for each
library and configuration, and for the gateway's `identify` (the chosen model and its rules),
the share of messages identified right per language, wrong and unanswered, the time per call,
and the memory and load time of the model in a process of its own. Run on purpose:

    python -m bench.language_identification [--passes N] [--configurations NAME ...]
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

CORPUS = Path(__file__).parent / "data" / "languages"
SETS = {"tuning": CORPUS, "held-out": CORPUS / "held_out"}
"""The tuning set, which identify's rules were chosen on, and the held-out set, written after
the rules and never used to choose them: its figures are the ones to expect from real traffic."""
LANGUAGES = ("en", "es", "fr", "pt", "ar", "hi")
GROUPS = ("en", "es", "fr", "pt", "ar", "hi (Devanagari)", "hi (Latin)")

Identifier = Callable[[str], str | None]


def corpus(folder: Path = CORPUS) -> dict[str, list[str]]:
    """Messages by group; Hindi split by script, since the libraries see two different things."""
    messages: dict[str, list[str]] = {group: [] for group in GROUPS}
    for language in LANGUAGES:
        for line in (folder / f"{language}.txt").read_text(encoding="utf-8").splitlines():
            if line.strip():
                group = language if language != "hi" else "hi (Latin)" if line.isascii() else "hi (Devanagari)"
                messages[group].append(line)
    return messages


def _lingua(languages: str, accuracy: str) -> Callable[[], Identifier]:
    def build() -> Identifier:
        from lingua import IsoCode639_1, LanguageDetectorBuilder

        builder = (
            LanguageDetectorBuilder.from_iso_codes_639_1(*(IsoCode639_1.from_str(code) for code in LANGUAGES))
            if languages == "six"
            else LanguageDetectorBuilder.from_all_languages()
        )
        if accuracy == "low":
            builder = builder.with_low_accuracy_mode()
        if languages == "six":
            builder = builder.with_preloaded_language_models()
        detector = builder.build()

        def identify(text: str) -> str | None:
            language = detector.detect_language_of(text)
            return language.iso_code_639_1.name.lower() if language else None

        return identify

    return build


def _py3langid(languages: str) -> Callable[[], Identifier]:
    def build() -> Identifier:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        if languages == "six":
            identifier.set_languages(list(LANGUAGES))
        return lambda text: identifier.classify(text)[0]

    return build


def _with_rules(model: str) -> Callable[[], Identifier]:
    """The gateway's rules (languages.identified) over a model's ranking of the six languages."""

    def build() -> Identifier:
        from gateway.conversation import languages

        if model == "py3langid":
            return languages.identify
        from lingua import IsoCode639_1, LanguageDetectorBuilder

        builder = LanguageDetectorBuilder.from_iso_codes_639_1(*(IsoCode639_1.from_str(code) for code in LANGUAGES))
        if model == "lingua-low":
            builder = builder.with_low_accuracy_mode()
        detector = builder.with_preloaded_language_models().build()

        def ranking(text: str) -> list[tuple[str, float]]:
            values = detector.compute_language_confidence_values(text)
            return [(value.language.iso_code_639_1.name.lower(), value.value) for value in values if value.value > 0]

        return lambda text: languages.identified(text, ranking)

    return build


CONFIGURATIONS: dict[str, Callable[[], Identifier]] = {
    "lingua, 6 languages, high accuracy": _lingua("six", "high"),
    "lingua, 6 languages, low accuracy": _lingua("six", "low"),
    "lingua, all 75 languages, high accuracy": _lingua("all", "high"),
    "py3langid, all 97 languages": _py3langid("all"),
    "py3langid, set_languages(6)": _py3langid("six"),
    "lingua 6 high + rules": _with_rules("lingua"),
    "lingua 6 low + rules": _with_rules("lingua-low"),
    "identify: py3langid 6 + rules (the gateway)": _with_rules("py3langid"),
}


def _resident_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


def scores(identify: Identifier, messages: dict[str, list[str]]) -> dict:
    """Shares of a set's messages identified right (by group and in all), wrong and unanswered."""
    answers = {group: [identify(text) for text in texts] for group, texts in messages.items()}
    expected = {group: group.split()[0] for group in GROUPS}
    count = sum(len(texts) for texts in messages.values())
    return {
        "right": {g: sum(a == expected[g] for a in found) / len(found) for g, found in answers.items()},
        "right_all": sum(a == expected[g] for g, found in answers.items() for a in found) / count,
        "wrong": sum(a not in (None, expected[g]) for g, found in answers.items() for a in found) / count,
        "none": sum(a is None for found in answers.values() for a in found) / count,
    }


def measure(name: str, passes: int) -> dict:
    """One configuration, in this process: load it, score both sets, time `passes` passes over
    the tuning set."""
    import gateway.conversation.catalog  # noqa: F401  the gateway's own modules are not the model's memory

    messages = {label: corpus(folder) for label, folder in SETS.items()}
    before = _resident_mib()
    started = time.perf_counter()
    identify = CONFIGURATIONS[name]()
    identify("hello")
    loaded = time.perf_counter() - started
    results = {label: scores(identify, texts) for label, texts in messages.items()}
    timings = []
    everything = [text for texts in messages["tuning"].values() for text in texts]
    for _ in range(passes):
        started = time.perf_counter()
        for text in everything:
            identify(text)
        timings.append((time.perf_counter() - started) / len(everything))
    return {
        "sets": results,
        "microseconds": statistics.median(timings) * 1e6,
        "mib": _resident_mib() - before,
        "load_seconds": loaded,
    }


def table(results: dict[str, dict], label: str) -> str:
    head = ["configuration", *GROUPS, "all right", "wrong", "no answer", "µs/call", "MiB", "load s"]
    lines = [f"{label} set ({SETS[label].relative_to(CORPUS.parents[2])}/):", "", "| " + " | ".join(head) + " |"]
    lines.append("|" + "---|" * len(head))
    for name, result in results.items():
        shares = result["sets"][label]
        cells = [
            name,
            *(f"{shares['right'][group]:.0%}" for group in GROUPS),
            f"**{shares['right_all']:.1%}**",
            f"{shares['wrong']:.1%}",
            f"{shares['none']:.1%}",
            f"{result['microseconds']:.0f}",
            f"{result['mib']:.0f}",
            f"{result['load_seconds']:.1f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.language_identification", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--passes", type=int, default=3, help="timed passes over the corpus (the median counts)")
    parser.add_argument("--configurations", nargs="*", choices=list(CONFIGURATIONS), default=list(CONFIGURATIONS))
    parser.add_argument("--one", choices=list(CONFIGURATIONS), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.one:
        print(json.dumps(measure(options.one, options.passes)))
        return
    for label, folder in SETS.items():
        sizes = {group: len(texts) for group, texts in corpus(folder).items()}
        print(f"{label} messages: " + ", ".join(f"{group} {count}" for group, count in sizes.items()), flush=True)
    results = {}
    for name in options.configurations:
        command = [sys.executable, "-m", "bench.language_identification", "--one", name]
        command += ["--passes", str(options.passes)]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        results[name] = json.loads(output)
        print(f"measured {name}", file=sys.stderr, flush=True)
    for label in SETS:
        print("\n" + table(results, label))


if __name__ == "__main__":
    main()
