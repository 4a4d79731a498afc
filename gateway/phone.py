"""Contact identities: E.164 phone numbers (normalized at the edge), Meta business-scoped
user ids for WhatsApp users who hide their number, or simulated contacts (`sim:+…`) that
only the simulator channel speaks for; masked in logs."""

import re
from functools import cache, lru_cache

import phonenumbers
from phonenumbers import PhoneMetadata
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

_PROVIDER_PREFIX = re.compile(r"^(whatsapp:|tel:)", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s\-().]")
_DIGITS = re.compile(r"\+[0-9]+")
_BSUID = re.compile(r"^[A-Z]{2}\.(ENT\.)?[A-Za-z0-9]{1,128}$")
SIMULATED_PREFIX = "sim:"
"""Marks a simulated contact; no provider sends it, so a simulated contact is never a real one."""


class InvalidPhoneNumber(ValueError):
    """A phone number that cannot be read as an international number."""


def to_e164(raw: str, country_code: str | None = None) -> str:
    """Normalize `whatsapp:+…`, `+…`, bare international digits, or a national number
    with its `country_code` (as MyOperator sends it) to E.164."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidPhoneNumber("phone number is empty")
    return _parsed_e164(raw, country_code)


@lru_cache(maxsize=65_536)
def _parsed_e164(raw: str, country_code: str | None) -> str:
    """Remembered: a message reads its contact's number several times, at ~15 µs a parse."""
    digits = _SEPARATORS.sub("", _PROVIDER_PREFIX.sub("", raw.strip()))
    if country_code is not None:
        digits = "+" + country_code.strip().lstrip("+") + digits.lstrip("0")
    elif not digits.startswith("+"):
        digits = "+" + digits.removeprefix("00")
    if not _DIGITS.fullmatch(digits):
        # phonenumbers would read past what is not a digit ("+14155550100*")
        raise InvalidPhoneNumber(f"{_quoted(raw)} is not an international phone number (expected + and digits)")
    try:
        parsed = phonenumbers.parse(digits, None)
    except phonenumbers.NumberParseException:
        raise InvalidPhoneNumber(
            f"{_quoted(raw)} is not an international phone number (expected + country code, then the number)"
        ) from None
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidPhoneNumber(
            f"{_quoted(raw)} has the wrong number of digits for country code +{parsed.country_code}"
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _quoted(raw: str) -> str:
    """The caller's own input, shown back to them as given (cut short); logs mask any phone
    number in it as they do everywhere."""
    return repr(raw if len(raw) <= 40 else raw[:40] + "…")


def is_bsuid(contact: str) -> bool:
    """A Meta business-scoped user id, such as `US.13491208655302741918`."""
    return bool(_BSUID.match(contact))


def is_simulated(contact: str) -> bool:
    """A contact of the simulator channel, such as `sim:+15550001111`."""
    return contact.startswith(SIMULATED_PREFIX)


def to_simulated_contact(raw: str) -> str:
    """The simulator's contact for a typed number: `+15550001111` becomes `sim:+15550001111`."""
    contact = to_contact_id(raw)
    return contact if is_simulated(contact) else SIMULATED_PREFIX + contact


def to_contact_id(raw: str) -> str:
    """A business-scoped user id as given, anything else as an E.164 phone number; either may
    carry the simulated prefix."""
    if isinstance(raw, str) and raw.strip().startswith(SIMULATED_PREFIX):
        return SIMULATED_PREFIX + _real_contact_id(raw.strip().removeprefix(SIMULATED_PREFIX))
    return _real_contact_id(raw)


def _real_contact_id(raw: str) -> str:
    if isinstance(raw, str) and is_bsuid(raw.strip()):
        return raw.strip()
    return to_e164(raw)


def mask(phone: str) -> str:
    """Hide all but the last 4 digits, for logs and error messages; a simulated contact keeps its prefix."""
    if is_simulated(phone):
        return SIMULATED_PREFIX + mask(phone.removeprefix(SIMULATED_PREFIX))
    visible = phone[-4:] if len(phone) > 4 else ""
    return "*" * max(len(phone) - len(visible), 4) + visible


@cache
def contact_id_pattern() -> str:
    """A regular expression for contact ids as written canonically (E.164, a business-scoped
    user id, either after `sim:`), its numbers built from phonenumbers' own metadata (each
    country code with the lengths possible there), so a document that publishes it refuses
    the numbers the gateway refuses."""
    numbers = []
    for code, regions in sorted(COUNTRY_CODE_TO_REGION_CODE.items()):
        metadata = PhoneMetadata.metadata_for_region_or_calling_code(code, regions[0])
        lengths = sorted(n for n in (metadata.general_desc.possible_length or ()) if n > 0) if metadata else []
        if lengths:
            numbers.append(f"{code}{_digits(lengths)}")
    return rf"^({SIMULATED_PREFIX})?(\+(?:{'|'.join(numbers)})|{_BSUID.pattern.strip('^$')})$"


def _digits(lengths: list[int]) -> str:
    """Digits of one of `lengths` (sorted), as a range when they run without a gap."""
    if lengths == list(range(lengths[0], lengths[-1] + 1)):
        return f"[0-9]{{{lengths[0]}}}" if len(lengths) == 1 else f"[0-9]{{{lengths[0]},{lengths[-1]}}}"
    return f"(?:{'|'.join(f'[0-9]{{{n}}}' for n in lengths)})"
