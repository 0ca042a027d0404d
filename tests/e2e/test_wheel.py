"""The package as users install it: the wheel, in a fresh venv away from the repository,
creates its schema and serves (loopback only, bounded in time)."""

from __future__ import annotations

import os
import signal
import site
import subprocess
import sys
import time
import venv
import zipfile
from pathlib import Path

import httpx

from tests.servers import ROOT, free_port


def test_the_wheel_installed_elsewhere_migrates_and_serves(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                            str(dist), str(ROOT)], capture_output=True, text=True, timeout=240)
    assert built.returncode == 0, built.stderr
    wheel = next(dist.glob("tracker-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"tracker/migrations/env.py", "tracker/migrations/script.py.mako",
            "tracker/migrations/versions/0001_initial.py"} <= names

    # A fresh venv with only the wheel in it; its dependencies are read from this one's
    # site-packages (a plain path: none of its .pth files, so not the editable checkout).
    home = tmp_path / "venv"
    venv.create(home, with_pip=False)
    python = home / "bin" / "python"
    inner = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                           capture_output=True, text=True, check=True).stdout.strip()
    Path(inner, "outer.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    installed = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                                "--no-deps", "-q", str(wheel)],
                               capture_output=True, text=True, timeout=120)
    assert installed.returncode == 0, installed.stderr

    where = tmp_path / "elsewhere"
    where.mkdir()
    feeds = where / "feeds.yaml"  # a feed that never answers: nothing leaves the machine
    feeds.write_text((ROOT / "tests" / "e2e" / "feeds.yaml.in").read_text()
                     .replace("FEED_URL", "http://127.0.0.1:9/unused.xml"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update(PYTHONPATH="", TRACKER_DATABASE_URL=f"sqlite:///{where / 'tracker.db'}",
               TRACKER_FEEDS=str(feeds))
    found = subprocess.run([python, "-c", "import tracker; print(tracker.__file__)"], cwd=where,
                           env=env, capture_output=True, text=True, check=True).stdout
    assert found.startswith(str(home)), found  # the wheel's copy, not the checkout

    port = free_port()
    log = where / "serve.log"
    with log.open("wb") as out:
        service = subprocess.Popen([home / "bin" / "tracker", "serve", "--host", "127.0.0.1",
                                    "--port", str(port)], cwd=where, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and service.poll() is None:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/status/taliban-designation",
                                   timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.3)
        assert status is not None and status.status_code == 200, log.read_text()
        assert status.json()["designation"] == "taliban-designation"
    finally:
        service.send_signal(signal.SIGTERM)
        code = service.wait(timeout=30)
    assert code == 0, log.read_text()
    started = log.read_text()
    assert f"database sqlite:///{where / 'tracker.db'}" in started
    assert f"feeds {feeds}" in started
