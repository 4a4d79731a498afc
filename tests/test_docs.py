"""The plugin guide's example plugins and example tests, run exactly as docs/plugins.md prints
them: in this repository's tests, and the greeter as a package of their own outside it. The
production guide (docs/deployment.md) names only variables, routes, commands and files that
exist, and its nginx and Caddy examples pass those servers' own checks where they are installed."""

import os
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

GUIDE = (Path(__file__).resolve().parents[1] / "docs" / "plugins.md").read_text()
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", GUIDE, re.DOTALL)
TOML_BLOCKS = re.findall(r"```toml\n(.*?)```", GUIDE, re.DOTALL)
REPO = Path(__file__).resolve().parents[1]


def block(first_line: str) -> str:
    """The guide's Python block that starts with `first_line` (its file name as a comment)."""
    [found] = [source for source in PYTHON_BLOCKS if source.startswith(first_line + "\n")]
    return found


def run_example(plugin_module: str, plugin_file: str, test_file: str, monkeypatch) -> dict:
    """Import the guide's plugin as `plugin_module` and return its example test's namespace."""
    plugin = types.ModuleType(plugin_module)
    exec(compile(block(f"# {plugin_file}"), f"docs/plugins.md ({plugin_module})", "exec"), plugin.__dict__)
    monkeypatch.setitem(sys.modules, plugin_module, plugin)
    example_test: dict = {}
    exec(compile(block(f"# {test_file}"), f"docs/plugins.md ({test_file})", "exec"), example_test)
    return example_test


async def test_the_guides_example_plugin_passes_the_guides_example_test(make_gateway, clock, monkeypatch):
    example_test = run_example("greeter", "greeter/__init__.py", "conftest.py", monkeypatch)
    await example_test["test_greeting"](make_gateway, clock)


async def test_the_guides_events_example_notifies_with_its_enriched_data_and_on_time(make_gateway, clock, monkeypatch):
    example_test = run_example("invoices", "invoices/__init__.py", "test_invoices.py", monkeypatch)
    await example_test["test_an_invoice_is_sent_at_once_and_its_reminder_the_day_before"](make_gateway, clock)


async def test_the_guides_events_example_refuses_a_word_outside_its_list(make_gateway, clock, monkeypatch):
    example_test = run_example("invoices", "invoices/__init__.py", "test_invoices.py", monkeypatch)
    await example_test["test_a_plan_outside_the_list_is_refused_and_nothing_is_sent"](make_gateway, clock)


async def test_the_guides_media_example_sends_a_chart_and_a_pdf(make_gateway, clock, monkeypatch):
    example_test = run_example("weekly", "weekly/__init__.py", "test_weekly.py", monkeypatch)
    await example_test["test_this_weeks_output_sends_a_chart_and_a_pdf"](make_gateway, clock)


@pytest.mark.slow
def test_the_guides_examples_pass_in_a_fresh_package_outside_this_repository(tmp_path):
    """Written as a plugin team would from the guide alone: its greeter and invoices plugins,
    their tests and its pyproject.toml blocks, run by pytest under that package's configuration,
    not this repo's, with no warning."""
    package = tmp_path / "greeter-package"
    for module in ("greeter", "invoices"):
        (package / module).mkdir(parents=True)
        (package / module / "__init__.py").write_text(block(f"# {module}/__init__.py"))
    (package / "tests").mkdir()
    conftest, test = re.split(r"^# test_greeter\.py\n", block("# conftest.py"), flags=re.MULTILINE)
    (package / "tests" / "conftest.py").write_text(conftest)
    (package / "tests" / "test_greeter.py").write_text(test)
    (package / "tests" / "test_invoices.py").write_text(block("# test_invoices.py"))
    project = '[project]\nname = "greeter"\nversion = "0.1.0"\n\n' + "\n".join(TOML_BLOCKS)
    (package / "pyproject.toml").write_text(project)
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("GATEWAY_", "PYTEST_"))}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"],
        cwd=package,
        env=environment | {"PYTHONPATH": os.pathsep.join([str(REPO), str(package)])},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"rootdir: {package}" in run.stdout and "3 passed" in run.stdout and "warning" not in run.stdout


# The production guide names only what exists: variables, routes, commands, files and anchors.

DEPLOYMENT = REPO / "docs" / "deployment.md"
FILE_SYSTEM_ROOTS = ("/opt/", "/etc/", "/var/", "/usr/", "/backups/", "/tmp/", "/dev/", "/proc/", "/sys/", "/home/")


def named_variables(text: str) -> set[str]:
    """The gateway's environment variables a document names."""
    return set(re.findall(r"\b(?:GATEWAY|META|TWILIO|MYOPERATOR)_[A-Z_]*[A-Z]\b", text))


def named_routes(text: str) -> set[str]:
    """The gateway's paths a document names in its prose: in backticks, or after a method or the
    public URL. A path ending in `…` or `*` stands for every route under it."""
    prose = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    quoted = re.findall(r"`(?:GET |POST |PUT |DELETE |[$]?GATEWAY_PUBLIC_URL)?(/[^`\s]*)", prose)
    after_method = re.findall(r"\b(?:GET|POST|PUT|DELETE) (/[^`\s)]*)", prose)
    return {path.rstrip(",.;:") for path in quoted + after_method if not path.startswith(FILE_SYSTEM_ROOTS)}


def named_commands(text: str) -> set[tuple[str, ...]]:
    """`wa-gateway COMMAND [ACTION]` as a document writes it: in backticks, after a bin/ path,
    or through the guide's `gw` shell function."""
    found = re.findall(r"(?:`|/bin/)wa-gateway ([a-z][\w-]*)(?: ([a-z][\w-]*))?", text)
    found += re.findall(r"^gw ([a-z][\w-]*)(?: ([a-z][\w-]*))?", text, flags=re.MULTILINE)
    return {tuple(word for word in words if word) for words in found}


def heading_anchors(markdown: str) -> set[str]:
    """GitHub's anchors for a document's headings."""
    headings = re.findall(r"^#+ (.+)$", re.sub(r"```.*?```", "", markdown, flags=re.DOTALL), flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def broken_links(document: Path) -> list[str]:
    """Relative links whose file, or heading anchor, does not exist."""
    broken = []
    for target, anchor in re.findall(r"\]\(([^)#\s:]*)(?:#([^)\s]+))?\)", document.read_text()):
        path = (document.parent / target).resolve() if target else document
        if not path.exists() or (anchor and path.is_file() and anchor not in heading_anchors(path.read_text())):
            broken.append(f"{target}#{anchor}" if anchor else target)
    return broken


def settings_variables() -> set[str]:
    from gateway.settings import Settings

    return {field.validation_alias.choices[0] for field in Settings.model_fields.values()}


def test_every_variable_the_deployment_guide_names_is_a_setting():
    named = named_variables(DEPLOYMENT.read_text())
    assert {"GATEWAY_PUBLIC_URL", "GATEWAY_ADMIN_TOKEN_PREVIOUS", "GATEWAY_TRUSTED_PROXIES"} <= named
    assert named - settings_variables() == set()


async def test_every_route_the_deployment_guide_names_is_served(make_gateway):
    from aiohttp.test_utils import make_mocked_request

    gateway = await make_gateway()
    named = named_routes(DEPLOYMENT.read_text())
    assert {"/webhooks/meta", "/media/{media_id}/{expires}/{signature}", "/metrics", "/simulator"} <= named
    served = [route.resource.canonical for route in gateway.app.router.routes() if route.resource is not None]
    unknown = []
    for path in named:
        if path.endswith(("…", "*")):
            prefix = path.rstrip("…*")
            known = any(route.startswith(prefix) for route in served) or prefix.rstrip("/") + "/*" in served
        else:
            match = await gateway.app.router.resolve(make_mocked_request("GET", re.sub(r"\{\w+\}", "x", path)))
            known = match.http_exception is None or match.http_exception.status == 405
        if not known:
            unknown.append(path)
    assert unknown == []


def test_every_command_the_deployment_guide_names_exists():
    from gateway.cli import _parser

    commands = next(action for action in _parser()._actions if action.choices and "serve" in action.choices)
    named = named_commands(DEPLOYMENT.read_text())
    assert {("backup",), ("serve",), ("worker",), ("plugins",)} <= {words[:1] for words in named}
    unknown = []
    for command, *action in named:
        parser = commands.choices.get(command)
        subcommands = parser and next((a.choices for a in parser._actions if isinstance(a.choices, dict)), None)
        if parser is None or (action and subcommands is not None and action[0] not in subcommands):
            unknown.append(" ".join([command, *action]))
    assert unknown == []


def test_the_deployment_guides_links_and_the_files_it_ships_exist():
    assert broken_links(DEPLOYMENT) == []
    for name in ("wa-gateway.service", "wa-gateway-worker@.service", "gateway.env.example"):
        assert f"`{name}`" in DEPLOYMENT.read_text() and (REPO / "deploy" / "systemd" / name).is_file()
    assert "(docs/deployment.md" in (REPO / "README.md").read_text()


def guide_block(language: str) -> str:
    return re.search(rf"```{language}\n(.*?)```", DEPLOYMENT.read_text(), re.DOTALL).group(1)


@pytest.mark.skipif(not (shutil.which("nginx") and shutil.which("openssl")), reason="nginx or openssl is not installed")
def test_the_guides_nginx_server_passes_nginx_t(tmp_path):
    """The guide's server block, inside a minimal nginx.conf with a throw-away certificate."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=wa.example.com",
         "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    server = (
        guide_block("nginx")
        .replace("/etc/letsencrypt/live/wa.example.com/fullchain.pem", str(tmp_path / "cert.pem"))
        .replace("/etc/letsencrypt/live/wa.example.com/privkey.pem", str(tmp_path / "key.pem"))
    )
    temporary = " ".join(f"{kind}_temp_path {tmp_path};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\naccess_log off;\n{temporary}\n{server}\n}}\n"
    )
    check = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "error.log")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert check.returncode == 0, check.stderr


@pytest.mark.skipif(shutil.which("caddy") is None, reason="caddy is not installed")
def test_the_guides_caddyfile_passes_caddy_validate(tmp_path):
    (tmp_path / "Caddyfile").write_text(guide_block("caddy"))
    home = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    check = subprocess.run(
        ["caddy", "validate", "--config", str(tmp_path / "Caddyfile"), "--adapter", "caddyfile"],
        capture_output=True, text=True, timeout=60, env={"PATH": os.environ["PATH"]} | home,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
