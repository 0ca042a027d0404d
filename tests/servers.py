"""Helpers for tests that run the service as a user does: free ports, a served RSS feed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import httpx

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def served_app(app: object) -> Iterator[int]:
    """An ASGI app served by uvicorn on a free loopback port, in a thread; yields the port
    once /healthz answers."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,  # type: ignore[arg-type]
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss(items: Iterable[dict]) -> str:
    """An RSS 2.0 document; each item has guid, title, link, published (datetime), text."""
    body = "".join(
        f"<item><guid isPermaLink=\"false\">{escape(i['guid'])}</guid><title>{escape(i['title'])}</title>"
        f"<link>{escape(i['link'])}</link>"
        f"<pubDate>{format_datetime(i['published'])}</pubDate>"
        f"<description>{escape(i['text'])}</description></item>"
        for i in items)
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Test wire</title><link>http://127.0.0.1/</link>{body}</channel></rss>")


def start_service(env: dict[str, str], port: int, cwd: Path) -> subprocess.Popen:
    """`tracker serve` in a process of its own (its output in cwd/service-PORT.log), once it
    answers /healthz."""
    full = {**os.environ, **env}
    log = cwd / f"service-{port}.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tracker.cli", "serve", "--port", str(port)],
            cwd=cwd, env=full, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"tracker serve exited {process.returncode}:\n"
                               f"{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("tracker serve did not answer /healthz within 60 s")


def stop_service(process: subprocess.Popen) -> None:
    """Ask a `tracker serve` to stop, and kill it (then fail) if it has not within 15 s."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


def wait_for(check, timeout: float = 30, interval: float = 0.2):  # type: ignore[no-untyped-def]
    """Poll `check()` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s; last value: {last!r}")


class WebhookReceiver:
    """A real receiver on loopback, in a thread: records each delivery's headers and body."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        received = self.received = []  # type: list[tuple[dict[str, str], bytes, float]]
        receiver = self
        self.status = 204  # set to 503 to refuse deliveries (those are not recorded)
        self.refused = 0

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real receivers do

            def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                status = receiver.status
                if status < 300:
                    received.append((dict(self.headers), body, time.time()))
                else:
                    receiver.refused += 1
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def ids(self) -> set[str]:
        return {h.get("webhook-id") or h.get("Webhook-Id", "") for h, _, _ in self.received}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class RawServer:
    """A loopback server that answers every request with the same bytes, whatever a
    well-behaved HTTP library would refuse to send (a Location with port 99999, say)."""

    def __init__(self, answer: bytes, host: str = "127.0.0.1", port: int = 0,
                 drip: float = 0) -> None:
        import threading

        self.answer, self.host, self.drip = answer, host, drip
        self.received: list[bytes] = []
        self.socket = socket.socket()
        self.socket.bind((host, port))
        self.socket.listen()
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.requests = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.socket.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    self.received.append(conn.recv(65536))
                    self.requests += 1
                    if not self.drip:
                        conn.sendall(self.answer)
                    for byte in (self.answer if self.drip else b""):  # a byte at a time
                        if self._stop.wait(self.drip):
                            break
                        conn.sendall(bytes([byte]))
                except OSError:
                    pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.socket.close()
