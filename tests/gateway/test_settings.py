"""Configuration is read from the environment or .env and refused with the variable named."""

import os

import pytest
from pydantic import ValidationError

from gateway.cli import configuration_errors
from gateway.models import Provider
from gateway.settings import Settings

META = {
    "META_ACCESS_TOKEN": "EAAG-token",
    "META_PHONE_NUMBER_ID": "106540352242922",
    "META_APP_SECRET": "app-secret",
    "META_VERIFY_TOKEN": "verify-me",
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """Each test starts from no configuration at all, in a folder with no .env."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("GATEWAY_", "TWILIO_", "META_", "MYOPERATOR_")):
            monkeypatch.delenv(name)


def errors(**environment) -> list[str]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environment.items():
            patch.setenv(name, value)
        with pytest.raises(ValidationError) as refused:
            Settings()
    return [f"{'.'.join(map(str, error['loc']))}: {error['msg']}" for error in refused.value.errors()]


def test_defaults_run_the_embedded_store_with_no_channel_and_the_simulator_off():
    settings = Settings()
    assert settings.store_url == "sqlite:///var/gateway.db" and settings.store_backend == "sqlite"
    assert (settings.host, settings.port) == ("127.0.0.1", 8080)
    assert settings.enabled_providers == []
    assert settings.admin_token is None


def test_the_simulator_is_on_only_when_enabled(monkeypatch):
    monkeypatch.setenv("GATEWAY_SIMULATOR", "true")
    assert Settings().enabled_providers == [Provider.SIMULATOR]


def test_a_provider_is_enabled_when_its_credentials_are_set(monkeypatch):
    for name, value in META.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GATEWAY_SIMULATOR", "true")
    settings = Settings()
    assert settings.enabled_providers == [Provider.META, Provider.SIMULATOR]
    assert settings.notification_provider is Provider.META
    assert "app-secret" not in repr(settings) and "EAAG-token" not in str(settings)


def test_values_come_from_a_dot_env_file(tmp_path):
    (tmp_path / ".env").write_text("GATEWAY_PORT=9090\nGATEWAY_STORE_URL=mongodb://db.internal:27017/gateway\n")
    settings = Settings()
    assert settings.port == 9090 and settings.store_backend == "mongo"


@pytest.mark.parametrize("url", ["postgres://db/x", "sqlite://relative.db", "mongodb://host-only", "sqlite:///"])
def test_a_malformed_store_url_names_the_variable(url):
    assert errors(GATEWAY_STORE_URL=url)[0].startswith("GATEWAY_STORE_URL: ")


def test_a_bad_port_names_the_variable():
    assert errors(GATEWAY_PORT="eighty")[0].startswith("GATEWAY_PORT: ")


def test_a_half_configured_provider_names_what_is_missing():
    message = errors(META_ACCESS_TOKEN="t", META_PHONE_NUMBER_ID="1")[0]
    assert "meta is half configured" in message
    assert "META_APP_SECRET, META_VERIFY_TOKEN missing" in message


def test_the_default_provider_must_be_configured():
    assert "GATEWAY_DEFAULT_PROVIDER is twilio, which is not configured" in errors(GATEWAY_DEFAULT_PROVIDER="twilio")[0]


@pytest.mark.parametrize(
    "environment", [{"GATEWAY_DEFAULT_PROVIDER": "simulator"}, META | {"GATEWAY_FAILOVER": "meta,simulator"}]
)
def test_the_simulator_cannot_stand_in_for_a_real_provider(environment):
    message = errors(GATEWAY_SIMULATOR="true", **environment)[0]
    assert "real providers only" in message and "simulated contacts" in message


MYOPERATOR = {
    "MYOPERATOR_API_KEY": "myop-key",
    "MYOPERATOR_COMPANY_ID": "68a1f00d2b3c4d5e",
    "MYOPERATOR_PHONE_NUMBER_ID": "690000000000001",
}


def test_a_short_myoperator_webhook_secret_is_refused_without_echoing_it(monkeypatch):
    secret = "s3cret-only-31-characters-long!"
    for name, value in (MYOPERATOR | {"MYOPERATOR_WEBHOOK_SECRET": secret}).items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as refused:
        Settings()
    assert configuration_errors(refused.value) == (
        "wa-gateway: configuration error\n  MYOPERATOR_WEBHOOK_SECRET: must be at least 32 characters (random ones)"
    )
    assert secret not in str(refused.value) and secret not in repr(refused.value)


def test_a_myoperator_webhook_secret_of_32_characters_is_taken(monkeypatch):
    for name, value in (MYOPERATOR | {"MYOPERATOR_WEBHOOK_SECRET": "x" * 32}).items():
        monkeypatch.setenv(name, value)
    assert Settings().enabled_providers == [Provider.MYOPERATOR]


def test_trusted_proxies_are_addresses_and_networks_and_a_bad_one_names_the_variable(monkeypatch):
    assert [str(network) for network in Settings().trusted_proxies] == ["127.0.0.0/8", "::1/128"]
    monkeypatch.setenv("GATEWAY_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7")
    assert [str(network) for network in Settings().trusted_proxies] == ["10.0.0.0/8", "192.0.2.7/32"]
    monkeypatch.delenv("GATEWAY_TRUSTED_PROXIES")
    assert errors(GATEWAY_TRUSTED_PROXIES="10.0.0.0/8,the-load-balancer")[0].startswith("GATEWAY_TRUSTED_PROXIES")
