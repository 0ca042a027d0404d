"""The pages under their Content-Security-Policy, in headless Chromium: no violation
reported, its style applied, and no link from a feed that could run a script."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer

from tests.e2e.test_page import CHROMIUM, FLAGS, page_url  # noqa: F401 (a fixture)
from tracker.api.routes.page import POLICY


def chromium_logged(tmp_path: Path, *args: str) -> tuple[str, str]:
    """Chromium's output, and what it logged (console messages included)."""
    assert CHROMIUM is not None
    done = subprocess.run([CHROMIUM, *FLAGS, "--enable-logging=stderr", "--v=0",
                           f"--user-data-dir={tmp_path / 'profile'}", *args],
                          capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, done.stderr


@pytest.mark.timeout(180)
def test_the_page_passes_its_policy(page_url: str, tmp_path: Path) -> None:  # noqa: F811
    for url in (page_url, f"{page_url}designations/taliban-designation"):  # the chart's too
        answer = httpx.get(url)
        assert answer.headers["content-security-policy"] == POLICY
        dom, logged = chromium_logged(tmp_path, "--dump-dom", url)
        assert "Content Security Policy" not in logged, logged[-3000:]
        assert "Taliban on Russia's federal list of terrorist organisations" in dom
    # The inline style ran: a screenshot of the styled page is not blank white.
    shot = tmp_path / "page.png"
    chromium_logged(tmp_path, f"--screenshot={shot}", "--window-size=800,900", page_url)
    assert shot.stat().st_size > 10_000


@pytest.mark.timeout(180)
def test_a_policy_violation_would_be_seen(tmp_path: Path, httpserver: HTTPServer) -> None:
    """The check above can fail: Chromium logs what the same policy refuses."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed")
    httpserver.expect_request("/bad").respond_with_data(
        "<!doctype html><style>body{color:red}</style><script>document.title='ran'</script>",
        content_type="text/html", headers={"Content-Security-Policy": POLICY})
    dom, logged = chromium_logged(tmp_path, "--dump-dom", httpserver.url_for("/bad"))
    assert "Content Security Policy" in logged and "<title>ran</title>" not in dom
