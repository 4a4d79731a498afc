"""References as people write them ("ORD-4411", "#4411", "order 4411", "٤٤١١", "cnc 01"): a
plugin declares a reference's shape once, and every question, intent and reply uses it."""

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

NUMBER_WORDS = (
    "no", "no.", "nr", "nr.", "num", "num.", "number",
    "n.", "n.º", "nº", "núm", "núm.", "número", "numero",
    "n°", "numéro",
    "رقم", "الرقم", "برقم",
    "नंबर", "नम्बर", "नं", "नं.", "संख्या", "क्रमांक",
)  # fmt: skip
"""Words for "number" in the six languages, as written between a reference's word and its
digits ("Order No. 4411", "commande n° 4411", "طلب رقم 4411", "ऑर्डर नंबर 4411")."""

_BEFORE = r"(?<![^\s(\[{\"'«“¿¡,;:])"
"""A mention starts the text or follows a space or an opening mark, never inside a word."""
_AFTER = r"(?![^\s)\]}\"'»”!?.,;:؟،।])"
"""A mention ends the text or is followed by a space or punctuation."""
_SEPARATOR = r"\s*[-_/.:#]?\s*"
_TRAILING = " \t\n.,;:!?)]}\"'»”؟،।"


def normalized(text: str) -> str:
    """Case and compatibility forms folded, and every Unicode decimal digit ("٤", "४") made ASCII."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(str(unicodedata.decimal(c)) if unicodedata.decimal(c, None) is not None else c for c in folded)


def _alternatives(words: tuple[str, ...]) -> str:
    """A regex alternation of `words`, longest first so "order" wins over "ord"."""
    forms = sorted({normalized(word) for word in words}, key=len, reverse=True)
    return "|".join(re.escape(form) for form in forms) or r"(?!)"


@dataclass(frozen=True)
class Reference:
    """The shape of one kind of reference. `prefixes` are the business's (the first is shown
    when the id is stored without one); `words` are what people write before the number, in
    all six languages; the number is zero-padded to `width` ("DEF-1" is "DEF-000001"; zeros
    typed are kept, as a backend's "CNC-01" needs them) and then has `digits` digits at least
    and at most; `prefixed_ids`: the backend's id carries the prefix ("DEF-000001") or is the
    bare number ("4411"). A bare number stands for a reference only with one prefix. With
    `other_prefixes`, an answer may carry Latin letters not declared ("LATHE-3": a machine family
    the business has and the plugin does not list); a mention in free text needs a declared one."""

    kind: str
    prefixes: tuple[str, ...]
    words: tuple[str, ...] = ()
    width: int = 0
    digits: tuple[int, int] = (1, 12)
    prefixed_ids: bool = True
    other_prefixes: bool = False

    def parse(self, text: str) -> str | None:
        """The canonical id typed as an answer to a question asking for one, alone or in a few
        words ("it's 4411"); None when the text holds no reference of this kind, or several
        (which one was meant?)."""
        plain = normalized(text).strip().rstrip(_TRAILING)
        if (whole := self._answer.fullmatch(plain)) is not None:
            return self._canonical(whole["prefix"], whole["digits"])
        candidates = {self._canonical(m["prefix"], m["digits"]) for m in self._number.finditer(plain)} - {None}
        return candidates.pop() if len(candidates) == 1 else None

    def find(self, text: str) -> str | None:
        """The canonical id mentioned in free text ("where is my order 4411?"), named by its
        prefix, a "#" or one of the words; None when there is none, or several."""
        named = (m for m in self._mention.finditer(normalized(text)) if m["named"] or m["prefix"])
        mentions = {self._canonical(m["prefix"], m["digits"]) for m in named} - {None}
        return mentions.pop() if len(mentions) == 1 else None

    def show(self, value: str) -> str:
        """The business's form of a canonical id ("4411" -> "ORD-4411"); anything else as it is."""
        found = self._stored.fullmatch(normalized(value))
        if found is None:
            return value
        prefix = found["prefix"] or (self.prefixes[0].casefold() if self.prefixes else None)
        number = found["digits"].rjust(self.width, "0")
        return f"{prefix.upper()}-{number}" if prefix else number

    def _canonical(self, prefix: str | None, digits: str) -> str | None:
        """The backend's id for a prefix (or none) and digits; None if the number cannot be one."""
        number = digits.rjust(self.width, "0")
        low, high = self.digits
        if not low <= len(number) <= high or (prefix is None and len(self.prefixes) > 1):
            return None
        if not self.prefixed_ids:
            return number
        return f"{(prefix or self.prefixes[0]).upper()}-{number}"

    @cached_property
    def _prefix(self) -> str:
        return rf"(?P<prefix>{_alternatives(self.prefixes)}){_SEPARATOR}"

    @cached_property
    def _answered_prefix(self) -> str:
        """A prefix as an answer may carry it: a declared one, or with `other_prefixes` any Latin letters."""
        other = r"|[a-z]+" if self.other_prefixes else ""
        return rf"(?P<prefix>{_alternatives(self.prefixes)}{other}){_SEPARATOR}"

    @cached_property
    def _named(self) -> str:
        """What may stand before a bare number: one of the words, then maybe "number", or "#"."""
        words, numbers = _alternatives(self.words), _alternatives(NUMBER_WORDS)
        return rf"(?P<named>(?:{words})\s*(?:(?:{numbers})\s*)?[-:#]?\s*|#\s*)"

    @cached_property
    def _answer(self) -> re.Pattern[str]:
        words, numbers = _alternatives(self.words), _alternatives(NUMBER_WORDS)
        lead = rf"(?:(?:{words})\s*)?(?:(?:{numbers})\s*)?[-:#]?\s*"
        return re.compile(rf"{lead}(?:{self._answered_prefix})?(?P<digits>\d+)")

    @cached_property
    def _number(self) -> re.Pattern[str]:
        return re.compile(rf"{_BEFORE}#?\s*(?:{self._answered_prefix})?(?P<digits>\d+){_AFTER}")

    @cached_property
    def _mention(self) -> re.Pattern[str]:
        return re.compile(rf"{_BEFORE}{self._named}?(?:{self._prefix})?(?P<digits>\d+){_AFTER}")

    @cached_property
    def _stored(self) -> re.Pattern[str]:
        return re.compile(rf"(?:{self._prefix})?(?P<digits>\d+)")
