"""Leases held by instances that died on this host can be released at once.

An instance's name is `host-pid-nonce`. Elsewhere a dead instance's lease is taken over when
it expires; on the same host, a restarted service need not wait: if the process named in a
lease is gone, the lease is void.
"""

from __future__ import annotations

import os
import socket
import uuid

from sqlalchemy import Column, Engine, Table, select, update

from tracker.store.database import writing


def instance_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def _dead_here(owner: str) -> bool:
    prefix = f"{socket.gethostname()}-"
    if not owner.startswith(prefix):
        return False
    pid = owner[len(prefix):].split("-", 1)[0]
    if not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def release_dead(engine: Engine, table: Table, owner: Column, until: Column) -> int:
    """Void the leases in `table` held by processes of this host that no longer run."""
    with engine.connect() as conn:
        owners = {r[0] for r in conn.execute(select(owner).where(owner.is_not(None)).distinct())}
    dead = [o for o in owners if _dead_here(o)]
    if not dead:
        return 0
    with writing(engine) as conn:
        return conn.execute(update(table).where(owner.in_(dead)).values(
            {owner.name: None, until.name: None})).rowcount
