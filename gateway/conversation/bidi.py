"""Right-to-left text as WhatsApp lays it out: each line takes the direction of its first strong
character, so an Arabic line that starts with Latin text, a digit or an emoji needs a mark."""

import unicodedata

from babel import Locale, UnknownLocaleError

RLM = "\u200f"
"""RIGHT-TO-LEFT MARK: an invisible strong right-to-left character."""
_RIGHT_TO_LEFT = frozenset({"R", "AL"})
_STRONG = _RIGHT_TO_LEFT | {"L"}


def right_to_left(text: str) -> str:
    """`text` with RLM at the start of every line whose first strong character is not
    right-to-left; blank lines and lines already right-to-left are left as they are."""
    return "\n".join(_marked(line) for line in text.split("\n"))


def holds_right_to_left(text: str) -> bool:
    """Whether any letter of `text` is written right to left (Arabic, Hebrew, ...)."""
    return any(unicodedata.bidirectional(character) in _RIGHT_TO_LEFT for character in text)


def written_right_to_left(language: str | None) -> bool:
    """Whether the language is written right to left, by Babel's locale data (ar: yes)."""
    try:
        return language is not None and Locale.parse(language).character_order == "right-to-left"
    except (ValueError, UnknownLocaleError):
        return False


def _marked(line: str) -> str:
    first = next((kind for kind in map(unicodedata.bidirectional, line) if kind in _STRONG), None)
    return line if first in _RIGHT_TO_LEFT or not line.strip() else RLM + line
