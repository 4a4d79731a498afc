"""Which of the bot's languages a message is written in, told by a language-identification
model (py3langid, restricted to the bot's six languages) with two small rules where the model
is measured to fail: Hindi written in Latin letters, and one-word greetings
(bench/language_identification.py measures both, docs/operations.md records the figures)."""

import re
import unicodedata
from collections.abc import Callable
from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from gateway.conversation.catalog import LANGUAGES

Ranking = Callable[[str], list[tuple[str, float]]]
"""A model's answer for a text: languages of LANGUAGES with their confidence, best first."""

MINIMUM_MARGIN = 0.2
"""How far the model's first language must be ahead of its second (probabilities) for the
answer to count: a first message unanswered stays in English, one answered wrongly gets a
language its writer may not read (bench/language_identification.py weighs the two)."""


def _once(word: str) -> str:
    """The word with letters typed several times in a row written once ("hiii" -> "hi")."""
    return re.sub(r"(.)\1+", r"\1", word)


_SAME_IN_EVERY_LANGUAGE = frozenset(
    {"ok", "okay", "okey", "oki", "k", "kk", "lol", "haha", "hmm", "wow", "menu", "bot"}
)
"""Words WhatsApp users write alike in all six languages: they tell no language."""

_GREETINGS = {_once(greeting): language for greeting, language in {
    "hi": "en", "hiya": "en", "hello": "en", "thx": "en", "bye": "en",
    "hola": "es", "adios": "es", "chao": "es", "chau": "es", "buenos dias": "es", "que tal": "es", "qué tal": "es",
    "salut": "fr", "coucou": "fr", "merci": "fr", "ça va": "fr", "ca va": "fr",
    "olá": "pt", "oi": "pt", "valeu": "pt", "tchau": "pt", "sim": "pt", "sair": "pt",
}.items()}  # fmt: skip
"""Messages that are only a greeting, thanks, goodbye, yes or leave the model gets wrong or is
unsure of (measured: "hola" as English, "merci" as Spanish, "valeu" as French, "buenos dias"
without its accent as Portuguese, Portuguese "sim" as Spanish, "sair" as French); letters typed
twice or more ("hiii", "oii") count once."""

_HINGLISH = frozenset(
    """
    hain hoon kya kyu kyun kyon kab kahan kaha kaise kaisa kitna kitne kitni meri mujhe mujhko aap
    aapka aapko nahi nahin nhi kar karna karni karega raha rahi rahe gayi gaye chahiye bhai yaar
    theek thik accha achha namaste namaskar pranam shukriya dhanyavaad dhanyawad dhanyavad bohot
    abhi aaj kal parso baad mein tha thi koi kuch aur bhi wala wali bhejo bhej badhai galat sahi
    badalna madad jaldi diya liye paise wapas baje kharab samajh pareshan ruki toota aaya aayega
    ghar baat baar hafte agle chalo haan kijiye dijiye bataiye batao pichle mahine kyunki lekin
    badhiya maaf itna raat kaun kisi hoga sakte jayegi
    """.split()
)
"""Hindi words as written in Latin letters ("mera order kab aayega"), none of them a word in
English, Spanish, French or Portuguese (checked against the corpora and the Debian word lists
wamerican, wfrench, wspanish, wportuguese and wbrazilian): the model knows Hindi only in
Devanagari and reads these messages as English or French, so one of these words makes a
Latin-letter message Hindi."""

_HINGLISH_ALSO_ELSEWHERE = frozenset({"hai", "mera", "mere", "ji", "acha", "karo", "gaya", "bahut", "hua"})
"""Common Hinglish words that are also words of English, Spanish, French or Portuguese ("a mere
5 days", "c'est pour ma mere", "você acha", "mera formalidad"): they make a message Hindi only
beside another Hinglish word ("mera order kab aayega", "theek hai")."""

_WORD = re.compile(r"\w+")


def identify(text: str) -> str | None:
    """The language of LANGUAGES a message is clearly written in, else None: no letters
    ("4411", "👍"), a word every language uses ("ok"), or a model that is unsure."""
    return identified(text, _model().rank)


def identified(text: str, ranking: Ranking) -> str | None:
    """`identify` with any model's ranking, so the benchmark compares models under the same rules."""
    folded = unicodedata.normalize("NFC", text).casefold()
    words = [word for word in _WORD.findall(folded) if not word.isdigit() and word not in _SAME_IN_EVERY_LANGUAGE]
    if not words:
        return None
    if greeting := _GREETINGS.get(_once(" ".join(words))):
        return greeting
    if all(word.isascii() for word in words) and _hinglish(words):
        return "hi"
    ranked = ranking(_WORD.sub(lambda word: "" if word[0] in _SAME_IN_EVERY_LANGUAGE else word[0], folded))
    if not ranked:
        return None
    margin = ranked[0][1] - (ranked[1][1] if len(ranked) > 1 else 0.0)
    return ranked[0][0] if margin >= MINIMUM_MARGIN else None


def _hinglish(words: list[str]) -> bool:
    """Whether Latin-letter words are Hindi: one word only Hinglish writes, or two Hinglish words."""
    hinglish = [word for word in words if word in _HINGLISH or word in _HINGLISH_ALSO_ELSEWHERE]
    return len(hinglish) >= 2 or any(word in _HINGLISH for word in hinglish)


@cache
def _model() -> LanguageIdentifier:
    """The model, loaded on the first call in a process (about 90 MiB and 3 seconds): only
    processes that hold conversations pay for it, an ingest-only `serve` never does."""
    model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    model.set_languages(list(LANGUAGES))
    return model


def loaded() -> bool:
    """Whether this process has loaded the model yet (until then `identify` takes seconds)."""
    return _model.cache_info().currsize > 0


def warm() -> None:
    """Load the model now, e.g. in a thread at start, instead of inside the first message's turn."""
    _model()
