"""Templates operators edit at run time: checked, versioned, defaults that respect edits, language fallback."""

import pytest

from adapters.storage.sqlite import SqliteStore
from gateway.notifications.template_service import TemplateService, UnknownTemplate
from gateway.templates import TemplateError


@pytest.fixture
async def templates(tmp_path, clock):
    store = await SqliteStore.open(tmp_path / "g.db", clock)
    yield TemplateService(store)
    await store.close()


async def test_a_body_with_a_syntax_error_is_refused_with_line_and_message(templates):
    with pytest.raises(TemplateError, match=r"line 2: expected token 'name', got 'end of print statement'"):
        await templates.save("payment_reminder", "en", "Hello {{ customer_name }}\nPay {{ amount | }}")


async def test_a_body_that_includes_another_template_is_refused(templates):
    with pytest.raises(TemplateError, match="line 2: a template stands alone; it cannot extend, include or import"):
        await templates.save("payment_reminder", "en", "Hello\n{% include 'footer' %}")
    with pytest.raises(LookupError):
        await templates.resolve("payment_reminder", ["en"])


async def test_only_the_six_languages_are_accepted(templates):
    with pytest.raises(TemplateError, match="language must be one of en, es, fr, pt, ar, hi"):
        await templates.save("payment_reminder", "de", "Hallo")


async def test_defaults_are_loaded_once_updated_when_unedited_and_never_over_an_edit(templates):
    default = {"name": "churn_risk", "language": "en", "body": "We miss you!", "category": "billing"}
    assert await templates.load_defaults([default]) == 1
    assert await templates.load_defaults([default]) == 0, "unchanged: nothing saved"
    assert await templates.load_defaults([default | {"body": "We miss you, {{ customer_name }}!"}]) == 1
    edited = await templates.save("churn_risk", "en", "Come back, {{ customer_name }}: {{ offer }}")
    assert await templates.load_defaults([default | {"body": "A newer default"}]) == 0
    assert (await templates.resolve("churn_risk", ["en"])).body == edited.body


async def test_missing_language_falls_back_to_the_contacts_then_english(templates):
    await templates.save("new_product", "en", "New: {{ product }}")
    await templates.save("new_product", "hi", "नया: {{ product }}")
    assert (await templates.resolve("new_product", ["fr", "hi"])).language == "hi"
    assert (await templates.resolve("new_product", ["fr", None])).language == "en"
    with pytest.raises(UnknownTemplate, match="no template 'no_such' in fr, en"):
        await templates.resolve("no_such", ["fr"])
