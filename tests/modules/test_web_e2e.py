"""`web` end to end: an .ax script run by `axiom run` (a real subprocess) fetches JSON and
HTML from a real HTTP server on 127.0.0.1 and prints what it got; the exact stdout is
checked. Also: the net capability under --sandbox, and a redirect to a host the run was
not granted (through the embedding API, which takes scoped grants)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

pytest.importorskip("axiom_web")

PAGE = """<html><head><title>Shop</title></head><body>
<ul id="items">
  <li class="item"><a href="/p/1">Tea &amp; biscuits</a> <span class="price">3.50</span></li>
  <li class="item sale"><a href="/p/2">Coffee <em>beans</em></a> <span class="price">7.25</span></li>
</ul>
<p>Total: <b>2</b> items</p>
</body></html>"""


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _send(self, status, body, content_type="text/plain; charset=utf-8", headers=()):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/data":
            self._send(200, json.dumps({"name": "axiom", "tags": ["fast", "small"], "stars": 42}),
                       "application/json", [("X-Server", "test")])
        elif url.path == "/page":
            self._send(200, PAGE, "text/html; charset=utf-8")
        elif url.path == "/missing":
            self._send(404, "nothing here")
        elif url.path == "/old":
            self._send(301, "", headers=[("Location", "/data")])
        elif url.path == "/redirect-to":
            self._send(302, "", headers=[("Location", query["url"])])
        elif url.path == "/slow":
            time.sleep(1.0)
            self._send(200, "late")
        else:
            self._send(500, "unknown")

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        self._send(201, json.dumps({"got": json.loads(self.rfile.read(n)),
                                    "type": self.headers.get("Content-Type")}), "application/json")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address):
        pass  # a client that timed out and left


@pytest.fixture(scope="module")
def server():
    srv = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv.server_address[1]
    srv.shutdown()
    srv.server_close()


SCRIPT = r"""
import web
let base = ARGS[0]

let r = web.http_get(base + "/data")
out r.status
out r.headers["content-type"]
out r.headers["x-server"]
let data = r.json()
out data.name
out data.tags
out data.stars + 1
out r.url == base + "/data"

let moved = web.http_get(base + "/old")
out moved.status
out moved.url == base + "/data"

let missing = web.http_get(base + "/missing")
out @"{missing.status} {missing.body}"

let posted = web.http_post(base + "/data", json={"n": 1, "ok": true})
out posted.status
out posted.json()

let doc = web.html_parse(web.http_get(base + "/page").body)
out typeof(doc)
for li in web.css_select(doc, "li.item") {
    let link = web.css_select(li, "a")[0]
    let price = float(web.css_select(li, ".price")[0].text)
    let href = link.attr("href")
    out @"{link.text} | {href} | {price}"
}
let sale = web.css_select(doc, "li.sale a")[0]
out sale.tag
out sale.html
out sale.attr("title")
out web.css_select(doc, "p")[0].text

let all = web.http_get_all([base + "/data", base + "/missing", base + "/page"], concurrency=2)
out all.map(|x| x.status)

try { web.http_get("ftp://example.com/file") } catch e { out @"{e.kind}: {e.message}" }
try { web.http_get(base + "/slow", timeout=0.2) } catch e { out e.kind; out e.message.replace(base, "BASE") }
try { web.css_select(doc, "li[") } catch e { out @"{e.kind}: {e.message}" }
"""

EXPECTED = """200
application/json
test
axiom
["fast", "small"]
43
true
200
true
404 nothing here
201
{"got": {"n": 1, "ok": true}, "type": "application/json"}
html
Tea & biscuits | /p/1 | 3.5
Coffee beans | /p/2 | 7.25
a
<a href="/p/2">Coffee <em>beans</em></a>
nil
Total: 2 items
[200, 404, 200]
ValueError: web.http_get: ftp://example.com/file: only http and https URLs are supported
IOError
web.http_get: BASE/slow: timed out after 0.2 s
ValueError: web.css_select: invalid CSS selector "li["
"""


def _run(tmp_path, script, *options_and_args):
    path = tmp_path / "fetch.ax"
    path.write_text(script)
    env = dict(os.environ, AXIOM_HOME=str(tmp_path / "home"), NO_COLOR="1")
    options = [a for a in options_and_args if a.startswith("--")]
    args = [a for a in options_and_args if not a.startswith("--")]
    return subprocess.run([sys.executable, "-m", "axiom.cli", "run", *options, str(path), *args],
                          capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)


def test_script_fetches_json_and_html(server, tmp_path):
    p = _run(tmp_path, SCRIPT, f"http://127.0.0.1:{server}")
    assert p.stderr == ""
    assert p.returncode == 0
    assert p.stdout == EXPECTED


def test_loopback_bypasses_a_proxy_from_the_environment(server, tmp_path, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("ALL_PROXY", "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    p = _run(tmp_path, 'import web\nout web.http_get(ARGS[0] + "/data").json().name\n',
             f"http://127.0.0.1:{server}")
    assert (p.stdout, p.stderr, p.returncode) == ("axiom\n", "", 0)


def test_sandbox_without_net_is_denied(server, tmp_path):
    url = f"http://127.0.0.1:{server}/data"
    p = _run(tmp_path, 'import web\ntry { web.http_get(ARGS[0]) } catch e { out e.kind; out e.message }\n'
                       'try { web.http_get_all([ARGS[0]]) } catch e { out e.kind }\n',
             "--sandbox", url)
    assert p.stdout == (f"PermissionDenied\nnet denied for {url} (grant it with --allow-net=127.0.0.1)\n"
                        "PermissionDenied\n")


@pytest.mark.parametrize("flag", ["--allow-net", "--allow-net=127.0.0.1"])
def test_sandbox_with_net_granted(server, tmp_path, flag):
    p = _run(tmp_path, 'import web\nout web.http_get(ARGS[0]).status\n', "--sandbox", flag,
             f"http://127.0.0.1:{server}/data")
    assert (p.stdout, p.stderr, p.returncode) == ("200\n", "", 0)


def test_redirect_to_a_host_not_granted_is_denied(server):
    from axiom import Runtime
    out = io.StringIO()
    rt = Runtime(grants={"net": ["127.0.0.1"]}, stdout=out)
    target = f"http://localhost:{server}/data"
    rt.eval(f'import web\nlet base = "http://127.0.0.1:{server}"\n'
            'out web.http_get(base + "/data").status\n'
            f'try {{ web.http_get(base + "/redirect-to?url={target}") }} '
            'catch e { out e.kind; out e.message }\n')
    rt.close()
    assert out.getvalue() == (f"200\nPermissionDenied\nnet denied for {target} "
                              "(grant it with --allow-net=localhost)\n")
