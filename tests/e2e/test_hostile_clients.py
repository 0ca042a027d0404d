"""Anonymous and oversized bodies against the service on a real loopback socket: refused
before they are read, while /healthz stays quick."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import FEEDS_YAML
from tests.servers import served_app
from tracker.api.app import create_app
from tracker.bootstrap import build
from tracker.settings import Settings

MB = 1024 * 1024


@pytest.fixture
def service(sqlite_url: str, tmp_path: Path):
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(FEEDS_YAML)
    tracker = build(Settings(database_url=sqlite_url, feeds=feeds, admin_token="secret-token"))
    with served_app(create_app(tracker)) as port:
        yield port
    tracker.close()


def send_body(port: int, head: str, pieces, deadline: float = 10) -> tuple[bytes, int]:
    """Send a request head, then body pieces until the server answers; return the answer's
    first bytes and how many body bytes went out before it came."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=deadline) as conn:
        conn.sendall(head.encode())
        conn.setblocking(False)
        end = time.monotonic() + deadline
        for piece in pieces:
            try:
                answer = conn.recv(4096)
                if answer:
                    return answer, sent
            except BlockingIOError:
                pass
            except OSError:
                break
            try:
                conn.sendall(piece)
                sent += len(piece)
            except BlockingIOError:
                time.sleep(0.01)
            except OSError:
                break
            if time.monotonic() > end:
                break
        conn.setblocking(True)
        conn.settimeout(deadline)
        return conn.recv(4096), sent


def zeros(total: int, size: int = 64 * 1024):
    for _ in range(total // size):
        yield b"a" * size


@pytest.mark.timeout(120)
def test_a_large_anonymous_body_is_a_quick_401_without_being_read(service: int) -> None:
    head = (f"POST /webhooks HTTP/1.1\r\nHost: 127.0.0.1:{service}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {30 * MB}\r\n\r\n")
    started = time.monotonic()
    answer, sent = send_body(service, head, zeros(30 * MB))
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    assert time.monotonic() - started < 3 and sent < 10 * MB


@pytest.mark.timeout(120)
def test_an_oversized_body_with_the_token_is_a_413_before_it_is_all_sent(service: int) -> None:
    head = (f"POST /webhooks HTTP/1.1\r\nHost: 127.0.0.1:{service}\r\n"
            "Authorization: Bearer secret-token\r\nContent-Type: application/json\r\n")
    answer, _ = send_body(service, head + f"Content-Length: {30 * MB}\r\n\r\n", zeros(30 * MB))
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]

    def chunked():
        for piece in zeros(30 * MB):
            yield b"%x\r\n%s\r\n" % (len(piece), piece)

    answer, sent = send_body(service, head + "Transfer-Encoding: chunked\r\n\r\n", chunked())
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 10 * MB


@pytest.mark.timeout(120)
def test_healthz_stays_quick_while_anonymous_bodies_arrive(service: int) -> None:
    head = (f"POST /webhooks HTTP/1.1\r\nHost: 127.0.0.1:{service}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {30 * MB}\r\n\r\n")
    threads = [threading.Thread(target=send_body, args=(service, head, zeros(30 * MB)))
               for _ in range(4)]
    for t in threads:
        t.start()
    slowest = 0.0
    for _ in range(10):
        started = time.monotonic()
        assert httpx.get(f"http://127.0.0.1:{service}/healthz", timeout=5).status_code == 200
        slowest = max(slowest, time.monotonic() - started)
    for t in threads:
        t.join(timeout=30)
    # Reading the four bodies whole took /healthz to seconds; refused unread, it stays well
    # under that even on a loaded machine.
    assert slowest < 2.0
