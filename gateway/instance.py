"""Names that lease holders go by in the store."""

import os
import secrets
import socket


def instance_name() -> str:
    """`host:pid:random`: unique across hosts and restarts, and among the holders one process
    runs (its inbox, its sender heartbeat, its scheduler candidacy); two holders under one name
    would each take the other for itself."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
