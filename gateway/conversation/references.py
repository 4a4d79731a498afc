"""References as people write them ("ORD-4411", "#4411", "order 4411", "٤٤١١", "cnc 01"): a
plugin declares a reference's shape once, and every question, intent and reply uses it."""

import re
import unicodedata
from dataclasses import dataclass, replace
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

ANSWER_LIMIT = 200
"""Characters an answer may have, its spaces folded, to be read as a reference: one is a few words."""
MENTION_LIMIT = 500
"""Characters of free text looked at for a mention: a question naming a reference names it early."""

_BEFORE = r"(?<![^ (\[{\"'«“¿¡,;:])"
"""A mention starts the text or follows a space or an opening mark, never inside a word."""
_AFTER = r"(?![^ )\]}\"'»”!?.,;:؟،।])"
"""A mention ends the text or is followed by a space or punctuation."""
_SEPARATOR = r" ?[-_/.:#]? ?"
"""Between a prefix and its number: one optional mark, each side at most one space (spaces are
folded first, so a run of them can never be split many ways)."""
_LATIN_WORD = r"(?<!')[a-z]++"
"""Latin letters that may be a business's prefix ("qa" in "qa 7"); not the "s" of "it's"."""
_DIGITS = re.compile(r"\d+")
_TRAILING = " .,;:!?)]}\"'»”؟،।"


def _folded(text: str) -> str:
    """Case and compatibility forms folded and every run of whitespace made one space (all in C,
    so a message of any length costs little)."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _ascii(text: str) -> str:
    """Every Unicode decimal digit ("٤", "४") made ASCII and every dash ("–", "‑") a hyphen."""
    return "".join(_ascii_character(c) for c in text)


def _ascii_character(c: str) -> str:
    if (digit := unicodedata.decimal(c, None)) is not None:
        return str(digit)
    return "-" if unicodedata.category(c) == "Pd" else c


def normalized(text: str) -> str:
    """Case, compatibility forms and spaces folded, digits ASCII and dashes hyphens."""
    return _ascii(_folded(text))


def _opening(text: str, limit: int) -> str:
    """The first `limit` characters of folded text, cut at a space so that no number is cut in two."""
    if len(text) <= limit:
        return text
    head, _, _ = text[: limit + 1].rpartition(" ")
    return head


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

    def as_issued(self) -> "Reference":
        """This kind as a business system issues it ("QA-7", "WO-1"): any Latin prefix and the
        digits as typed; a bare number is refused, since the system's prefix is not known."""
        return replace(self, prefixes=(), width=0, other_prefixes=True)

    def parse(self, text: str) -> str | None:
        """The canonical id typed as an answer to a question asking for one, alone or in a few
        words ("it's 4411"); None when the text holds no reference of this kind, or holds more
        than one number, or a number after Latin letters that are not this kind's ("qa 7"):
        which one was meant?"""
        folded = _folded(text)
        if len(folded) > ANSWER_LIMIT:
            return None
        plain = _ascii(folded).rstrip(_TRAILING)
        if (whole := self._answer.fullmatch(plain)) is not None:
            return self._canonical(whole["prefix"], whole["digits"])
        numbers = list(self._number.finditer(plain))
        if len(numbers) != len(_DIGITS.findall(plain)):
            return None  # a number that cannot be told apart ("4.411", "A4411")
        candidates = {self._canonical(m["prefix"], m["digits"]) for m in numbers}
        return candidates.pop() if len(candidates) == 1 else None

    def find(self, text: str) -> str | None:
        """The canonical id mentioned in free text ("where is my order 4411?"), named by its
        prefix, a "#" or one of the words; None when there is none, or several."""
        plain = _ascii(_opening(_folded(text), MENTION_LIMIT))
        named = (m for m in self._mention.finditer(plain) if m["named"] or m["prefix"])
        mentions = {self._canonical(m["prefix"], m["digits"]) for m in named}
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
        """The backend's id for a prefix (or none) and digits; None if they cannot be one of this
        kind: too few or many digits, a bare number where the prefix is not known, or Latin
        letters before it that are not a prefix of this kind ("wo 1" is not MAINT-000001)."""
        number = digits.rjust(self.width, "0")
        low, high = self.digits
        if not low <= len(number) <= high:
            return None
        if prefix is not None and prefix not in self._declared and not self.other_prefixes:
            return None
        if prefix is None and len(self.prefixes) != 1:
            return None
        if not self.prefixed_ids:
            return number
        return f"{(prefix or self.prefixes[0]).upper()}-{number}"

    @cached_property
    def _declared(self) -> frozenset[str]:
        return frozenset(normalized(prefix) for prefix in self.prefixes)

    @cached_property
    def _lead(self) -> str:
        """What may stand before a number in an answer: one of the words, then maybe "number",
        then maybe one mark ("order: 4411", "order #4411", "Order No. 4411")."""
        words, numbers = _alternatives(self.words), _alternatives(NUMBER_WORDS)
        return rf"(?:(?:{words}) ?)?(?:(?:{numbers}) ?)?(?:[-:#] ?)?"

    @cached_property
    def _answer(self) -> re.Pattern[str]:
        other = f"|{_LATIN_WORD}" if self.other_prefixes else ""
        prefix = rf"(?P<prefix>{_alternatives(self.prefixes)}{other}){_SEPARATOR}"
        return re.compile(rf"{self._lead}(?:{prefix})?(?P<digits>\d+)")

    @cached_property
    def _number(self) -> re.Pattern[str]:
        """A number in a few words, with what stands before it: Latin letters joined to it ("qa7",
        "wo-1") are a prefix, declared or not, so they are never read as a bare number; a word
        and a space before it are words ("my order is 4411"), except for a kind that takes
        undeclared prefixes ("the lathe 3 leaks")."""
        joined = "" if self.other_prefixes else r"(?=[-_/.:#\d])"
        prefix = rf"(?P<prefix>{_alternatives(self.prefixes)}|{_LATIN_WORD}{joined}){_SEPARATOR}"
        return re.compile(rf"{_BEFORE}{self._lead}(?:{prefix})?(?P<digits>\d+){_AFTER}")

    @cached_property
    def _mention(self) -> re.Pattern[str]:
        words, numbers = _alternatives(self.words), _alternatives(NUMBER_WORDS)
        named = rf"(?P<named>(?:{words}) ?(?:(?:{numbers}) ?)?(?:[-:#] ?)?|# ?)"
        prefix = rf"(?P<prefix>{_alternatives(self.prefixes)}){_SEPARATOR}"
        return re.compile(rf"{_BEFORE}{named}?(?:{prefix})?(?P<digits>\d+){_AFTER}")

    @cached_property
    def _stored(self) -> re.Pattern[str]:
        return re.compile(rf"(?:(?P<prefix>{_alternatives(self.prefixes)}){_SEPARATOR})?(?P<digits>\d+)")
