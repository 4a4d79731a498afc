"""Hypothesis strategies for webhook bodies: captured payloads (tests/fixtures/<provider>/)
mutated where a provider or an attacker could change them, and bodies and headers of any shape."""

import json
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

# Values that broke parsers before (issue 11): integers past 64 bits, times past year 9999,
# digits int() refuses, line breaks for logs, names longer than a message.
AWKWARD_SCALARS = st.sampled_from(
    [
        2**64,
        -(2**63) - 1,
        10**20,
        "1" + "0" * 20,
        "-1",
        "9999-12-31T23:59:59-01:00",
        "2026-07-01T04:30:12",
        "①",
        "²",
        "call.ended\r\n2026-11-30 INFO forged line",
        "\u2028\x85\x00",
        "A" * 5000,
        "+12",
        "not a url",
        float("1e308"),
        True,
        "",
    ]
)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
JSON_VALUES = st.recursive(
    SCALARS | AWKWARD_SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)


def fixtures(provider: str) -> list[Any]:
    """Every captured payload of one provider, parsed."""
    return [json.loads(path.read_bytes()) for path in sorted((FIXTURES / provider).glob("*.json"))]


def paths(document: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a JSON document: the keys and indices that lead to it."""
    found = [prefix]
    if isinstance(document, dict):
        for key, value in document.items():
            found += paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += paths(value, (*prefix, index))
    return found


def _replaced(document: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    head, *rest = path
    copy = dict(document) if isinstance(document, dict) else list(document)
    copy[head] = _replaced(document[head], tuple(rest), value)
    return copy


def _removed(document: Any, path: tuple) -> Any:
    head, *rest = path
    copy = dict(document) if isinstance(document, dict) else list(document)
    if rest:
        copy[head] = _removed(document[head], tuple(rest))
    else:
        del copy[head]
    return copy


@st.composite
def mutated(draw: st.DrawFn, document: Any, max_changes: int = 3, within: tuple = ()) -> Any:
    """`document` with one to `max_changes` places (under `within`) replaced by any JSON value,
    wrapped in a list, or removed."""
    for _ in range(draw(st.integers(1, max_changes))):
        places = [path for path in paths(document) if path[: len(within)] == within]
        path = draw(st.sampled_from(places))
        change = draw(st.sampled_from(["replace", "wrap", "remove"] if len(path) > len(within) else ["replace"]))
        if change == "remove":
            document = _removed(document, path)
        else:
            value = draw(JSON_VALUES)
            document = _replaced(document, path, value if change == "replace" else [_at(document, path)])
    return document


def _at(document: Any, path: tuple) -> Any:
    for step in path:
        document = document[step]
    return document


@st.composite
def json_body(draw: st.DrawFn, documents: list[Any]) -> bytes:
    """A captured payload, mutated or not, or any JSON at all; sometimes with its bytes cut or changed."""
    document = draw(st.sampled_from(documents).flatmap(lambda d: st.just(d) | mutated(d)) | JSON_VALUES)
    body = json.dumps(document, ensure_ascii=draw(st.booleans())).encode()
    if draw(st.integers(0, 9)) == 0:
        cut = draw(st.integers(0, len(body)))
        body = body[:cut] + draw(st.binary(max_size=3)) + body[cut + 1 :]
    return body


FORM_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40) | AWKWARD_SCALARS.map(str)


@st.composite
def form_pairs(draw: st.DrawFn, documents: list[dict[str, str]]) -> list[tuple[str, str]]:
    """A captured Twilio form with parameters changed, added, removed or repeated."""
    pairs = list(draw(st.sampled_from(documents)).items())
    for _ in range(draw(st.integers(0, 4))):
        change = draw(st.sampled_from(["replace", "add", "remove", "repeat"]))
        index = draw(st.integers(0, len(pairs) - 1)) if pairs else None
        if change == "replace" and pairs:
            pairs[index] = (pairs[index][0], draw(FORM_TEXT))
        elif change == "remove" and pairs:
            pairs.pop(index)
        elif change == "repeat" and pairs:
            pairs.append((pairs[index][0], draw(FORM_TEXT)))
        else:
            name = draw(st.sampled_from(["NumMedia", "MediaUrl0", "Latitude", "Longitude", "ButtonPayload", "ListId"]))
            pairs.append((draw(st.just(name) | FORM_TEXT), draw(FORM_TEXT)))
    return pairs


HEADER_BYTES = st.binary(max_size=80).filter(lambda value: b"\r" not in value and b"\n" not in value)
"""A header value as it may arrive on the wire: any bytes but a line break."""


def as_aiohttp_decodes(value: bytes) -> str:
    """A header value as aiohttp hands it to the application."""
    return value.decode("utf-8", "surrogateescape")
