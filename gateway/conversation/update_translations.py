"""Bring a domain's .po files in line with its .pot, matching messages by key (msgctxt):
`python -m gateway.conversation.update_translations FOLDER DOMAIN`.

pybabel update matches by English text, so an edited English sentence would send its
translations to the obsolete section; here they stay, marked fuzzy with the previous English
beside them, so a translator sees what changed and the bot speaks English until they confirm."""

import argparse
from pathlib import Path

from babel.messages.catalog import Catalog as PoCatalog
from babel.messages.catalog import Message
from babel.messages.pofile import read_po, unescape, write_po

from gateway import __version__
from gateway.conversation.catalog import DEFAULT_LANGUAGE, LANGUAGES
from gateway.conversation.translations import TranslationDomain

PROJECT = "wa-gateway"
AUTHORS = "the wa-gateway authors"


def update_domain(domain: TranslationDomain, languages: tuple[str, ...] = LANGUAGES) -> dict[str, tuple[int, int]]:
    """Update (or create) every language's .po from the .pot; returns, by language, how many
    messages are untranslated and how many fuzzy."""
    with domain.template.open("rb") as file:
        template = read_po(file, domain=domain.name)
    summary = {}
    for language in languages:
        if language == DEFAULT_LANGUAGE:
            continue
        path = domain.po_file(language)
        translated = _read(path, language) if path.exists() else _new(domain.name, language)
        updated = merged(template, translated)
        path.parent.mkdir(parents=True, exist_ok=True)
        write(updated, path)
        messages = [message for message in updated if message.id]
        untranslated = sum(not _written(message) for message in messages)
        fuzzy = sum(message.fuzzy and _written(message) for message in messages)
        summary[language] = (untranslated, fuzzy)
    return summary


def merged(template: PoCatalog, translated: PoCatalog) -> PoCatalog:
    """`translated` with the template's messages, in the template's order: a translation is
    kept by key, and marked fuzzy when its English changed; the translation of a key gone is
    kept as obsolete, and comes back if the key does."""
    previous = {message.context: message for message in translated.obsolete.values()}
    previous |= {message.context: message for message in translated if message.id}
    result = _new(template.domain or "", str(translated.locale), translated)
    for source in template:
        if not source.id:
            continue
        old = previous.pop(source.context, None)
        message = Message(
            source.id,
            _blank(source, result.num_plurals),
            context=source.context,
            auto_comments=source.auto_comments,
            flags=source.flags - {"fuzzy"},
            locations=source.locations,
        )
        if old is not None:
            message.user_comments, previous_id = _split_previous(old.user_comments)
            if old.pluralizable == source.pluralizable:
                message.string = old.string
                if old.id != source.id and _written(old):
                    message.flags.add("fuzzy")
                    message.previous_id = list(old.id) if old.pluralizable else [old.id]
                elif old.fuzzy:
                    message.flags.add("fuzzy")
                    message.previous_id = previous_id
        result[source.id] = message
    for key, message in previous.items():
        if _written(message):
            result.obsolete[(message.id, key)] = message
    return result


def write(catalog: PoCatalog, path: Path) -> None:
    """Write a catalog as Poedit and Weblate read it, keeping previous English (#|) for fuzzy ones."""
    with path.open("wb") as file:
        write_po(file, catalog, width=0, include_previous=True)


def _read(path: Path, language: str) -> PoCatalog:
    with path.open("rb") as file:
        return read_po(file, locale=language, domain=path.stem)


def _new(domain: str, language: str, like: PoCatalog | None = None) -> PoCatalog:
    """An empty catalog for `language` with Babel's Plural-Forms, or `like`'s header when given."""
    catalog = PoCatalog(locale=language, domain=domain, project=PROJECT, version=__version__, copyright_holder=AUTHORS, fuzzy=False)
    if like is not None:
        catalog.mime_headers = like.mime_headers
    return catalog


def _split_previous(comments: list[str]) -> tuple[list[str], list[str]]:
    """A translator's comments, and the previous English (the "#|" lines) that Babel's reader
    keeps among them."""
    kept, previous = [], []
    for comment in comments:
        if not comment.startswith("|"):
            kept.append(comment)
        elif comment[1:].strip().startswith(("msgid ", "msgid_plural ")):
            previous.append(unescape(comment[1:].strip().split(" ", 1)[1]))
        elif previous:
            previous[-1] += unescape(comment[1:].strip())
    return kept, previous


def _blank(source: Message, forms: int) -> str | tuple[str, ...]:
    return ("",) * forms if source.pluralizable else ""


def _written(message: Message) -> bool:
    texts = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
    return all(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the locale folder that holds DOMAIN.pot")
    parser.add_argument("domain", help="the domain's name: core, orders, ...")
    parser.add_argument("--language", action="append", help="only these languages (default: all the bot speaks)")
    arguments = parser.parse_args()
    domain = TranslationDomain(arguments.domain, arguments.folder)
    languages = tuple(arguments.language) if arguments.language else LANGUAGES
    for language, (untranslated, fuzzy) in update_domain(domain, languages).items():
        print(f"{domain.po_file(language)}: {untranslated} untranslated, {fuzzy} fuzzy")


if __name__ == "__main__":
    main()
