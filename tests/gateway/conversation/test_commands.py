"""What a message has to say to be a global command, in each of the bot's languages."""

import pytest

from gateway.conversation.commands import Command, asks_for_person, command_in

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
