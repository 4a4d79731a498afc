"""Global commands, understood in every language the bot speaks, whatever the contact's own."""

import functools
import re
import unicodedata
from collections.abc import Iterable
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


COMMAND_BUTTON = "command:"
"""The id of a button that runs a command is this and the command's name ("command:menu")."""


_WORDS = {
    Command.MENU: ("menu", "0", "menú", "bot", "القائمة", "मेनू"),
    Command.BACK: ("back", "atrás", "volver", "retour", "voltar", "رجوع", "वापस"),
    Command.CANCEL: ("cancel", "cancelar", "annuler", "إلغاء", "रद्द"),
    Command.HELP: ("help", "ayuda", "aide", "ajuda", "مساعدة", "मदद"),
    Command.LANGUAGE: ("language", "idioma", "langue", "língua", "اللغة", "भाषा", "bhasha"),
    Command.STOP: (
        "stop", "unsubscribe", "opt out", "stop all",
        "baja", "darme de baja", "parar", "detener",
        "arrêt", "arrêter", "désabonner", "me désabonner", "désinscrire",
        "sair", "descadastrar", "cancelar inscrição",
        "إيقاف", "توقف", "وقف", "إلغاء الاشتراك",
        "रोकें", "रोको", "बंद करें", "roko", "band karo",
    ),
}
_START_WORDS = {
    "en": ("start", "subscribe", "unstop"),
    "es": ("alta", "darme de alta", "iniciar"),
    "fr": ("démarrer", "m'abonner"),
    "pt": ("começar", "voltar a receber"),
    "ar": ("بدء", "ابدأ", "اشتراك"),
    "hi": ("शुरू", "शुरू करें", "shuru", "shuru karo"),
}
"""START's words by the language each one tells: a new contact's first "começar" is Portuguese."""
_WORDS[Command.START] = tuple(word for words in _START_WORDS.values() for word in words)
"""Each command's words in every language: the message must be exactly one of them, after
`_folded`, as WhatsApp's opt-out convention asks of STOP and START."""

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

_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي", "ـ": None})


def _edge(char: str) -> bool:
    """Punctuation, symbols (emoji) and spaces: what a message may start or end with around
    its words ("hola!!", "¿ayuda?", "شكرا؟", "hi 👋")."""
    return unicodedata.category(char)[0] in "PSZC"


def _folded(text: str) -> str:
    """A message in the one form every word list is matched in: lower case, one Unicode form,
    without punctuation, emoji or spaces at its ends or doubled inside, accents on Latin
    letters, Arabic vowel marks or Arabic letter variants, so spellings typed on any keyboard
    match: "Opérateur!" and "operateur", "إنسان" and "انسان", "مرحباً" and "مرحبا". Marks on
    other scripts stay: Devanagari vowel signs are letters' parts, not accents."""
    kept: list[str] = []
    for char in unicodedata.normalize("NFD", text.casefold().translate(_ARABIC_LETTERS)):
        if unicodedata.combining(char) and kept and (kept[-1].isascii() or "\u0600" <= kept[-1] <= "\u06ff"):
            continue
        kept.append(char)
    folded = unicodedata.normalize("NFC", "".join(kept))
    start, end = 0, len(folded)
    while start < end and _edge(folded[start]):
        start += 1
    while end > start and _edge(folded[end - 1]):
        end -= 1
    return " ".join(folded[start:end].split())


def _phrases(words: Iterable[str]) -> re.Pattern[str]:
    alternatives = sorted({re.escape(_folded(word)) for word in words}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


_PERSON = _phrases(_PEOPLE)
_TALK = _phrases(_TALKING)
_COMMANDS = {_folded(word): command for command, words in _WORDS.items() for word in words}
_START_LANGUAGE = {_folded(word): language for language, words in _START_WORDS.items() for word in words}


def asks_for_person(text: str) -> bool:
    """Whether a message asks to talk to a person, in any of the bot's languages: a word for one
    in a short message, or with a word for talking ("speak to a human", "falar com uma pessoa")."""
    folded = _folded(text)
    if not _PERSON.search(folded):
        return False
    return len(folded.split()) <= _SHORT_REQUEST_WORDS or _TALK.search(folded) is not None


def start_language(text: str) -> str | None:
    """The language a START word is in ("iniciar" -> "es", "ابدأ" -> "ar"), None for any other text."""
    return _START_LANGUAGE.get(_folded(text))


def command_in(text: str) -> Command | None:
    """The global command a message is, if it is one: exactly a command's word, a greeting
    (which shows the menu), or a request for a person."""
    folded = _folded(text)
    if folded in _COMMANDS:
        return _COMMANDS[folded]
    if greeting_language(text) is not None:
        return Command.MENU
    return Command.PERSON if asks_for_person(text) else None


_SKIP_WORDS = (
    "skip", "skip it", "no", "none", "no photo", "next",
    "omitir", "saltar", "siguiente", "sin foto", "ninguna",
    "passer", "ignorer", "suivant", "non", "pas de photo", "aucune",
    "pular", "próximo", "sem foto", "não", "nenhuma",
    "تخطي", "تخطى", "تخط", "لا", "التالي", "بدون صورة", "لا يوجد",
    "छोड़ें", "छोड़ो", "छोड़ दें", "नहीं", "आगे", "बिना फ़ोटो", "skip karo", "chhodo", "nahi",
)  # fmt: skip
"""Words that skip an optional question in any language, typed alone ("skip", "omitir", "تخطي")."""
_SKIPS = {_folded(word) for word in _SKIP_WORDS}


def skips(text: str) -> bool:
    """Whether a message is only a word for skipping an optional question."""
    return _folded(text) in _SKIPS


# ------------------------------------------------------------------ greetings

_GREETINGS = {
    "en": ("hi", "hii", "hiii", "hello", "helo", "hey", "hey there", "hi there", "hello there",
           "good morning", "good afternoon", "good evening", "morning", "gm"),
    "es": ("hola", "holaa", "buenos días", "buen día", "buenas", "buenas tardes", "buenas noches", "qué tal",
           "saludos"),
    "fr": ("bonjour", "bonsoir", "salut", "coucou", "bonjour à tous"),
    "pt": ("olá", "oi", "oii", "bom dia", "boa tarde", "boa noite", "e aí", "tudo bem"),
    "ar": ("مرحبا", "مرحبًا", "اهلا", "أهلاً", "أهلا وسهلا", "هلا", "السلام عليكم", "سلام عليكم", "سلام",
           "السلام عليكم ورحمة الله", "السلام عليكم ورحمة الله وبركاته", "صباح الخير", "مساء الخير",
           "هلا والله", "ازيك", "ازيكم", "كيف حالك", "شلونك"),
    "hi": ("नमस्ते", "नमस्कार", "प्रणाम", "राम राम", "सुप्रभात", "शुभ प्रभात", "namaste", "namaskar",
           "ram ram", "kya haal hai", "kya hal hai", "kaise ho", "क्या हाल है", "कैसे हो"),
}
"""Greetings that open a conversation, by the language each one tells."""

_WIDELY_USED = {"en"}
"""Languages whose greetings people of every language use ("hi", "hello", "good morning" in
India): they set the language of a first message, but never switch one already chosen."""

_GREETING_LANGUAGE = {_folded(word): language for language, words in _GREETINGS.items() for word in words}
_ADDRESSED = ("bot", "team", "equipo", "équipe", "amigo", "amiga", "ami", "todos", "tous", "pessoal", "ji", "जी")
"""Words a greeting may be addressed with ("hello bot", "namaste ji") and stay a greeting."""
_GREETING_WORDS = _phrases([*_GREETING_LANGUAGE, *_ADDRESSED])
_STRETCHED = re.compile(r"(\w)\1{2,}")
"""A letter typed three times or more, as in a warm "holaaa" or "hiiii": read once."""


def greeting_language(text: str) -> str | None:
    """The language a greeting is in ("hola" -> "es", "السلام عليكم" -> "ar"), None when the
    message is more than greetings; several greetings tell the first one's language, a
    widely used one ("hi") giving way to a clearer one ("hi, buenos días" -> "es")."""
    folded = _STRETCHED.sub(r"\1", _folded(text))
    found = [_GREETING_LANGUAGE.get(match.group()) for match in _GREETING_WORDS.finditer(folded)]
    languages = [language for language in found if language]
    if not languages or _GREETING_WORDS.sub("", folded).strip(" ,;-،") != "":
        return None
    return next((language for language in languages if language not in _WIDELY_USED), languages[0])


def switches_language(text: str) -> str | None:
    """The language a greeting clearly asks to be spoken to in, e.g. "bonjour" -> "fr"; None
    for greetings people of any language use ("hi", "good morning")."""
    language = greeting_language(text)
    return language if language not in _WIDELY_USED else None


# ------------------------------------------------------------------ small talk


class SmallTalk(StrEnum):
    THANKS = "thanks"
    OKAY = "okay"
    BYE = "bye"


_SMALL_TALK = {
    SmallTalk.THANKS: (
        "thanks", "thank you", "thank u", "thx", "ty", "thanks a lot", "many thanks", "thank you so much",
        "gracias", "muchas gracias", "mil gracias", "merci", "merci beaucoup", "obrigado", "obrigada",
        "muito obrigado", "muito obrigada", "valeu", "شكرا", "شكرًا", "شكرا لك", "شكرا جزيلا", "مشكور",
        "धन्यवाद", "शुक्रिया", "बहुत धन्यवाद", "dhanyavad", "shukriya", "thanks ji",
    ),
    SmallTalk.OKAY: (
        "ok", "okay", "okk", "k", "fine", "great", "cool", "perfect", "got it", "alright", "nice",
        "vale", "bien", "perfecto", "de acuerdo", "genial", "entendido", "d'accord", "parfait", "très bien",
        "super", "certo", "beleza", "perfeito", "entendi", "ótimo", "تمام", "حسنا", "طيب", "ممتاز",
        "ठीक है", "अच्छा", "बढ़िया", "theek hai", "thik hai", "accha", "acha",
    ),
    SmallTalk.BYE: (
        "bye", "bye bye", "goodbye", "see you", "adiós", "hasta luego", "chao", "chau", "au revoir",
        "à bientôt", "tchau", "até logo", "até mais", "مع السلامة", "وداعا", "الى اللقاء", "अलविदा",
        "फिर मिलेंगे", "alvida",
    ),
}
_SMALL_TALK_KIND = {_folded(phrase): kind for kind, phrases in _SMALL_TALK.items() for phrase in phrases}
_SMALL_TALK_WORDS = _phrases(_SMALL_TALK_KIND)
_EMOJI = {"👍": SmallTalk.OKAY, "👌": SmallTalk.OKAY, "✅": SmallTalk.OKAY, "🙂": SmallTalk.OKAY,
          "😊": SmallTalk.OKAY, "🙏": SmallTalk.THANKS, "❤": SmallTalk.THANKS, "👋": SmallTalk.BYE}
_EMOJI_PARTS = {"\ufe0f", "\u200d", *map(chr, range(0x1F3FB, 0x1F400))}
"""Variation selectors, joiners and skin tones, which change how an emoji looks, not what it says."""


def small_talk(text: str) -> SmallTalk | None:
    """What a message of only courtesies says ("thanks", "ok", "👍", "merci beaucoup",
    "ok gracias"): thanks wins over goodbye, goodbye over an acknowledgement."""
    folded = _folded(text)
    if not folded:
        emoji = [char for char in text if not char.isspace() and char not in _EMOJI_PARTS]
        kinds = {_EMOJI.get(char) for char in emoji}
    elif _SMALL_TALK_WORDS.sub("", folded).strip(" ,;-،") == "":
        kinds = {_SMALL_TALK_KIND[match.group()] for match in _SMALL_TALK_WORDS.finditer(folded)}
    else:
        return None
    if not kinds or None in kinds:
        return None
    return next(kind for kind in (SmallTalk.THANKS, SmallTalk.BYE, SmallTalk.OKAY) if kind in kinds)


# ------------------------------------------------------------------ keywords and options on screen


@functools.cache
def _keywords(words: tuple[str, ...]) -> re.Pattern[str]:
    return _phrases(words)


def words_in(text: str, words: tuple[str, ...]) -> bool:
    """Whether free text has one of `words` as a whole word ("my bill please", "ver mi factura")."""
    return _keywords(words).search(_folded(text)) is not None


_SHORTEST_OPTION_WORD = 3
"""A word this long or longer, typed alone, picks the one option whose title has it ("रोकें"
at a menu showing "डिलीवरी रोकें"); shorter ones ("de", "a") say too little."""


def options_named(text: str, options: list[dict[str, str]]) -> list[dict[str, str]]:
    """The options on screen a typed answer names: the one whose title it is, else those whose
    title has it as a whole word or words. Matched after `_folded`, as commands are."""
    folded = _folded(text)
    if not folded:
        return []
    exact = [option for option in options if _folded(option["title"]) == folded]
    if exact or len(folded) < _SHORTEST_OPTION_WORD:
        return exact[:1]
    word = re.compile(r"(?<!\w)" + re.escape(folded) + r"(?!\w)")
    return [option for option in options if word.search(_folded(option["title"]))]
