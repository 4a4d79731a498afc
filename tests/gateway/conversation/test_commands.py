"""What a message has to say to be a global command, in each of the bot's languages."""

import pytest

from gateway.conversation.commands import (
    Command,
    SmallTalk,
    asks_for_person,
    command_in,
    greeting_language,
    options_named,
    small_talk,
    switches_language,
)

ASKING_FOR_A_PERSON = {
    "en": ["agent", "Human!", "operator", "support", "talk to a person", "I want to speak to someone please",
           "live agent", "customer service", "Can I chat with a real person?"],
    "es": ["agente", "humano", "quiero hablar con una persona", "¿Puedo hablar con un asesor?",
           "atención al cliente", "pásame con alguien"],
    "fr": ["conseiller", "Je veux parler à un conseiller", "un humain svp", "opérateur", "operateur",
           "service client"],
    "pt": ["atendente", "quero falar com uma pessoa", "falar com um humano", "suporte"],
    "ar": ["موظف", "إنسان", "انسان", "أريد التحدث مع موظف", "خدمة العملاء", "اريد التحدث مع شخص"],
    "hi": ["एजेंट", "इंसान", "मुझे किसी व्यक्ति से बात करनी है", "ग्राहक सेवा", "agent se baat karni hai"],
}

NOT_ASKING = [
    "the support beam on line 2 cracked and the coolant is leaking",
    "Spindle motor overheating on CNC-01 since the morning shift",
    "el operador de la línea 3 reportó una falla en el motor principal",
    "ORD-4411",
    "hola",
    "4",
    "quelqu'un a laissé la porte du four ouverte pendant la nuit",
]


@pytest.mark.parametrize(
    ("language", "text"), [(language, text) for language, texts in ASKING_FOR_A_PERSON.items() for text in texts]
)
def test_asking_for_a_person_is_understood_in_every_language(language: str, text: str) -> None:
    assert command_in(text) is Command.PERSON, f"{language}: {text!r}"


@pytest.mark.parametrize("text", NOT_ASKING)
def test_a_sentence_that_only_mentions_someone_is_not_a_request(text: str) -> None:
    assert not asks_for_person(text)
    assert command_in(text) is not Command.PERSON


def test_bot_hands_a_contact_back_like_menu() -> None:
    assert command_in("bot") is Command.MENU
    assert command_in("BOT!") is Command.MENU


def test_devanagari_vowel_signs_are_not_taken_for_accents() -> None:
    """Folding accents must not strip the marks Devanagari writes vowels with: "एजंट" is not "एजेंट"."""
    assert command_in("एजेंट") is Command.PERSON
    assert not asks_for_person("एजंट")


OPT_OUT_KEYWORDS = {
    Command.STOP: ["STOP", "Stop.", "unsubscribe", "baja", "Parar", "arrêt", "ARRET", "désabonner", "sair",
                   "إيقاف", "ايقاف", "توقف", "रोकें", "band karo"],
    Command.START: ["START", "alta", "Iniciar", "démarrer", "demarrer", "começar", "بدء", "ابدأ", "शुरू"],
}


@pytest.mark.parametrize(
    ("command", "text"), [(command, text) for command, texts in OPT_OUT_KEYWORDS.items() for text in texts]
)
def test_stop_and_start_are_their_keywords_in_every_language_however_typed(command: Command, text: str) -> None:
    assert command_in(text) is command


@pytest.mark.parametrize(
    "text",
    ["stop sending me this", "please stop", "quiero darme de baja ya", "je veux arrêter", "não quero sair",
     "إيقاف الآلة رقم 3", "डिलीवरी रोकें", "start the machine", "alta prioridad"],
)  # fmt: skip
def test_a_keyword_inside_a_sentence_is_no_command(text: str) -> None:
    assert command_in(text) not in (Command.STOP, Command.START)


@pytest.mark.parametrize(
    ("text", "language"),
    [("hi", "en"), ("Hello there!", "en"), ("hola", "es"), ("Buenos días", "es"), ("bonjour", "fr"),
     ("bom dia", "pt"), ("Olá!", "pt"), ("السلام عليكم", "ar"), ("مرحباً", "ar"), ("أهلاً", "ar"), ("اهلا", "ar"),
     ("नमस्ते", "hi"), ("नमस्कार", "hi"), ("namaste ji", "hi"), ("hi, buenos días", "es")],
)  # fmt: skip
def test_greetings_tell_their_language(text: str, language: str) -> None:
    assert greeting_language(text) == language
    assert command_in(text) is Command.MENU


@pytest.mark.parametrize("text", ["hola quiero ver mi pedido", "hi 4411", "high", "ship it", "salutations"])
def test_more_than_a_greeting_is_no_greeting(text: str) -> None:
    assert greeting_language(text) is None


def test_only_a_clear_greeting_switches_language() -> None:
    assert switches_language("bonjour") == "fr" and switches_language("مرحبا") == "ar"
    assert switches_language("hello") is None and switches_language("good morning") is None


@pytest.mark.parametrize(
    ("text", "talk"),
    [("thanks!", SmallTalk.THANKS), ("Muchas gracias", SmallTalk.THANKS), ("شكرا", SmallTalk.THANKS),
     ("🙏", SmallTalk.THANKS), ("ok thanks", SmallTalk.THANKS), ("OK", SmallTalk.OKAY), ("👍🏾", SmallTalk.OKAY),
     ("d'accord", SmallTalk.OKAY), ("ठीक है", SmallTalk.OKAY), ("tchau", SmallTalk.BYE), ("bye 👋", SmallTalk.BYE)],
)  # fmt: skip
def test_small_talk_is_recognised(text: str, talk: SmallTalk) -> None:
    assert small_talk(text) is talk


@pytest.mark.parametrize("text", ["ok the machine is broken", "thanks but my order is late", "🔥", "4411"])
def test_a_message_with_more_than_courtesies_is_no_small_talk(text: str) -> None:
    assert small_talk(text) is None


BILLING_MENU = [{"id": "pause", "title": "डिलीवरी रोकें"}, {"id": "resume", "title": "डिलीवरी फिर शुरू करें"},
                {"id": "bill", "title": "मेरा बिल"}]  # fmt: skip


def test_a_word_of_one_option_names_it_and_a_word_of_several_names_them_all() -> None:
    assert options_named("रोकें", BILLING_MENU) == [BILLING_MENU[0]]
    assert options_named("डिलीवरी", BILLING_MENU) == BILLING_MENU[:2]
    assert options_named("मेरा बिल!", BILLING_MENU) == [BILLING_MENU[2]]
    assert options_named("de", [{"id": "x", "title": "Hora de entrega"}]) == []
