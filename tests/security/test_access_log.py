"""Tokens never reach the access log (issue 11, point 8): gunicorn, started with the
portal's deploy/gunicorn.conf.py, logs the personal calendar feed's and the password-
reset link's addresses with the token replaced by [redacted], in the request line and
in the Referer."""

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
FEED_TOKEN = "Zm9vYmFyLXNlY3JldC10b2tlbi1mb3ItdGhlLWZlZWQ"
RESET_TOKEN = "cf1x2a-0123456789abcdef0123456789abcdef"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, process, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn stopped"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not start")


def test_gunicorn_access_log_has_no_tokens(tmp_path):
    port = free_port()
    log = tmp_path / "access.log"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = {**os.environ, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1"}
    process = subprocess.Popen(
        [
            str(gunicorn),
            "--config",
            str(BASE_DIR / "deploy" / "gunicorn.conf.py"),
            "--access-logfile",
            str(log),
            "tests.security.log_probe:app",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(port, process)
        requests = [
            (f"/sv/events/my/{FEED_TOKEN}/feed.ics", {}),
            (f"/en/accounts/reset/MQ/{RESET_TOKEN}/", {}),
            ("/sv/accounts/reset/MQ/set-password/", {
                "Referer": f"https://portal.example.org/sv/accounts/reset/MQ/{RESET_TOKEN}/"
            }),
            (f"/sv/events/?token={FEED_TOKEN}&q=ok", {}),
        ]  # fmt: skip
        for path, headers in requests:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", path, headers=headers)
            assert connection.getresponse().status == 200
            connection.close()
        deadline = time.monotonic() + 10
        while log.read_text().count("\n") < len(requests) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=30)
    lines = log.read_text().splitlines()
    assert len(lines) == len(requests), lines
    text = "\n".join(lines)
    assert FEED_TOKEN not in text and RESET_TOKEN not in text
    assert '"GET /sv/events/my/[redacted]/feed.ics HTTP/1.1" 200' in lines[0]
    assert '"GET /en/accounts/reset/MQ/[redacted]/ HTTP/1.1" 200' in lines[1]
    # The set-password step keeps its address; the Referer loses the token.
    assert '"GET /sv/accounts/reset/MQ/set-password/ HTTP/1.1"' in lines[2]
    assert '"https://portal.example.org/sv/accounts/reset/MQ/[redacted]/"' in lines[2]
    assert '"GET /sv/events/?token=[redacted]&q=ok HTTP/1.1"' in lines[3]
