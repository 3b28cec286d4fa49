"""Real server processes for tests: gunicorn serving ``wsgi:app`` and ``registry index-worker``."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def request(url: str, method: str = "GET", body: Any = None, token: str | None = None,
            timeout: float = 15.0) -> tuple[int, Any]:
    """(status, parsed JSON or text); HTTP errors are answers too, not exceptions."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if data is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


def start_gunicorn(env: dict[str, str], port: int, workers: int = 2,
                   log: Path | None = None) -> subprocess.Popen[bytes]:
    """gunicorn in its own process group (so a test can kill master and workers at once)."""
    return _spawn([sys.executable, "-m", "gunicorn", "-w", str(workers),
                   "-b", f"127.0.0.1:{port}", "--graceful-timeout", "5", "wsgi:app"], env, log)


def start_worker(env: dict[str, str], log: Path | None = None) -> subprocess.Popen[bytes]:
    return _spawn([sys.executable, "-c", "from registry.cli import main; main()",
                   "index-worker", "--interval", "0.1", "--max-pause", "0.5"], env, log)


def _spawn(args: list[str], env: dict[str, str], log: Path | None) -> subprocess.Popen[bytes]:
    if log is None:
        return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.STDOUT, start_new_session=True)
    with open(log, "ab") as out:  # the child keeps its own descriptor
        return subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def wait_healthy(base: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if request(base + "/healthz", timeout=2)[0] == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{base} not healthy after {timeout} s")
        time.sleep(0.1)


def kill_group(proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    """Signal the process and everything it started (gunicorn's workers)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
