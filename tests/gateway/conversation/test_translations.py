import logging
from pathlib import Path

import pytest

from gateway.appkeys import ENGINE, PLUGINS
from gateway.conversation.catalog import Catalog
from gateway.conversation.context import Conversation
from gateway.conversation.flows import MenuEntry
from gateway.conversation.translations import TranslationDomain, plural_indices, read_domain
from gateway.conversation.update_translations import update_domain
from gateway.hookspecs import hookimpl

POT = r'''
msgid ""
msgstr ""
"Content-Type: text/plain; charset=utf-8\n"

msgctxt "greeter.menu"
msgid "Greetings"
msgstr ""

#, python-brace-format
msgctxt "greeter.done"
msgid "Hello {name}!"
msgstr ""

msgctxt "greeter.bye"
msgid "Goodbye."
msgstr ""

#, python-brace-format
msgctxt "greeter.waiting"
msgid "{count} person is waiting"
msgid_plural "{count} people are waiting"
msgstr[0] ""
msgstr[1] ""
'''

FRENCH = r'''
msgid ""
msgstr ""
"Language: fr\n"
"Plural-Forms: nplurals=3; plural=(n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;\n"
"Content-Type: text/plain; charset=utf-8\n"

msgctxt "greeter.menu"
msgid "Greetings"
msgstr "Salutations"

#, fuzzy, python-brace-format
#| msgid "Hi {name}!"
msgctxt "greeter.done"
msgid "Hello {name}!"
msgstr "Salut {name} !"

msgctxt "greeter.bye"
msgid "Goodbye."
msgstr ""

msgctxt "greeter.waiting"
msgid "{count} person is waiting"
msgid_plural "{count} people are waiting"
msgstr[0] "{count} personne attend"
msgstr[1] "{count} de personnes attendent"
msgstr[2] "{count} personnes attendent"
'''

ARABIC_WAITING = r'''
msgid ""
msgstr ""
"Language: ar\n"
"Plural-Forms: nplurals=6; plural=(n == 0 ? 0 : n == 1 ? 1 : n == 2 ? 2 : n % 100 >= 3 && n % 100 <= 10 ? 3 : n % 100 >= 11 && n % 100 <= 99 ? 4 : 5);\n"
"Content-Type: text/plain; charset=utf-8\n"

msgctxt "greeter.waiting"
msgid "{count} person is waiting"
msgid_plural "{count} people are waiting"
msgstr[0] "لا أحد ينتظر"
msgstr[1] "شخص واحد ينتظر"
msgstr[2] "شخصان ينتظران"
msgstr[3] "{count} أشخاص ينتظرون"
msgstr[4] "{count} شخصًا ينتظرون"
msgstr[5] "{count} شخص ينتظرون"
'''

HINDI_AS_POEDIT_WRITES_IT = r'''
msgid ""
msgstr ""
"Language: hi\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"
"Content-Type: text/plain; charset=utf-8\n"

msgctxt "greeter.waiting"
msgid "{count} person is waiting"
msgid_plural "{count} people are waiting"
msgstr[0] "{count} व्यक्ति प्रतीक्षा कर रहा है"
msgstr[1] "{count} लोग प्रतीक्षा कर रहे हैं"
'''


def write_domain(folder: Path, pot: str = POT, **po_files: str) -> TranslationDomain:
    domain = TranslationDomain("greeter", folder)
    folder.mkdir(parents=True, exist_ok=True)
    domain.template.write_text(pot, encoding="utf-8")
    for language, text in po_files.items():
        domain.po_file(language).parent.mkdir(parents=True)
        domain.po_file(language).write_text(text, encoding="utf-8")
    return domain


def speaking(language: str, domain: TranslationDomain) -> Conversation:
    catalog = Catalog()
    catalog.add(read_domain(domain))
    return Conversation("+15550000001", language, catalog, idempotency_key="m1")


def test_english_comes_from_the_template_and_a_language_from_its_po(tmp_path):
    domain = write_domain(tmp_path / "locale", fr=FRENCH)
    english, french = speaking("en", domain), speaking("fr", domain)
    assert english.t("greeter.menu") == "Greetings" and french.t("greeter.menu") == "Salutations"
    assert [english.tn("greeter.waiting", n) for n in (1, 2)] == ["1 person is waiting", "2 people are waiting"]
    assert [french.tn("greeter.waiting", n) for n in (0, 1, 5, 2_000_000)] == [
        "0 personne attend",
        "1 personne attend",
        "5 personnes attendent",
        "2000000 de personnes attendent",
    ]


def test_a_fuzzy_or_untranslated_message_is_said_in_english_reported_and_warned_about_once(tmp_path, caplog):
    domain = write_domain(tmp_path / "locale", fr=FRENCH)
    french = speaking("fr", domain)
    with caplog.at_level(logging.WARNING, logger="gateway.conversation.catalog"):
        said = [french.t("greeter.done", name="Ana"), french.t("greeter.done", name="Ana"), french.t("greeter.bye")]
    assert said == ["Hello Ana!", "Hello Ana!", "Goodbye."]
    assert len(caplog.records) == 2
    assert french.catalog.missing()["fr"] == {"greeter.done", "greeter.bye"}


def test_a_language_without_its_po_file_is_reported_missing_every_key(tmp_path):
    domain = write_domain(tmp_path / "locale", fr=FRENCH)
    gaps = speaking("en", domain).catalog.missing()
    assert gaps["pt"] == {"greeter.menu", "greeter.done", "greeter.bye", "greeter.waiting"}


def test_arabic_plural_forms_follow_the_files_plural_forms_header(tmp_path):
    arabic = speaking("ar", write_domain(tmp_path / "locale", ar=ARABIC_WAITING))
    said = [arabic.tn("greeter.waiting", n) for n in (0, 1, 2, 7, 11, 100)]
    assert said == [
        "لا أحد ينتظر",
        "شخص واحد ينتظر",
        "شخصان ينتظران",
        "7 أشخاص ينتظرون",
        "11 شخصًا ينتظرون",
        "100 شخص ينتظرون",
    ]


def test_a_po_whose_tool_wrote_its_own_plural_forms_still_maps_each_count_to_its_form(tmp_path):
    hindi = speaking("hi", write_domain(tmp_path / "locale", hi=HINDI_AS_POEDIT_WRITES_IT))
    assert hindi.tn("greeter.waiting", 1) == "1 व्यक्ति प्रतीक्षा कर रहा है"
    assert hindi.tn("greeter.waiting", 3) == "3 लोग प्रतीक्षा कर रहे हैं"


@pytest.mark.parametrize(
    "language, plural_forms, indices",
    [
        ("fr", "(n > 1)", {"one": 0, "many": 1, "other": 1}),
        ("es", "(n != 1)", {"one": 0, "many": 1, "other": 1}),
        ("es", "(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2)", {"one": 0, "many": 1, "other": 2}),
        ("hi", "(n != 1)", {"one": 0, "other": 1}),
        (
            "ar",
            "(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5)",
            {"zero": 0, "one": 1, "two": 2, "few": 3, "many": 4, "other": 5},
        ),
    ],
)
def test_cldr_categories_map_to_the_gettext_forms_of_a_plural_forms_expression(language, plural_forms, indices):
    assert plural_indices(language, plural_forms) == indices


def test_a_message_without_a_key_is_refused(tmp_path):
    domain = write_domain(tmp_path / "locale", pot=POT + '\nmsgid "Orphan"\nmsgstr ""\n')
    with pytest.raises(ValueError, match="Orphan"):
        read_domain(domain)


class Greeter:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @hookimpl
    def register_menu_entries(self):
        return [MenuEntry("greeter.greet", "greeter.menu", "greeter.menu", action=self.greet)]

    @hookimpl
    def register_translations(self):
        return [TranslationDomain("greeter", self.folder)]

    async def greet(self, conversation):
        return []


async def test_a_plugins_locale_folder_is_read_at_start(make_gateway, tmp_path):
    folder = tmp_path / "locale"
    write_domain(folder, fr=FRENCH)
    client = await make_gateway([Greeter(folder)])
    assert client.app[ENGINE].catalog.text("greeter.menu", "fr") == "Salutations"


async def test_a_plugin_whose_locale_folder_is_gone_is_recorded_as_failed_and_the_gateway_starts(make_gateway, tmp_path):
    client = await make_gateway([Greeter(tmp_path / "nowhere")])
    [broken] = client.app[PLUGINS].broken
    assert "greeter" in broken.lower()
    assert client.app[ENGINE].catalog.text("core.cancelled", "en") == "Cancelled."


def test_update_keeps_a_translation_by_key_when_its_english_changes_and_marks_it_fuzzy(tmp_path):
    domain = write_domain(tmp_path / "locale", fr=FRENCH.replace("#, fuzzy, python-brace-format", "#, python-brace-format"))
    assert "greeter.done" not in speaking("fr", domain).catalog.missing().get("fr", set())
    changed = POT.replace('msgid "Hello {name}!"', 'msgid "Hello, {name}! Welcome."')
    changed = changed.replace('msgctxt "greeter.menu"\nmsgid "Greetings"\nmsgstr ""\n', 'msgctxt "greeter.thanks"\nmsgid "Thanks!"\nmsgstr ""\n')
    domain.template.write_text(changed, encoding="utf-8")

    summary = update_domain(domain)

    french = domain.po_file("fr").read_text(encoding="utf-8")
    assert '#| msgid "Hello {name}!"' in french and 'msgstr "Salut {name} !"' in french
    assert '#~ msgctxt "greeter.menu"' in french and '#~ msgstr "Salutations"' in french
    update_domain(domain)
    assert domain.po_file("fr").read_text(encoding="utf-8") == french, "a second update changes nothing"
    assert speaking("fr", domain).catalog.missing()["fr"] == {"greeter.done", "greeter.bye", "greeter.thanks"}
    assert speaking("fr", domain).t("greeter.done", name="Ana") == "Hello, Ana! Welcome."
    assert summary["fr"] == (2, 1)
    assert summary["hi"] == (4, 0)
    assert "Plural-Forms: nplurals=2; plural=(n > 1);" in domain.po_file("hi").read_text(encoding="utf-8")


def test_a_key_that_comes_back_gets_its_translation_back(tmp_path):
    domain = write_domain(tmp_path / "locale", fr=FRENCH)
    domain.template.write_text(POT.replace('msgctxt "greeter.menu"\nmsgid "Greetings"\nmsgstr ""\n', ""), encoding="utf-8")
    update_domain(domain)
    assert '#~ msgstr "Salutations"' in domain.po_file("fr").read_text(encoding="utf-8")
    domain.template.write_text(POT, encoding="utf-8")
    update_domain(domain)
    assert speaking("fr", domain).t("greeter.menu") == "Salutations"
