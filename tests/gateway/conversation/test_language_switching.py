"""The conversation's language: told by a new contact's first message, and switched by a clear
greeting in another language, which the bot says in the new language."""

import threading

import pytest

from gateway.app import create_app
from gateway.appkeys import STORE
from gateway.conversation import languages
from gateway.settings import Role


async def language_of(contact) -> str | None:
    return (await contact.client.app[STORE].settings.contact(contact.phone)).values.get("language")


@pytest.mark.parametrize(
    ("first", "language", "menu"),
    [
        ("السلام عليكم", "ar", "ماذا تريد أن تفعل؟"),
        ("مرحباً", "ar", "ماذا تريد أن تفعل؟"),
        ("اهلا", "ar", "ماذا تريد أن تفعل؟"),
        ("नमस्कार", "hi", "आप क्या करना चाहेंगे?"),
        ("buenos días", "es", "¿Qué quieres hacer?"),
        ("Bom dia!", "pt", "O que você gostaria de fazer?"),
        ("Bonsoir", "fr", "Que souhaitez-vous faire ?"),
        ("good morning", "en", "What would you like to do?"),
        ("هلا والله", "ar", "ماذا تريد أن تفعل؟"),
        ("ازيك", "ar", "ماذا تريد أن تفعل؟"),
        ("kya haal hai", "hi", "आप क्या करना चाहेंगे?"),
        ("holaaa 👋", "es", "¿Qué quieres hacer?"),
    ],
)
async def test_a_first_greeting_in_any_of_its_forms_is_a_greeting_in_its_language(chat, first, language, menu):
    greeting, shown = await chat.send(first)
    assert shown.text == menu and not greeting.text.startswith(("Sorry", "عذر", "माफ़"))
    assert await language_of(chat) == language


@pytest.mark.parametrize(
    ("text", "language", "reply"),
    [
        ("je voudrais voir ma commande", "fr", "Désolé, je n'ai pas compris."),
        ("मुझे अपना बिल देखना है", "hi", "माफ़ कीजिए, मैं समझ नहीं पाया।"),
    ],
)
async def test_a_first_message_that_is_no_greeting_sets_the_language_identified(
    chat, monkeypatch, text, language, reply
):
    monkeypatch.setattr(languages, "identify", {text: language}.get)
    [answer] = await chat.send(text)
    assert answer.text.startswith(reply)
    assert await language_of(chat) == language


@pytest.mark.parametrize(
    ("greeting", "language", "switched", "menu"),
    [
        ("hola", "es", "A partir de ahora hablaré español. Para volver a English, envía *idioma*.",
         "¿Qué quieres hacer?"),
        ("bonjour", "fr", "Désormais, je parlerai français. Pour revenir à English, envoyez *langue*.",
         "Que souhaitez-vous faire ?"),
        ("السلام عليكم", "ar", "من الآن فصاعدًا سأتحدث العربية. للعودة إلى English، أرسل *اللغة*.",
         "ماذا تريد أن تفعل؟"),
    ],
)  # fmt: skip
async def test_a_clear_greeting_in_another_language_switches_and_says_so(chat, greeting, language, switched, menu):
    await chat.send("hi")
    hello, told, shown = await chat.send(greeting)
    assert told.text == switched and shown.text == menu
    assert await language_of(chat) == language


async def test_switching_back_names_the_language_left(chat):
    await chat.send("hola")
    _, told, _ = await chat.send("नमस्ते")
    assert told.text == "अब से मैं हिन्दी में बात करूँगा। Español पर लौटने के लिए *भाषा* भेजें।"


@pytest.mark.parametrize("greeting", ["hello", "hi!", "good morning"])
async def test_greetings_every_language_uses_do_not_switch(chat, greeting):
    await chat.send("नमस्ते")
    _, menu = await chat.send(greeting)
    assert menu.text == "आप क्या करना चाहेंगे?" and await language_of(chat) == "hi"


async def test_a_first_message_is_identified_off_the_event_loop_while_the_model_is_not_loaded(chat, monkeypatch):
    threads = []

    def identify(text: str) -> str:
        threads.append(threading.current_thread())
        return "fr"

    monkeypatch.setattr(languages, "loaded", lambda: False)
    monkeypatch.setattr(languages, "identify", identify)
    await chat.send("je voudrais voir ma commande")
    assert threads and threads[0] is not threading.current_thread(), "loading the model would block every contact"
    assert await language_of(chat) == "fr"


async def test_a_gateway_that_holds_conversations_loads_the_model_when_it_starts_off_the_event_loop(
    make_gateway, monkeypatch
):
    threads = []
    monkeypatch.setattr(languages, "warm", lambda: threads.append(threading.current_thread()))
    await make_gateway([])
    assert threads and threads[0] is not threading.current_thread()


async def test_an_ingest_only_gateway_never_loads_the_model(aiohttp_client, settings, clock, monkeypatch):
    threads = []
    monkeypatch.setattr(languages, "warm", lambda: threads.append(threading.current_thread()))
    await aiohttp_client(create_app(settings.model_copy(update={"role": Role.INGEST}), clock=clock, entry_points=False))
    assert threads == []
