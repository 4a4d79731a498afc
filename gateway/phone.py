"""Phone numbers: normalized to E.164 at the edge, masked in logs."""

import re

import phonenumbers

_PROVIDER_PREFIX = re.compile(r"^(whatsapp:|tel:)", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s\-().]")


class InvalidPhoneNumber(ValueError):
    """A phone number that cannot be read as an international number."""


def to_e164(raw: str, country_code: str | None = None) -> str:
    """Normalize `whatsapp:+…`, `+…`, bare international digits, or a national number
    with its `country_code` (as MyOperator sends it) to E.164."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidPhoneNumber("phone number is empty")
    digits = _SEPARATORS.sub("", _PROVIDER_PREFIX.sub("", raw.strip()))
    if country_code is not None:
        digits = "+" + country_code.strip().lstrip("+") + digits.lstrip("0")
    elif not digits.startswith("+"):
        digits = "+" + digits.removeprefix("00")
    try:
        parsed = phonenumbers.parse(digits, None)
    except phonenumbers.NumberParseException as error:
        raise InvalidPhoneNumber(f"{mask(raw)} is not an international phone number: {error}") from None
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidPhoneNumber(
            f"{mask(raw)} has the wrong number of digits for country code +{parsed.country_code}"
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def mask(phone: str) -> str:
    """Hide all but the last 4 digits, for logs and error messages."""
    visible = phone[-4:] if len(phone) > 4 else ""
    return "*" * max(len(phone) - len(visible), 4) + visible
