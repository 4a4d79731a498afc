"""`wa-gateway operators`: accounts from a terminal, with clear refusals and exit codes."""

import getpass
import io
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import pytest

from gateway.cli import main
from tests.gateway.console.conftest import PASSWORD
from tests.gateway.test_cli import REPO, free_port, run_gateway, wait_for_health


@pytest.fixture
def store_url(tmp_path, monkeypatch) -> str:
    monkeypatch.chdir(tmp_path)
    for name in ("META_ACCESS_TOKEN", "TWILIO_ACCOUNT_SID", "MYOPERATOR_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    monkeypatch.setenv("GATEWAY_STORE_URL", url)
    return url


def operators(capsys, monkeypatch, *arguments: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["operators", *arguments])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_add_list_disable_enable(store_url, capsys, monkeypatch):
    code, out, _ = operators(capsys, monkeypatch, "add", "Alice", "--password-stdin", stdin=PASSWORD + "\n")
    assert (code, out) == (0, "operator alice added; they sign in at /console\n")
    operators(capsys, monkeypatch, "add", "bob", "--password-stdin", stdin=PASSWORD)
    assert operators(capsys, monkeypatch, "disable", "BOB")[:2] == (0, "operator bob disabled\n")
    header, *listing = operators(capsys, monkeypatch, "list")[1].splitlines()
    assert header.split() == ["NAME", "STATE", "CREATED_AT"]
    assert [line.split()[:2] for line in listing] == [["alice", "enabled"], ["bob", "disabled"]]
    assert re.fullmatch(r"alice  enabled   \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", listing[0])
    as_json = json.loads(operators(capsys, monkeypatch, "list", "--output", "json")[1])
    assert [(o["name"], o["state"]) for o in as_json] == [("alice", "enabled"), ("bob", "disabled")]
    assert operators(capsys, monkeypatch, "enable", "bob")[:2] == (0, "operator bob enabled\n")


@pytest.mark.parametrize(
    ("arguments", "stdin", "message"),
    [
        (("add", "alice", "--password-stdin"), PASSWORD, "operator alice already exists"),
        (("add", "carol", "--password-stdin"), "too short", "password must be at least 12 characters"),
        (("add", "carol smith", "--password-stdin"), PASSWORD, "name must be 1 to 32 letters"),
        (("disable", "carol"), "", "no operator carol"),
        (("password", "carol", "--password-stdin"), PASSWORD, "no operator carol"),
    ],
)
def test_refusals_say_why_and_exit_1(store_url, capsys, monkeypatch, arguments, stdin, message):
    operators(capsys, monkeypatch, "add", "alice", "--password-stdin", stdin=PASSWORD)
    code, out, err = operators(capsys, monkeypatch, *arguments, stdin=stdin)
    assert code == 1 and out == ""
    assert err.startswith(f"wa-gateway operators: {message}") and "Traceback" not in err


def test_the_password_is_typed_twice_and_must_match(store_url, capsys, monkeypatch):
    typed = iter(["first long password", "second long password"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt: next(typed))
    code, _, err = operators(capsys, monkeypatch, "add", "alice")
    assert code == 1 and err == "wa-gateway operators: the two passwords differ; nothing changed\n"
    assert operators(capsys, monkeypatch, "list") == (
        0,
        "",
        "no operators yet; add one with `wa-gateway operators add NAME`\n",
    )
    monkeypatch.setattr(getpass, "getpass", lambda prompt: "the same long password")
    assert operators(capsys, monkeypatch, "add", "alice")[0] == 0


def test_an_unreachable_store_is_named_without_a_traceback(tmp_path, capsys, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("GATEWAY_STORE_URL", f"sqlite:///{blocker / 'gateway.db'}")
    code, _, err = operators(capsys, monkeypatch, "list")
    assert code == 1 and err.startswith("wa-gateway operators: cannot reach the sqlite store: ")


@pytest.mark.slow
def test_an_operator_added_by_the_command_signs_in_to_a_running_gateway(tmp_path):
    """The README's one-liner, then sign-in through a real `serve`, with argon2's real parameters."""
    added = subprocess.run(
        [sys.executable, "-m", "gateway", "operators", "add", "alice", "--password-stdin"],
        input=PASSWORD + "\n",
        cwd=tmp_path,
        env={name: value for name, value in os.environ.items() if not name.startswith("GATEWAY_")}
        | {"PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert added.returncode == 0, added.stderr
    port = free_port()
    process = run_gateway("serve", cwd=tmp_path, GATEWAY_PORT=str(port))
    try:
        wait_for_health(port, process)
        form = urllib.parse.urlencode({"name": "alice", "password": PASSWORD}).encode()
        opener = urllib.request.build_opener(NoRedirects)
        with pytest.raises(urllib.error.HTTPError) as answer:
            opener.open(f"http://127.0.0.1:{port}/console/signin", data=form, timeout=10)
        assert answer.value.code == 303
        cookie = answer.value.headers["Set-Cookie"].split(";")[0]
        request = urllib.request.Request(f"http://127.0.0.1:{port}/console", headers={"Cookie": cookie})
        with opener.open(request, timeout=10) as page:
            assert "Signed in as <strong>alice</strong>" in page.read().decode()
    finally:
        process.terminate()
        process.wait(timeout=20)


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *arguments):
        return None
