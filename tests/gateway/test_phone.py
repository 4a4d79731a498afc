"""Phone numbers arrive in every provider's own form and leave as E.164."""

import pytest

from gateway.logs import masked
from gateway.phone import InvalidPhoneNumber, mask, to_e164


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("whatsapp:+14155238886", "+14155238886"),  # Twilio
        ("919812345678", "+919812345678"),  # Meta wa_id: digits, no +
        ("+44 20 7946 0958", "+442079460958"),
        ("+1 (415) 555-0100", "+14155550100"),
        ("00919812345678", "+919812345678"),
    ],
)
def test_provider_forms_normalize_to_e164(raw, expected):
    assert to_e164(raw) == expected


def test_country_code_and_national_number_as_myoperator_sends_them():
    assert to_e164("9812345678", country_code="91") == "+919812345678"
    assert to_e164("09812345678", country_code="+91") == "+919812345678"


@pytest.mark.parametrize("raw", ["", "   ", "hello", "+12", "+99912345678", "whatsapp:", "+9198123456789012"])
def test_anything_else_is_refused_with_a_reason(raw):
    with pytest.raises(InvalidPhoneNumber) as refused:
        to_e164(raw)
    assert "phone number" in str(refused.value) or "digits" in str(refused.value)


def test_a_refusal_shows_the_caller_what_they_sent_and_the_log_masks_it():
    with pytest.raises(InvalidPhoneNumber) as refused:
        to_e164("+99912345678")
    assert str(refused.value).startswith("'+99912345678' is not an international phone number")
    assert masked(str(refused.value)).startswith("'****5678' is not")


def test_mask_keeps_only_the_last_four_digits():
    assert mask("+919812345678") == "*********5678"
    assert mask("123") == "****"
