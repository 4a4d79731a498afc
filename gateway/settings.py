"""Configuration from the environment or a `.env` file, validated once at start-up.

Field aliases are the public variable names, so every error names the variable to fix.
"""

from datetime import timedelta
from enum import StrEnum
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Annotated, Literal, Self
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    AliasChoices,
    Field,
    HttpUrl,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from gateway.conversation.locality import (
    DEFAULT_CURRENCY,
    DEFAULT_LOCALE,
    DEFAULT_TIME_ZONE,
    Locality,
    known_locale,
    known_time_zone,
)
from gateway.handover.hours import SupportHours
from gateway.models import Provider


def _store_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme == "sqlite":
        if not value.startswith("sqlite:///") or len(value) == len("sqlite:///"):
            raise ValueError("must be sqlite:///relative/path.db or sqlite:////absolute/path.db")
    elif parts.scheme in ("mongodb", "mongodb+srv"):
        if not parts.hostname or parts.path.strip("/") == "":
            raise ValueError("must name a host and a database, as in mongodb://host:27017/gateway")
    else:
        raise ValueError("must start with sqlite:/// or mongodb://")
    return value


class Role(StrEnum):
    """What `wa-gateway serve` does: everything (the default), or only webhooks and the admin
    API, leaving conversations and sends to `wa-gateway worker` processes."""

    ALL = "all"
    INGEST = "ingest"


def env(name: str) -> AliasChoices:
    """Read a field from the environment variable `name`, or from its field name in code."""
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    """Every variable in DESIGN.md's public contract."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        frozen=True,
        hide_input_in_errors=True,  # a refused value may be a secret, and errors get printed and logged
    )

    store_url: Annotated[str, AfterValidator(_store_url)] = Field(
        "sqlite:///var/gateway.db", validation_alias=env("GATEWAY_STORE_URL")
    )
    host: str = Field("127.0.0.1", validation_alias=env("GATEWAY_HOST"))
    port: int = Field(8080, ge=1, le=65535, validation_alias=env("GATEWAY_PORT"))
    public_url: HttpUrl = Field(HttpUrl("http://127.0.0.1:8080"), validation_alias=env("GATEWAY_PUBLIC_URL"))
    admin_token: SecretStr | None = Field(None, validation_alias=env("GATEWAY_ADMIN_TOKEN"))
    admin_token_previous: SecretStr | None = Field(None, validation_alias=env("GATEWAY_ADMIN_TOKEN_PREVIOUS"))
    default_provider: Provider | None = Field(None, validation_alias=env("GATEWAY_DEFAULT_PROVIDER"))
    simulator: bool = Field(False, validation_alias=env("GATEWAY_SIMULATOR"))
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", validation_alias=env("GATEWAY_LOG_LEVEL"))
    log_format: Literal["json", "text"] = Field("text", validation_alias=env("GATEWAY_LOG_FORMAT"))
    failover: Annotated[list[Provider], NoDecode] = Field([], validation_alias=env("GATEWAY_FAILOVER"))
    circuit_failures: int = Field(5, ge=1, validation_alias=env("GATEWAY_CIRCUIT_FAILURES"))
    circuit_cooldown_seconds: int = Field(60, ge=1, validation_alias=env("GATEWAY_CIRCUIT_COOLDOWN_SECONDS"))
    role: Role = Field(Role.ALL, validation_alias=env("GATEWAY_ROLE"))
    worker_concurrency: int = Field(16, ge=1, le=256, validation_alias=env("GATEWAY_WORKER_CONCURRENCY"))
    session_timeout_minutes: int = Field(30, ge=1, validation_alias=env("GATEWAY_SESSION_TIMEOUT_MINUTES"))
    log_retention_days: int | None = Field(None, ge=1, validation_alias=env("GATEWAY_LOG_RETENTION_DAYS"))
    media_dir: Path | None = Field(None, validation_alias=env("GATEWAY_MEDIA_DIR"))
    media_link_ttl_seconds: int = Field(3600, ge=60, le=7 * 86400, validation_alias=env("GATEWAY_MEDIA_LINK_TTL_SECONDS"))
    media_signing_key: SecretStr | None = Field(None, validation_alias=env("GATEWAY_MEDIA_SIGNING_KEY"))
    console_full_numbers: bool = Field(False, validation_alias=env("GATEWAY_CONSOLE_FULL_NUMBERS"))
    support_hours: str = Field("mon-sat 09:00-18:00", validation_alias=env("GATEWAY_SUPPORT_HOURS"))
    support_time_zone: str = Field("Asia/Kolkata", validation_alias=env("GATEWAY_SUPPORT_TIME_ZONE"))
    time_zone: Annotated[str, AfterValidator(known_time_zone)] = Field(
        DEFAULT_TIME_ZONE, validation_alias=env("GATEWAY_TIME_ZONE")
    )
    locale: Annotated[str, AfterValidator(known_locale)] = Field(DEFAULT_LOCALE, validation_alias=env("GATEWAY_LOCALE"))
    currency: str = Field(DEFAULT_CURRENCY, pattern=r"^[A-Z]{3}$", validation_alias=env("GATEWAY_CURRENCY"))
    handover_wait_minutes: int = Field(30, ge=1, validation_alias=env("GATEWAY_HANDOVER_WAIT_MINUTES"))
    handover_idle_minutes: int = Field(60, ge=1, validation_alias=env("GATEWAY_HANDOVER_IDLE_MINUTES"))
    test_loopback_links: bool = Field(False, validation_alias=env("GATEWAY_TEST_LOOPBACK_LINKS"))
    """Test-only: contacts' files may be fetched from this machine, over http too (stand-in hosts)."""
    trusted_proxies: Annotated[list[IPv4Network | IPv6Network], NoDecode] = Field(
        [IPv4Network("127.0.0.0/8"), IPv6Network("::1/128")], validation_alias=env("GATEWAY_TRUSTED_PROXIES")
    )

    twilio_account_sid: str | None = Field(None, validation_alias=env("TWILIO_ACCOUNT_SID"))
    twilio_auth_token: SecretStr | None = Field(None, validation_alias=env("TWILIO_AUTH_TOKEN"))
    twilio_whatsapp_number: str | None = Field(None, validation_alias=env("TWILIO_WHATSAPP_NUMBER"))
    twilio_send_rate: float = Field(80, gt=0, validation_alias=env("TWILIO_SEND_RATE"))
    twilio_api_base: HttpUrl = Field(HttpUrl("https://api.twilio.com"), validation_alias=env("TWILIO_API_BASE"))

    meta_access_token: SecretStr | None = Field(None, validation_alias=env("META_ACCESS_TOKEN"))
    meta_phone_number_id: str | None = Field(None, validation_alias=env("META_PHONE_NUMBER_ID"))
    meta_app_secret: SecretStr | None = Field(None, validation_alias=env("META_APP_SECRET"))
    meta_verify_token: SecretStr | None = Field(None, validation_alias=env("META_VERIFY_TOKEN"))
    meta_api_base: HttpUrl = Field(HttpUrl("https://graph.facebook.com"), validation_alias=env("META_API_BASE"))
    meta_send_rate: float = Field(80, gt=0, validation_alias=env("META_SEND_RATE"))
    meta_api_version: str = Field("v25.0", pattern=r"^v\d+\.\d+$", validation_alias=env("META_API_VERSION"))

    myoperator_api_key: SecretStr | None = Field(None, validation_alias=env("MYOPERATOR_API_KEY"))
    myoperator_company_id: str | None = Field(None, validation_alias=env("MYOPERATOR_COMPANY_ID"))
    myoperator_phone_number_id: str | None = Field(None, validation_alias=env("MYOPERATOR_PHONE_NUMBER_ID"))
    myoperator_waba_id: str | None = Field(None, validation_alias=env("MYOPERATOR_WABA_ID"))
    myoperator_api_base: HttpUrl = Field(
        HttpUrl("https://publicapi.myoperator.co"), validation_alias=env("MYOPERATOR_API_BASE")
    )
    myoperator_send_rate: float = Field(80, gt=0, validation_alias=env("MYOPERATOR_SEND_RATE"))
    myoperator_webhook_secret: SecretStr | None = Field(None, validation_alias=env("MYOPERATOR_WEBHOOK_SECRET"))

    @field_validator("myoperator_webhook_secret", "media_signing_key")
    @classmethod
    def _too_long_to_guess(cls, value: SecretStr | None) -> SecretStr | None:
        """Refused when short; the value itself never reaches the error."""
        if value is not None and len(value.get_secret_value()) < MIN_WEBHOOK_SECRET_CHARS:
            raise ValueError(f"must be at least {MIN_WEBHOOK_SECRET_CHARS} characters (random ones)")
        return value

    @field_validator("support_time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone, such as Asia/Kolkata or Europe/Madrid") from None
        return value

    @model_validator(mode="after")
    def _readable_support_hours(self) -> Self:
        try:
            SupportHours.parse(self.support_hours, self.support_time_zone)
        except ValueError as error:
            raise ValueError(f"GATEWAY_SUPPORT_HOURS: {error}") from None
        return self

    @model_validator(mode="after")
    def _previous_admin_token_beside_a_current_one(self) -> Self:
        if self.admin_token_previous is not None and self.admin_token is None:
            raise ValueError(
                "GATEWAY_ADMIN_TOKEN_PREVIOUS is set without GATEWAY_ADMIN_TOKEN: during a rotation the new "
                "token goes in GATEWAY_ADMIN_TOKEN and the old one in GATEWAY_ADMIN_TOKEN_PREVIOUS"
            )
        return self

    @field_validator("failover", "trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        """GATEWAY_FAILOVER=meta,twilio lists providers in the order to try them;
        GATEWAY_TRUSTED_PROXIES=10.0.0.0/8,127.0.0.1 lists addresses and networks."""
        return [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _providers_fully_configured(self) -> Self:
        for provider, variables in _PROVIDER_VARIABLES.items():
            missing = [name for name in variables if getattr(self, name.lower()) is None]
            if missing and len(missing) < len(variables):
                present = [name for name in variables if name not in missing]
                raise ValueError(
                    f"{provider.value} is half configured: {', '.join(present)} set but "
                    f"{', '.join(missing)} missing; set them all or none"
                )
        if self.default_provider is Provider.SIMULATOR or Provider.SIMULATOR in self.failover:
            raise ValueError(
                "GATEWAY_DEFAULT_PROVIDER and GATEWAY_FAILOVER name real providers only: "
                "the simulator reaches simulated contacts alone, and always does"
            )
        if self.default_provider is not None and self.default_provider not in self.enabled_providers:
            raise ValueError(f"GATEWAY_DEFAULT_PROVIDER is {self.default_provider.value}, which is not configured")
        return self

    @property
    def admin_tokens(self) -> list[bytes]:
        """The bearer tokens the admin API accepts: GATEWAY_ADMIN_TOKEN, and during a rotation
        GATEWAY_ADMIN_TOKEN_PREVIOUS after it; none when the API is shut."""
        tokens = (self.admin_token, self.admin_token_previous) if self.admin_token is not None else ()
        return [token.get_secret_value().encode() for token in tokens if token is not None]

    @property
    def enabled_providers(self) -> list[Provider]:
        """Providers whose credentials are set, in DESIGN.md's order, then the simulator unless
        GATEWAY_SIMULATOR is false."""
        enabled = [
            provider
            for provider, variables in _PROVIDER_VARIABLES.items()
            if all(getattr(self, name.lower()) is not None for name in variables)
        ]
        return [*enabled, Provider.SIMULATOR] if self.simulator else enabled

    @property
    def notification_provider(self) -> Provider:
        """The provider for notifications to real contacts who never wrote in. With no provider
        configured it is the simulator, which refuses them with a reason the queue shows."""
        return self.default_provider or next(iter(self.enabled_providers), Provider.SIMULATOR)

    @property
    def send_rates(self) -> dict[Provider, float]:
        """Messages a second each provider is sent; 80 is WhatsApp's base throughput tier."""
        return {
            Provider.TWILIO: self.twilio_send_rate,
            Provider.META: self.meta_send_rate,
            Provider.MYOPERATOR: self.myoperator_send_rate,
        }

    @property
    def locality(self) -> Locality:
        """The deployment's zone, locale and currency, from which each contact's are found."""
        return Locality(self.time_zone, self.locale, self.currency)

    @property
    def session_timeout(self) -> timedelta:
        """Idle time after which a conversation starts again at the main menu."""
        return timedelta(minutes=self.session_timeout_minutes)

    @property
    def support(self) -> SupportHours:
        """When the team that takes handovers is in."""
        return SupportHours.parse(self.support_hours, self.support_time_zone)

    @property
    def handover_wait(self) -> timedelta:
        """How long a handover waits for an operator, counted from the team's next opening."""
        return timedelta(minutes=self.handover_wait_minutes)

    @property
    def handover_idle(self) -> timedelta:
        """How long an assigned handover may go without a message either way."""
        return timedelta(minutes=self.handover_idle_minutes)

    @property
    def log_retention(self) -> timedelta | None:
        """How long the message log is kept; None keeps it for ever."""
        return timedelta(days=self.log_retention_days) if self.log_retention_days else None

    @property
    def media_directory(self) -> Path:
        """Where the embedded media store keeps files: GATEWAY_MEDIA_DIR, else `media/` beside
        the SQLite file (unused with MongoDB, whose media live in GridFS)."""
        if self.media_dir is not None:
            return self.media_dir
        if self.store_url.startswith("sqlite:///"):
            return Path(self.store_url.removeprefix("sqlite:///")).parent / "media"
        return Path("var/media")

    @property
    def media_link_ttl(self) -> timedelta:
        """How long a signed link to a file the gateway sends stays valid."""
        return timedelta(seconds=self.media_link_ttl_seconds)

    @property
    def store_backend(self) -> str:
        """`sqlite` or `mongo`, as named in health answers and metrics."""
        return "sqlite" if self.store_url.startswith("sqlite:") else "mongo"


MIN_WEBHOOK_SECRET_CHARS = 32
"""MyOperator sends MYOPERATOR_WEBHOOK_SECRET unsigned in a header, so its length is all that stops a guess."""

_PROVIDER_VARIABLES = {
    Provider.TWILIO: ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_WHATSAPP_NUMBER"),
    Provider.META: ("META_ACCESS_TOKEN", "META_PHONE_NUMBER_ID", "META_APP_SECRET", "META_VERIFY_TOKEN"),
    Provider.MYOPERATOR: (
        "MYOPERATOR_API_KEY",
        "MYOPERATOR_COMPANY_ID",
        "MYOPERATOR_PHONE_NUMBER_ID",
        "MYOPERATOR_WEBHOOK_SECRET",
    ),
}
