"""Global commands, understood in every language the bot speaks, whatever the contact's own."""

import re
import unicodedata
from enum import StrEnum


class Command(StrEnum):
    MENU = "menu"
    BACK = "back"
    CANCEL = "cancel"
    HELP = "help"
    LANGUAGE = "language"
    STOP = "stop"
    START = "start"
    PERSON = "person"


GREETINGS = {
    "hello": "en",
    "hi": "en",
    "hey": "en",
    "hola": "es",
    "bonjour": "fr",
    "salut": "fr",
    "olá": "pt",
    "ola": "pt",
    "oi": "pt",
    "مرحبا": "ar",
    "नमस्ते": "hi",
    "namaste": "hi",
}
"""Greetings that open a conversation, and the language each one tells."""

_WORDS = {
    Command.MENU: ("menu", "0", "menú", "bot", "القائمة", "मेनू"),
    Command.BACK: ("back", "atrás", "atras", "volver", "retour", "voltar", "رجوع", "वापस"),
    Command.CANCEL: ("cancel", "cancelar", "annuler", "إلغاء", "रद्द"),
    Command.HELP: ("help", "ayuda", "aide", "ajuda", "مساعدة", "मदद"),
    Command.LANGUAGE: ("language", "idioma", "langue", "اللغة", "भाषा"),
    Command.STOP: ("stop", "unsubscribe", "baja", "parar", "arrêt", "arret", "désabonner", "sair", "إيقاف", "रोकें"),
    Command.START: ("start", "subscribe", "alta", "iniciar", "démarrer", "demarrer", "بدء", "शुरू"),
}
_COMMANDS = {word: command for command, words in _WORDS.items() for word in words}

_PEOPLE = (
    # en
    "agent", "agents", "human", "humans", "person", "someone", "somebody", "operator", "support",
    "representative", "customer service", "customer care", "live agent", "real person",
    # es
    "agente", "humano", "persona", "alguien", "operador", "operadora", "soporte", "asesor", "asesora",
    "ejecutivo", "atencion al cliente", "servicio al cliente",
    # fr
    "humain", "personne", "quelqu'un", "quelqu un", "operateur", "operatrice", "conseiller", "conseillere",
    "service client", "service clientele",
    # pt
    "pessoa", "alguem", "atendente", "suporte", "atendimento", "operadora",
    # ar (letters folded: ا for أ إ آ, ه for ة, ي for ى)
    "موظف", "موظفه", "انسان", "شخص", "بشري", "وكيل", "الدعم", "دعم", "خدمه العملاء",
    # hi
    "एजेंट", "इंसान", "व्यक्ति", "ऑपरेटर", "किसी", "ग्राहक सेवा", "कस्टमर केयर", "insaan", "insan",
)
"""Words for a person to talk to; alone, or with a word for talking, they ask for one."""

_TALKING = (
    "talk", "speak", "chat", "connect", "transfer",
    "hablar", "comunicar", "comunicarme", "contactar", "pasar", "pasame", "pasen",
    "parler", "contacter", "joindre", "passer",
    "falar", "conversar", "contatar", "contactar", "passar",
    "تحدث", "التحدث", "اتحدث", "اتكلم", "كلم", "اكلم", "التواصل", "تواصل",
    "बात", "baat", "bat",
)
"""Words for talking to someone: with a word for a person, a sentence asks for one."""

_SHORT_REQUEST_WORDS = 4
"""A message this short that names a person asks for one ("human please", "I want an agent");
a longer one must also say it wants to talk ("quiero hablar con una persona"), so "the support
beam on line 2 cracked" stays a description."""

_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي"})


def normalized(text: str) -> str:
    """Lower case, trimmed of spaces and closing punctuation, in one Unicode form."""
    return unicodedata.normalize("NFC", text).strip().strip("!.?¡¿ ").casefold()


def _folded(text: str) -> str:
    """`normalized`, without accents on Latin letters or Arabic letter variants, so spellings
    typed on any keyboard match: "opérateur" and "operateur", "إنسان" and "انسان". Marks on
    other scripts stay: Devanagari vowel signs are letters' parts, not accents."""
    kept: list[str] = []
    for char in unicodedata.normalize("NFD", normalized(text).translate(_ARABIC_LETTERS)):
        if unicodedata.combining(char) and kept and kept[-1].isascii():
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


def _phrases(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = sorted({re.escape(_folded(word)) for word in words}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


_PERSON = _phrases(_PEOPLE)
_TALK = _phrases(_TALKING)


def asks_for_person(text: str) -> bool:
    """Whether a message asks to talk to a person, in any of the bot's languages: a word for one
    in a short message, or with a word for talking ("speak to a human", "falar com uma pessoa")."""
    folded = _folded(text)
    if not _PERSON.search(folded):
        return False
    return len(folded.split()) <= _SHORT_REQUEST_WORDS or _TALK.search(folded) is not None


def command_in(text: str) -> Command | None:
    """The global command a message is, if it is one; a greeting shows the menu."""
    word = normalized(text)
    if word in GREETINGS:
        return Command.MENU
    if word in _COMMANDS:
        return _COMMANDS[word]
    return Command.PERSON if asks_for_person(text) else None


def greeting_language(text: str) -> str | None:
    """The language a greeting is in, e.g. `hola` -> `es`."""
    return GREETINGS.get(normalized(text))
