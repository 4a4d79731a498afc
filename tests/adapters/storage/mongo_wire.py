"""A scriptable MongoDB for fault tests: a mockupdb server that answers as a replica set's
primary, records every command the adapter sends, and replays scripted replies per command
(a stepdown, a dropped connection, a duplicate key, a reply that never comes)."""

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from mockupdb import MockupDB, Request

Reply = Callable[[Request], bool]

NOT_PRIMARY = 10107
DUPLICATE_KEY = 11000


def not_primary(request: Request) -> bool:
    """What a primary that just stepped down answers to a write."""
    return request.command_err(code=NOT_PRIMARY, errmsg="not primary", errorLabels=["RetryableWriteError"])


def cut_off(request: Request) -> bool:
    """The connection drops before any answer (the driver raises AutoReconnect)."""
    return request.hangup()


def never_answered(request: Request) -> bool:
    """The server takes the command and never answers: the client's timeout ends the wait."""
    return True


def duplicate_key(index: str) -> Reply:
    return lambda request: request.ok(
        n=0, writeErrors=[{"index": 0, "code": DUPLICATE_KEY, "errmsg": f"E11000 duplicate key error index: {index}"}]
    )


def documents(*found: dict[str, Any]) -> Reply:
    """A find's answer: these documents, in one batch."""
    return lambda request: request.ok(cursor={"id": 0, "ns": "gateway.x", "firstBatch": list(found)})


def run_as_primary(server: MockupDB, answer: Callable[[Request], bool | None], **hello: Any) -> str:
    """Start `server` answering hello as the primary of replica set `rs` (so the driver uses
    sessions and retryable writes), with `hello`'s fields besides, and every other command with
    `answer`; return the URL of database `gateway` on it."""
    address = f"localhost:{server.run()}"
    reply = {
        "ismaster": True,
        "isWritablePrimary": True,
        "helloOk": True,
        "setName": "rs",
        "hosts": [address],
        "me": address,
        "minWireVersion": 0,
        "maxWireVersion": 21,
        "logicalSessionTimeoutMinutes": 30,
    } | hello
    server.autoresponds(answer)
    server.autoresponds("ismaster", reply)
    server.autoresponds("hello", reply)
    return f"mongodb://{address}/gateway?replicaSet=rs"


class ReplicaSetPrimary:
    """Answers hello as the primary of replica set `rs` (so the driver uses sessions and
    retryable writes), then each command from its script, or a plain success."""

    def __init__(self) -> None:
        self._server = MockupDB(auto_ismaster=False, request_timeout=5)
        self._scripts: dict[str, list[Reply]] = defaultdict(list)
        self.received: list[dict[str, Any]] = []

    def start(self) -> str:
        """Start serving and return the URL of database `gateway` on it."""
        return run_as_primary(self._server, self._answer)

    def stop(self) -> None:
        self._server.stop()

    def reset(self) -> None:
        """Forget what was received and any reply still scripted."""
        self._scripts.clear()
        self.received.clear()

    def script(self, command: str, *replies: Reply) -> None:
        """Answer the next `len(replies)` `command`s with these, in order."""
        self._scripts[command].extend(replies)

    def commands(self, name: str) -> list[dict[str, Any]]:
        """Every `name` command received so far, in order."""
        return [command for command in self.received if next(iter(command)) == name]

    def _answer(self, request: Request) -> bool | None:
        name = next(iter(request.doc))
        if name in ("ismaster", "hello"):
            return None
        self.received.append(dict(request.doc))
        if self._scripts[name]:
            return self._scripts[name].pop(0)(request)
        if name in ("find", "aggregate"):
            return documents()(request)
        if name in ("findAndModify", "findandmodify"):
            return request.ok(value=None)
        return request.ok(n=1)
