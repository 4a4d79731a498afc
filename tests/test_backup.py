"""`wa-gateway backup`: a copy of the SQLite store and its media taken while the gateway
works, on which a gateway starts with the messages, templates and files that were there."""

import io
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from gateway import backup as backup_module
from gateway import cli
from gateway.app import create_app
from gateway.appkeys import SETTINGS
from gateway.backup import BackupFailed, back_up, restore_from
from gateway.settings import Settings
from gateway.testing import SimulatedContact
from tests.gateway.test_cli import REPO, free_port

TOKEN = "backup-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def png(colour: str) -> bytes:
    image = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(image, format="PNG")
    return image.getvalue()


async def traffic(gateway, clock) -> dict:
    """A conversation, a template and an uploaded file; what the copy must hold."""
    await SimulatedContact(gateway, "+15550001111", clock).send("hello before the backup")
    saved = await gateway.put("/api/v1/templates/backup_check/en", json={"body": "Kept, {{ name }}."}, headers=AUTH)
    assert saved.status in (200, 201), await saved.text()
    uploaded = await gateway.post(
        "/api/v1/media?filename=kept.png", data=png("red"), headers=AUTH | {"Content-Type": "image/png"}
    )
    assert uploaded.status == 201, await uploaded.text()
    return await uploaded.json()


async def test_a_backup_taken_while_the_gateway_runs_starts_a_gateway_with_what_was_there(
    make_gateway, aiohttp_client, clock, tmp_path
):
    gateway = await make_gateway(admin_token=TOKEN)
    media = await traffic(gateway, clock)

    made = back_up(gateway.app[SETTINGS], tmp_path / "backup")

    assert (made.media_files, made.media_purged) == (1, 0)
    restored_settings = Settings(
        _env_file=None, store_url=f"sqlite:///{tmp_path / 'backup' / 'gateway.db'}", admin_token=TOKEN
    )
    assert restored_settings.media_directory == tmp_path / "backup" / "media"
    restored = await aiohttp_client(create_app(restored_settings, clock=clock, entry_points=False))
    assert (await restored.get("/readyz")).status == 200
    messages = await (await restored.get("/api/v1/messages", headers=AUTH)).json()
    assert "hello before the backup" in json.dumps(messages)
    template = await (await restored.get("/api/v1/templates/backup_check/en", headers=AUTH)).json()
    assert template["body"] == "Kept, {{ name }}."
    file = await restored.get(f"/api/v1/media/{media['id']}", headers=AUTH)
    assert (file.status, await file.read()) == (200, png("red"))


async def test_restore_puts_a_backup_where_the_store_goes_and_a_gateway_starts_on_it(
    make_gateway, aiohttp_client, clock, tmp_path
):
    gateway = await make_gateway(admin_token=TOKEN)
    media = await traffic(gateway, clock)
    back_up(gateway.app[SETTINGS], tmp_path / "backup")
    settings = Settings(
        _env_file=None, store_url=f"sqlite:///{tmp_path / 'new-host' / 'var' / 'gateway.db'}", admin_token=TOKEN
    )

    made = restore_from(settings, tmp_path / "backup")

    assert made.media_files == 1 and (tmp_path / "new-host" / "var" / "media" / "index.db").is_file()
    assert sorted(path.name for path in (tmp_path / "new-host" / "var").iterdir()) == ["gateway.db", "media"]
    restored = await aiohttp_client(create_app(settings, clock=clock, entry_points=False))
    template = await (await restored.get("/api/v1/templates/backup_check/en", headers=AUTH)).json()
    assert template["body"] == "Kept, {{ name }}."
    file = await restored.get(f"/api/v1/media/{media['id']}", headers=AUTH)
    assert (file.status, await file.read()) == (200, png("red"))


@pytest.mark.parametrize("left_behind", ["gateway.db", "gateway.db-wal", "media"])
async def test_restore_never_writes_over_a_store_nor_beside_its_old_wal(make_gateway, tmp_path, left_behind):
    """A stale -wal beside a restored file would be replayed into it by SQLite."""
    gateway = await make_gateway()
    back_up(gateway.app[SETTINGS], tmp_path / "backup")
    var = tmp_path / "new-host" / "var"
    var.mkdir(parents=True)
    if left_behind == "media":
        (var / left_behind).mkdir()
    else:
        (var / left_behind).write_text("old")
    settings = Settings(_env_file=None, store_url=f"sqlite:///{var / 'gateway.db'}")
    with pytest.raises(BackupFailed, match=f"found {var / left_behind}: stop every process and move these aside"):
        restore_from(settings, tmp_path / "backup")
    assert [path.name for path in var.iterdir()] == [left_behind]


def test_restore_refuses_a_directory_that_is_not_a_backup(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GATEWAY_STORE_URL", "sqlite:///var/gateway.db")
    (tmp_path / "photos").mkdir()
    assert cli.main(["restore", "photos"]) == 1
    assert capsys.readouterr().err == (
        "wa-gateway restore: photos holds no gateway.db: name a directory that `wa-gateway backup` wrote\n"
    )
    assert not (tmp_path / "var").exists()


async def test_a_file_purged_while_the_backup_runs_leaves_no_record_without_its_file(
    make_gateway, aiohttp_client, clock, tmp_path, monkeypatch
):
    gateway = await make_gateway(admin_token=TOKEN)
    media = await traffic(gateway, clock)
    directory = gateway.app[SETTINGS].media_directory
    copy_database = backup_module.copy_database

    def copy_then_purge(source: Path, destination: Path) -> None:
        copy_database(source, destination)
        if source.name == "index.db":  # housekeeping deletes the file once its index is copied
            next(directory.glob(f"*/{media['sha256']}")).unlink()

    monkeypatch.setattr(backup_module, "copy_database", copy_then_purge)
    made = back_up(gateway.app[SETTINGS], tmp_path / "backup")

    assert (made.media_files, made.media_purged) == (0, 1)
    with sqlite3.connect(tmp_path / "backup" / "media" / "index.db") as index:
        assert index.execute("SELECT count(*) FROM media").fetchone()[0] == 0


def test_a_copy_taken_under_steady_writes_is_the_database_as_the_backup_began(tmp_path, monkeypatch):
    """Every write would restart SQLite's backup unless one read transaction spans it: the copy
    finishes, holding exactly the rows committed when its first read began."""
    source = tmp_path / "live.db"
    writer = sqlite3.connect(source, isolation_level=None, check_same_thread=False)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("CREATE TABLE t (n INTEGER, filler BLOB)")
    writer.executemany("INSERT INTO t VALUES (?, randomblob(500))", [(n,) for n in range(4000)])
    monkeypatch.setattr(backup_module, "PAGES_PER_STEP", 8)
    committing, stop = threading.Lock(), threading.Event()
    committed, at_first_read = [4000], []
    real_connect = sqlite3.connect

    class Reading:
        """The backup's connection to the live file, noting how many rows were committed when
        it first read (no write commits meanwhile)."""

        def __init__(self, connection: sqlite3.Connection) -> None:
            self.connection = connection

        def __getattr__(self, name: str):
            return getattr(self.connection, name)

        def execute(self, statement: str, *arguments):
            with committing:
                result = self.connection.execute(statement, *arguments)
                if statement.startswith("SELECT") and not at_first_read:
                    at_first_read.append(committed[0])
            return result

    def connect(path, *arguments, **options):
        connection = real_connect(path, *arguments, **options)
        return Reading(connection) if Path(path) == source else connection

    def write() -> None:
        while not stop.is_set():
            with committing:
                writer.execute("INSERT INTO t VALUES (-1, randomblob(500))")
                committed[0] += 1

    monkeypatch.setattr(sqlite3, "connect", connect)
    thread = threading.Thread(target=write)
    thread.start()
    try:
        backup_module.copy_database(source, tmp_path / "copy.db")
    finally:
        stop.set()
        thread.join()
    with real_connect(tmp_path / "copy.db") as copy:
        assert copy.execute("SELECT count(*) FROM t").fetchone()[0] == at_first_read[0]
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete", "the copy is one self-contained file"
    assert committed[0] > at_first_read[0], "the gateway went on writing while the copy was made"


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        (
            {"GATEWAY_STORE_URL": "mongodb://db.example:27017/gateway"},
            "the store is MongoDB, which this command does not copy: use mongodump",
        ),
        ({"GATEWAY_STORE_URL": "sqlite:///nowhere/gateway.db"}, "there is no SQLite store at nowhere/gateway.db"),
    ],
)
def test_backup_refuses_in_one_line_what_it_cannot_copy(tmp_path, monkeypatch, capsys, environment, expected):
    monkeypatch.chdir(tmp_path)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["backup", "copy"]) == 1
    errors = capsys.readouterr().err
    assert errors.startswith(f"wa-gateway backup: {expected}") and errors.count("\n") == 1, errors
    assert list(tmp_path.iterdir()) == []


async def test_backup_never_writes_over_an_earlier_one(make_gateway, tmp_path):
    gateway = await make_gateway()
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "gateway.db").write_text("last night's")
    with pytest.raises(BackupFailed, match="already exists; name a new directory"):
        back_up(gateway.app[SETTINGS], tmp_path / "backup")
    assert (tmp_path / "backup" / "gateway.db").read_text() == "last night's"
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(".")) == []


async def test_backup_refuses_a_directory_inside_the_media_it_copies(make_gateway, tmp_path):
    gateway = await make_gateway()
    media = gateway.app[SETTINGS].media_directory
    with pytest.raises(BackupFailed, match="inside the media directory it would copy"):
        back_up(gateway.app[SETTINGS], media / "backups" / "today")
    assert not (media / "backups").exists()


def run_gateway(*arguments: str, cwd: Path, **environment: str) -> subprocess.Popen:
    """The command as an operator runs it, its logs in a file (a pipe nobody reads would fill
    up under traffic and stall the gateway)."""
    inherited = {name: value for name, value in os.environ.items() if not name.startswith("GATEWAY_")}
    log = (cwd / f"{arguments[0]}-{environment.get('GATEWAY_PORT', '')}.log").open("a")
    return subprocess.Popen(
        [sys.executable, "-m", "gateway", *arguments],
        cwd=cwd,
        env=inherited | {"PYTHONPATH": str(REPO)} | environment,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )


def call(port: int, path: str, data: bytes | None = None, headers: dict | None = None, method: str | None = None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=data, headers=AUTH | (headers or {}), method=method
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.read()


def ready(port: int, process, log: Path) -> None:
    """Wait for /readyz (a loaded CI machine takes a while to start a gateway)."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gateway exited early with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            if call(port, "/readyz")[0] == 200:
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"gateway was not ready within 90 s: {log.read_text()[-2000:]}")


@pytest.mark.slow
def test_backup_of_a_serving_gateway_under_traffic_restored_on_a_new_host_where_a_gateway_starts(tmp_path):
    live = free_port()
    environment = {"GATEWAY_SIMULATOR": "true", "GATEWAY_ADMIN_TOKEN": TOKEN}
    serving = run_gateway("serve", cwd=tmp_path, GATEWAY_PORT=str(live), **environment)
    restored = None
    try:
        ready(live, serving, tmp_path / f"serve-{live}.log")
        call(live, "/api/v1/templates/backup_check/en", json.dumps({"body": "Kept."}).encode(),
             {"Content-Type": "application/json"}, "PUT")  # fmt: skip
        _, body = call(live, "/api/v1/media?filename=kept.png", png("blue"), {"Content-Type": "image/png"})
        media_id = json.loads(body)["id"]
        call(live, "/simulator/api/messages", json.dumps({"phone": "+15550001111", "text": "before"}).encode(),
             {"Content-Type": "application/json"})  # fmt: skip

        stop = threading.Event()

        def chatter() -> None:
            for n in range(10_000):
                if stop.is_set():
                    return
                message = {"phone": f"+1555002{n % 50:04d}", "text": f"during {n}"}
                call(live, "/simulator/api/messages", json.dumps(message).encode(), {"Content-Type": "application/json"})

        thread = threading.Thread(target=chatter)
        thread.start()
        try:
            time.sleep(0.5)  # the copy is taken while contacts write and the bot answers
            backup = run_gateway("backup", "backups/today", cwd=tmp_path, **environment)
            output, _ = backup.communicate(timeout=60)
        finally:
            stop.set()
            thread.join()
        assert backup.returncode == 0, (tmp_path / "backup-.log").read_text()
        assert "1 media files" in output and "backups/today" in output

        new_host = tmp_path / "new-host"
        new_host.mkdir()
        putting_back = run_gateway("restore", str(tmp_path / "backups" / "today"), cwd=new_host, **environment)
        output, _ = putting_back.communicate(timeout=60)
        assert putting_back.returncode == 0, (new_host / "restore-.log").read_text()
        assert "1 media files" in output
        restored_port = free_port()  # just before it is used, so no other test's server takes it meanwhile
        restored = run_gateway("serve", cwd=new_host, GATEWAY_PORT=str(restored_port), **environment)
        ready(restored_port, restored, new_host / f"serve-{restored_port}.log")
        _, before = call(restored_port, "/api/v1/messages?phone=sim:%2B15550001111&direction=inbound")
        _, during = call(restored_port, "/api/v1/messages?direction=inbound&limit=500")
        assert b'"before"' in before and b'"during 0"' in during
        _, template = call(restored_port, "/api/v1/templates/backup_check/en")
        assert json.loads(template)["body"] == "Kept."
        assert call(restored_port, f"/api/v1/media/{media_id}") == (200, png("blue"))
    finally:
        started = [process for process in (serving, restored) if process is not None]
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=45)
            except subprocess.TimeoutExpired:
                process.kill()  # never left running after the test, whatever failed
                process.wait()
