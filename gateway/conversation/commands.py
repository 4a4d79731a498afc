"""Global commands, understood in every language the bot speaks, whatever the contact's own."""

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
    Command.MENU: ("menu", "0", "menú", "القائمة", "मेनू"),
    Command.BACK: ("back", "atrás", "atras", "volver", "retour", "voltar", "رجوع", "वापस"),
    Command.CANCEL: ("cancel", "cancelar", "annuler", "إلغاء", "रद्द"),
    Command.HELP: ("help", "ayuda", "aide", "ajuda", "مساعدة", "मदद"),
    Command.LANGUAGE: ("language", "idioma", "langue", "اللغة", "भाषा"),
    Command.STOP: ("stop", "unsubscribe", "baja", "parar", "arrêt", "arret", "désabonner", "sair", "إيقاف", "रोकें"),
    Command.START: ("start", "subscribe", "alta", "iniciar", "démarrer", "demarrer", "بدء", "शुरू"),
}
_COMMANDS = {word: command for command, words in _WORDS.items() for word in words}


def normalized(text: str) -> str:
    """Lower case, trimmed of spaces and closing punctuation, in one Unicode form."""
    return unicodedata.normalize("NFC", text).strip().strip("!.?¡¿ ").casefold()


def command_in(text: str) -> Command | None:
    """The global command a message is, if it is one; a greeting shows the menu."""
    word = normalized(text)
    if word in GREETINGS:
        return Command.MENU
    return _COMMANDS.get(word)


def greeting_language(text: str) -> str | None:
    """The language a greeting is in, e.g. `hola` -> `es`."""
    return GREETINGS.get(normalized(text))
