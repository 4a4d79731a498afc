"""Phone numbers arrive in every provider's own form and leave as E.164."""

import pytest

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


def test_refusals_do_not_repeat_the_number():
    with pytest.raises(InvalidPhoneNumber) as refused:
        to_e164("+9198123456789012")
    assert "98123456789012" not in str(refused.value)


def test_mask_keeps_only_the_last_four_digits():
    assert mask("+919812345678") == "*********5678"
    assert mask("123") == "****"
