"""open_url against a real HTTP server on 127.0.0.1: redirects are checked again, and the
wait ends at the caller's timeout or the run's deadline."""

from __future__ import annotations

import http.server
import threading
import time

import pytest

from axiom_sdk import AxiomError, capability_check, open_url
from axiom_sdk.testing import deadline


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.startswith("/to/"):  # /to/URL redirects to URL
            self.send_response(302)
            self.send_header("Location", self.path[4:])
            self.end_headers()
        elif self.path == "/slow":
            time.sleep(3)
            self.send_response(200)
            self.end_headers()
        else:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")


@pytest.fixture(scope="module")
def base():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def granted():
    """Only net for 127.0.0.1, as `--sandbox --allow-net=127.0.0.1` grants; records checks."""
    seen: list[tuple[str, str]] = []

    def check(cap: str, resource: str) -> None:
        seen.append((cap, resource))
        if cap != "net" or "//127.0.0.1:" not in resource:
            raise AxiomError("PermissionDenied", f"{cap} denied for {resource}")
    token = capability_check.set(check)
    yield seen
    capability_check.reset(token)


def test_a_redirect_is_followed_and_checked_again(base, granted):
    with open_url(f"{base}/to/{base}/data", "demo.read") as resp:
        assert resp.read() == b"ok"
    assert granted == [("net", f"{base}/to/{base}/data"), ("net", f"{base}/data")]


def test_a_redirect_to_a_host_without_a_grant_is_denied(base, granted):
    other = base.replace("127.0.0.1", "localhost")
    with pytest.raises(AxiomError) as e:
        open_url(f"{base}/to/{other}/data", "demo.read")
    assert (e.value.kind, e.value.message) == ("PermissionDenied", f"net denied for {other}/data")


def test_a_redirect_to_a_file_url_is_refused(base, granted):
    with pytest.raises(AxiomError) as e:
        open_url(f"{base}/to/file:///etc/passwd", "demo.read")
    assert (e.value.kind, e.value.message) == (
        "IOError", f"demo.read: {base}/to/file:///etc/passwd: redirected to file:///etc/passwd, "
                   "which is not an http or https URL")


def test_the_wait_ends_at_the_timeout_or_at_the_runs_deadline(base, granted):
    start = time.monotonic()
    with pytest.raises(AxiomError) as e:
        open_url(f"{base}/slow", "demo.read", timeout=0.3)
    assert (e.value.kind, e.value.message) == ("IOError", f"demo.read: {base}/slow: timed out after 0.3 s")
    with deadline(0.3), pytest.raises(AxiomError) as e:
        open_url(f"{base}/slow", "demo.read")
    assert (e.value.kind, e.value.message) == (
        "LimitExceeded", f"demo.read: {base}/slow: the run's time limit ended the wait (--timeout)")
    assert time.monotonic() - start < 2.5
