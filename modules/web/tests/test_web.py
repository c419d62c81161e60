"""web against real HTTP servers on 127.0.0.1 (no mocks), through the SDK as scripts call it.

The server (`Handler`) serves JSON, HTML, a 404, redirects, a slow endpoint and an echo
of what it received; a second one plays an HTTP proxy that records what reaches it.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from axiom_sdk import AxiomError, capability_check, typeof
from axiom_sdk.testing import call, raises
from axiom_web import _http, module

PAGE = """<!DOCTYPE html>
<html><head><title>Caf&eacute; &amp; Bar</title></head>
<body>
  <div id="main" class="box wide">
    <h1>Menu <small>(today)</small></h1>
    <ul>
      <li class="item"><a href="/tea?size=1&amp;milk=no" data-id="1">Tea &lt;hot&gt;</a></li>
      <li class="item special"><a href='/cake' title="Sweet">Cake <b>&amp; cream</b></a></li>
      <li class="item"><a>No link</a></li>
    </ul>
    <input type="checkbox" checked>
    <p>Unclosed paragraph
  </div>
  <div id="footer"><p>&copy; 2026</p></div>
</body></html>"""

DATA = {"name": "axiom", "version": [0, 1], "ok": True, "none": None, "pi": 3.5, "text": "café"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status, body, content_type="text/plain; charset=utf-8", headers=()):
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _echo(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8")
        self._send(200, json.dumps({
            "method": self.command, "path": self.path, "body": body,
            "headers": {k.lower(): v for k, v in self.headers.items()},
        }), "application/json")

    def do_GET(self):
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        path = url.path
        if path == "/json":
            self._send(200, json.dumps(DATA), "application/json")
        elif path == "/html":
            self._send(200, PAGE, "text/html; charset=utf-8")
        elif path == "/missing":
            self._send(404, "no such page")
        elif path == "/redirect":
            self._send(302, "", headers=[("Location", "/json")])
        elif path == "/redirect-chain":
            self._send(301, "", headers=[("Location", "/redirect")])
        elif path == "/redirect-to":
            self._send(307, "", headers=[("Location", query["url"])])
        elif path == "/loop":
            self._send(302, "", headers=[("Location", "/loop")])
        elif path == "/slow":
            time.sleep(float(query.get("t", "0.3")))
            self._send(200, f"slept {query.get('n', '')}")
        elif path == "/headers":
            self._send(200, "see headers", headers=[("X-Custom", "Yes"), ("X-Multi", "a"),
                                                     ("X-Multi", "b")])
        elif path == "/cookie":
            self._send(200, "cookie set", headers=[("Set-Cookie", "session=abc; Path=/")])
        elif path == "/latin1":
            self._send(200, "déjà vu".encode("latin-1"), "text/plain; charset=iso-8859-1")
        elif path == "/bad-json":
            self._send(200, "{not json", "application/json")
        elif path == "/echo":
            self._echo()
        else:
            self._send(500, "unknown path")

    def do_POST(self):
        self._echo()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 64

    def handle_error(self, request, client_address):
        pass  # a client that timed out and left: the broken pipe is expected


def _serve(handler):
    server = Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def base():
    server = _serve(Handler)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def get(url, **kw):
    return call(module, "http_get", url, **kw)


# --- http_get -----------------------------------------------------------------------

def test_get_json(base):
    r = get(base + "/json")
    assert typeof(r) == "response"
    assert r.status == 200 and type(r.status) is int
    assert r.body == json.dumps(DATA)
    assert r.url == base + "/json"
    assert r.headers["content-type"] == "application/json"
    assert r.headers["content-length"] == str(len(json.dumps(DATA).encode()))
    assert r.json() == DATA


def test_json_method_is_called_as_a_script_calls_it(base):
    r = get(base + "/json")
    info = type(r).__axiom_foreign__
    assert info.attrs == {"status", "body", "headers", "url"}
    assert info.methods["json"](r) == DATA
    err = raises_method(info.methods["json"], get(base + "/bad-json"))
    assert err.kind == "ValueError"
    assert err.message == (f"response.json: the body of {base}/bad-json is not valid JSON "
                           "(Expecting property name enclosed in double quotes at line 1 column 2)")
    assert info.display(r) == f"<response 200 {base}/json>"


def raises_method(method, *args):
    try:
        method(*args)
    except AxiomError as e:
        return e
    raise AssertionError("no error")


def test_not_found_is_a_normal_response(base):
    r = get(base + "/missing")
    assert (r.status, r.body, r.url) == (404, "no such page", base + "/missing")


def test_headers_are_lowercase_and_repeated_ones_joined(base):
    r = get(base + "/headers")
    assert r.headers["x-custom"] == "Yes"
    assert r.headers["x-multi"] == "a, b"
    assert all(k == k.lower() for k in r.headers)
    r.headers["x-custom"] = "changed"  # a copy: the response is unchanged
    assert r.headers["x-custom"] == "Yes"


def test_body_decoded_with_the_charset(base):
    assert get(base + "/latin1").body == "déjà vu"


def test_custom_headers_arrive(base):
    r = get(base + "/echo", headers={"X-Token": "s3cret", "Accept": "text/plain", "X-Uni": "été"})
    seen = r.json()
    assert seen["method"] == "GET"
    assert seen["headers"]["x-token"] == "s3cret"
    assert seen["headers"]["accept"] == "text/plain"
    assert seen["headers"]["user-agent"] == "axiom-web/0.1"
    assert "été".encode().decode("latin-1") == seen["headers"]["x-uni"]  # sent as UTF-8


def test_redirect_followed_and_final_url_reported(base):
    r = get(base + "/redirect-chain")
    assert (r.status, r.url, r.json()) == (200, base + "/json", DATA)


def test_redirect_loop_is_an_io_error(base):
    err = raises(module, "http_get", base + "/loop")
    assert (err.kind, err.message) == ("IOError", f"web.http_get: {base}/loop: too many redirects "
                                                  "(more than 20)")


def test_redirect_to_another_scheme_is_an_io_error(base):
    err = raises(module, "http_get", base + "/redirect-to?url=ftp://example.com/x")
    assert err.kind == "IOError"
    assert err.message == (f"web.http_get: {base}/redirect-to?url=ftp://example.com/x: "
                           "redirected to ftp://example.com/x, which is not an http or https URL")


def test_no_cookies_are_kept(base):
    assert get(base + "/cookie").headers["set-cookie"] == "session=abc; Path=/"
    assert "cookie" not in get(base + "/echo").json()["headers"]


# --- capabilities -------------------------------------------------------------------

class Grants:
    """A capability check as the runtime installs one: records and allows or denies."""

    def __init__(self, allowed_hosts):
        self.allowed = allowed_hosts
        self.seen = []

    def __call__(self, cap, resource):
        self.seen.append((cap, resource))
        host = urlsplit(str(resource)).hostname
        if host not in self.allowed:
            raise AxiomError("PermissionDenied", f"{cap} denied for {resource}")

    def __enter__(self):
        self.token = capability_check.set(self)
        return self

    def __exit__(self, *exc):
        capability_check.reset(self.token)


def test_each_redirect_hop_is_checked(base):
    port = base.rsplit(":", 1)[1]
    other = f"http://localhost:{port}/json"
    with Grants({"127.0.0.1", "localhost"}) as grants:
        r = get(f"{base}/redirect-to?url={other}")
    assert r.url == other and r.json() == DATA
    assert grants.seen == [("net", f"{base}/redirect-to?url={other}"), ("net", other)]


def test_redirect_to_a_host_not_granted_is_denied(base):
    port = base.rsplit(":", 1)[1]
    other = f"http://localhost:{port}/echo"
    with Grants({"127.0.0.1"}):
        err = raises(module, "http_get", f"{base}/redirect-to?url={other}")
    assert (err.kind, err.message) == ("PermissionDenied", f"net denied for {other}")
    with Grants({"127.0.0.1"}):
        err = raises(module, "http_get_all", [base + "/json", f"{base}/redirect-to?url={other}"])
    assert err.kind == "PermissionDenied"


def test_url_denied_before_any_request(base):
    with Grants(set()):
        err = raises(module, "http_get_all", [base + "/json"])
    assert err.kind == "PermissionDenied"


# --- failures -----------------------------------------------------------------------

def test_timeout_is_an_io_error_naming_the_url(base):
    url = base + "/slow?t=1.5"
    start = time.perf_counter()
    err = raises(module, "http_get", url, timeout=0.2)
    assert time.perf_counter() - start < 1.2
    assert (err.kind, err.message) == ("IOError", f"web.http_get: {url}: timed out after 0.2 s")


def test_connection_refused_is_an_io_error_naming_the_url(closed_port):
    url = f"http://127.0.0.1:{closed_port}/x"
    err = raises(module, "http_get", url)
    assert (err.kind, err.message) == ("IOError", f"web.http_get: {url}: cannot connect "
                                                  "(connection refused)")
    err = raises(module, "http_post", url, body="x")
    assert err.kind == "IOError" and err.message.startswith(f"web.http_post: {url}: ")


def test_redirect_to_a_dead_port_names_both_urls(base, closed_port):
    dead = f"http://127.0.0.1:{closed_port}/gone"
    url = f"{base}/redirect-to?url={dead}"
    err = raises(module, "http_get", url)
    assert (err.kind, err.message) == ("IOError", f"web.http_get: {url}: cannot connect "
                                                  f"(connection refused) (at {dead}, after a redirect)")


@pytest.mark.parametrize("url, message", [
    ("ftp://example.com/f", "ftp://example.com/f: only http and https URLs are supported"),
    ("file:///etc/passwd", "file:///etc/passwd: only http and https URLs are supported"),
    ("example.com", "example.com: only http and https URLs are supported"),
    ("http:///path", "http:///path: the URL has no host"),
    ("http://a\nb/", "http://a\nb/: invalid URL (Invalid non-printable ASCII character in URL, "
                     "'\\n' at position 8.)"),
    ("http://127.0.0.1:99999/", "http://127.0.0.1:99999/: port 99999 is out of range"),
])
def test_bad_urls_are_value_errors(url, message):
    for name in ("http_get", "http_post"):
        err = raises(module, name, url)
        assert (err.kind, err.message) == ("ValueError", f"web.{name}: {message}")
    err = raises(module, "http_get_all", [url])
    assert (err.kind, err.message) == ("ValueError", f"web.http_get_all: {message}")


@pytest.mark.parametrize("args, kw, kind, message", [
    ((1,), {}, "TypeError", "web.http_get: argument 'url' expects str, got int"),
    (("http://x/",), {"headers": {"A": 1}}, "TypeError", "web.http_get: header 'A' must be a str, got int"),
    (("http://x/",), {"headers": {1: "a"}}, "TypeError", "web.http_get: header names must be str, got int"),
    (("http://x/",), {"headers": {"A B": "x"}}, "ValueError", 'web.http_get: invalid header name "A B"'),
    (("http://x/",), {"headers": {"A": "x\r\nB: y"}}, "ValueError",
     "web.http_get: header 'A' contains a line break or NUL"),
    (("http://x/",), {"timeout": 0}, "ValueError",
     "web.http_get: timeout must be a positive number of seconds, got 0.0"),
    (("http://x/",), {"timeout": "1"}, "TypeError", "web.http_get: argument 'timeout' expects float, got str"),
])
def test_bad_arguments(args, kw, kind, message):
    err = raises(module, "http_get", *args, **kw)
    assert (err.kind, err.message) == (kind, message)


# --- http_post ----------------------------------------------------------------------

def test_post_body(base):
    r = call(module, "http_post", base + "/echo", body="héllo, world")
    seen = r.json()
    assert (r.status, seen["method"], seen["body"]) == (200, "POST", "héllo, world")
    assert seen["headers"]["content-type"] == "text/plain; charset=utf-8"
    assert seen["headers"]["content-length"] == str(len("héllo, world".encode()))


def test_post_json(base):
    payload = {"a": [1, 2.5, None, True], "b": {"c": "é"}, 3: "int key"}
    r = call(module, "http_post", base + "/echo", json=payload, headers={"X-Req": "7"})
    seen = r.json()
    assert seen["headers"]["content-type"] == "application/json"
    assert seen["headers"]["x-req"] == "7"
    assert json.loads(seen["body"]) == {"a": [1, 2.5, None, True], "b": {"c": "é"}, "3": "int key"}


def test_post_content_type_from_headers_wins(base):
    r = call(module, "http_post", base + "/echo", body="a=1", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.json()["headers"]["content-type"] == "application/x-www-form-urlencoded"


def test_post_nothing(base):
    seen = call(module, "http_post", base + "/echo").json()
    assert (seen["method"], seen["body"], seen["headers"]["content-length"]) == ("POST", "", "0")


@pytest.mark.parametrize("kw, message", [
    ({"body": "x", "json": {}}, "web.http_post: give either body or json, not both"),
    ({"json": {"s": float("nan")}}, "web.http_post: json cannot be encoded as JSON (nan and inf have no JSON form)"),
])
def test_post_bad_payload(kw, message):
    err = raises(module, "http_post", "http://127.0.0.1:9/", **kw)
    assert (err.kind, err.message) == ("ValueError", message)


def test_post_set_is_not_json():
    from axiom_sdk import Set
    err = raises(module, "http_post", "http://127.0.0.1:9/", json={"s": Set([1])})
    assert (err.kind, err.message) == ("ValueError", "web.http_post: json cannot be encoded as JSON "
                                                     "(a set has no JSON form)")


# --- http_get_all -------------------------------------------------------------------

def test_get_all_in_order_and_concurrent(base):
    urls = [f"{base}/slow?t=0.3&n={i}" for i in range(6)]
    start = time.perf_counter()
    rs = call(module, "http_get_all", urls, concurrency=6)
    took = time.perf_counter() - start
    assert [r.body for r in rs] == [f"slept {i}" for i in range(6)]
    assert [r.url for r in rs] == urls
    assert took < 0.9, took  # sequential would be 1.8 s


def test_get_all_concurrency_bounds_parallelism(base):
    urls = [f"{base}/slow?t=0.3&n={i}" for i in range(4)]
    start = time.perf_counter()
    rs = call(module, "http_get_all", urls, concurrency=2)
    took = time.perf_counter() - start
    assert [r.body for r in rs] == [f"slept {i}" for i in range(4)]
    assert 0.6 <= took < 1.05, took  # two rounds; all at once 0.3 s, one by one 1.2 s


def test_get_all_mixed_results_redirects_and_headers(base):
    rs = call(module, "http_get_all", [base + "/json", base + "/missing", base + "/redirect",
                                        base + "/echo"], headers={"X-All": "1"})
    assert [r.status for r in rs] == [200, 404, 200, 200]
    assert rs[2].url == base + "/json" and rs[2].json() == DATA
    assert rs[3].json()["headers"]["x-all"] == "1"
    assert call(module, "http_get_all", []) == []


def test_get_all_failure_names_the_first_failing_url(base, closed_port):
    dead = f"http://127.0.0.1:{closed_port}/a"
    slow = base + "/slow?t=1.5"
    err = raises(module, "http_get_all", [base + "/json", dead, slow], timeout=0.3)
    assert (err.kind, err.message) == ("IOError", f"web.http_get_all: {dead}: cannot connect "
                                                  "(connection refused)")
    err = raises(module, "http_get_all", [base + "/json", slow], timeout=0.3)
    assert (err.kind, err.message) == ("IOError", f"web.http_get_all: {slow}: timed out after 0.3 s")


def test_get_all_inside_a_running_event_loop(base):
    async def main():
        return call(module, "http_get_all", [base + "/json", base + "/missing"])
    rs = asyncio.run(main())
    assert [r.status for r in rs] == [200, 404]


def test_get_all_bad_arguments():
    err = raises(module, "http_get_all", ["http://x/", 3])
    assert (err.kind, err.message) == ("TypeError", "web.http_get_all: urls[1] must be a str, got int")
    err = raises(module, "http_get_all", ["http://x/"], concurrency=0)
    assert (err.kind, err.message) == ("ValueError", "web.http_get_all: concurrency must be at least 1, got 0")
    err = raises(module, "http_get_all", "http://x/")
    assert (err.kind, err.message) == ("TypeError", "web.http_get_all: argument 'urls' expects list, got str")


# --- proxies ------------------------------------------------------------------------

class ProxyHandler(BaseHTTPRequestHandler):
    """An HTTP proxy that answers every request itself and records it."""

    seen: list[str] = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        ProxyHandler.seen.append(self.path)
        data = b"via proxy"
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def proxy_env(monkeypatch, closed_port):
    """HTTP_PROXY set to a live recording proxy, ALL_PROXY to a dead one; NO_PROXY unset."""
    proxy = _serve(ProxyHandler)
    ProxyHandler.seen = []
    for var in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.server_address[1]}")
    monkeypatch.setenv("ALL_PROXY", f"http://127.0.0.1:{closed_port}")
    _http.close_clients()  # clients read the environment when built
    yield ProxyHandler.seen
    _http.close_clients()
    proxy.shutdown()
    proxy.server_close()


def test_loopback_never_goes_through_a_proxy(base, proxy_env):
    port = base.rsplit(":", 1)[1]
    assert get(base + "/json").json() == DATA
    assert get(f"http://localhost:{port}/json").json() == DATA
    assert [r.status for r in call(module, "http_get_all", [base + "/json", base + "/html"])] == [200, 200]
    assert proxy_env == []


def test_other_hosts_honour_the_proxy_environment(base, proxy_env):
    # example.invalid cannot resolve: only the proxy can answer it, so this proves the
    # environment is honoured for hosts other than loopback.
    assert get("http://example.invalid/page").body == "via proxy"
    assert call(module, "http_get_all", ["http://example.invalid/a"])[0].body == "via proxy"
    assert proxy_env == ["http://example.invalid/page", "http://example.invalid/a"]
    # and a redirect from there to 127.0.0.1 leaves the proxy again
    assert get(base + "/redirect").url == base + "/json"
    assert len(proxy_env) == 2


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("localhost", True),
    ("api.localhost", True), ("::ffff:127.0.0.1", True),
    ("10.0.0.1", False), ("example.com", False), ("localhost.example.com", False), ("::2", False),
])
def test_is_loopback(host, loopback):
    assert _http.is_loopback(host) is loopback


# --- HTML ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def doc():
    return call(module, "html_parse", PAGE)


def select(root, selector):
    return call(module, "css_select", root, selector)


def test_parse_and_select_links(doc):
    assert typeof(doc) == "html"
    links = select(doc, "a")
    assert [typeof(a) for a in links] == ["element"] * 3
    assert [a.tag for a in links] == ["a", "a", "a"]
    assert [a.text for a in links] == ["Tea <hot>", "Cake & cream", "No link"]
    assert [a.attr("href") for a in links] == ["/tea?size=1&milk=no", "/cake", None]
    assert links[0].attr("data-id") == "1" and links[1].attr("title") == "Sweet"
    assert links[0].html == '<a href="/tea?size=1&amp;milk=no" data-id="1">Tea &lt;hot&gt;</a>'
    assert links[1].html == '<a href="/cake" title="Sweet">Cake <b>&amp; cream</b></a>'


def test_text_includes_descendants_and_decodes_entities(doc):
    (h1,) = select(doc, "h1")
    assert h1.text == "Menu (today)"
    assert select(doc, "title")[0].text == "Café & Bar"
    assert select(doc, "#footer p")[0].text == "© 2026"
    assert select(doc, "#footer")[0].html == '<div id="footer"><p>© 2026</p></div>'


def test_attributes(doc):
    (box,) = select(doc, "div.box")
    assert box.attr("class") == "box wide" and box.attr("id") == "main"
    assert box.attr("missing") is None
    (check,) = select(doc, "input")
    assert check.attr("checked") == "" and check.attr("type") == "checkbox"
    assert check.tag == "input"


def test_selectors(doc):
    assert [li.attr("class") for li in select(doc, "li.item:not(.special)")] == ["item", "item"]
    assert [a.text for a in select(doc, "li:nth-child(2) > a")] == ["Cake & cream"]
    assert [a.text for a in select(doc, "a[href^='/t']")] == ["Tea <hot>"]
    assert [e.tag for e in select(doc, "h1, small, b")] == ["h1", "small", "b"]  # document order
    assert select(doc, "table") == []
    # malformed HTML is repaired: the unclosed <p> ends at its </div>
    assert select(doc, "#main > p")[0].text.strip() == "Unclosed paragraph"


def test_select_inside_an_element(doc):
    (main,) = select(doc, "#main")
    assert [e.tag for e in select(main, "a b, small")] == ["small", "b"]
    assert select(main, "div") == []  # never the element itself
    assert len(select(main, "div a")) == 3  # ancestors count, as in querySelectorAll
    (item,) = select(doc, "li.special")
    assert [e.tag for e in select(item, "*")] == ["a", "b"]


def test_uppercase_tags_are_lowercase(doc):
    d = call(module, "html_parse", "<DIV><SPAN Class=X>hi</SPAN><svg><foreignObject/></svg></DIV>")
    assert [e.tag for e in select(d, "div, span, foreignObject")] == ["div", "span", "foreignobject"]
    assert select(d, "span")[0].attr("class") == "X"
    assert select(d, "span")[0].attr("CLASS") == "X"


@pytest.mark.parametrize("selector", ["a[", "", "   ", "$$", "div >", "::before"])
def test_bad_selector_is_a_value_error(doc, selector):
    err = raises(module, "css_select", doc, selector)
    assert (err.kind, err.message) == ("ValueError", f"web.css_select: invalid CSS selector {json.dumps(selector)}")


def test_css_select_type_errors(doc):
    err = raises(module, "css_select", "<p>text</p>", "p")
    assert (err.kind, err.message) == ("TypeError", "web.css_select: argument 'doc_or_element' expects "
                                                    "html or element, got str")
    err = raises(module, "css_select", doc, 3)
    assert err.kind == "TypeError"


def test_parse_never_fails():
    for text in ["", "<<<>>>", "<p>a\x00b</p>", "<div><span></div>", "plain text"]:
        d = call(module, "html_parse", text)
        assert typeof(d) == "html"
    assert select(call(module, "html_parse", "plain text"), "body")[0].text == "plain text"


def test_elements_outlive_their_document():
    links = select(call(module, "html_parse", "<a href='x'>one</a>"), "a")
    import gc
    gc.collect()
    assert (links[0].text, links[0].attr("href")) == ("one", "x")


def test_displays(doc):
    (a,) = select(doc, "li.special a")
    assert type(a).__axiom_foreign__.display(a) == "<element a>"
    assert type(doc).__axiom_foreign__.display(doc) == "<html document>"


def test_element_attr_is_checked():
    (a,) = select(call(module, "html_parse", "<a>x</a>"), "a")
    attr = type(a).__axiom_foreign__.methods["attr"]
    err = raises_method(attr, a, 1)
    assert (err.kind, err.message) == ("TypeError", "element.attr: argument 'name' expects str, got int")


# --- the module as a whole ----------------------------------------------------------

def test_every_export_is_documented_and_needs_are_declared():
    assert module.list_exports() == ["http_get", "http_post", "http_get_all", "html_parse", "css_select"]
    for name in module.list_exports():
        sig, doc = module.describe(name)
        assert doc, name
    assert module.capabilities() == ["net"]


def test_import_is_cheap():
    import subprocess
    import sys
    code = "import axiom_web, sys; print('httpx' in sys.modules, 'selectolax' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_the_runs_time_limit_bounds_the_wait(base):
    import axiom_sdk
    if not hasattr(axiom_sdk, "time_left"):
        pytest.skip("this axiom-sdk has no run deadline")
    from axiom_sdk._module import run_deadline
    url = base + "/slow?t=1.5"

    def with_deadline(seconds, fn, *args):
        token = run_deadline.set(time.monotonic() + seconds)
        try:
            return fn(*args)
        finally:
            run_deadline.reset(token)

    start = time.perf_counter()
    err = with_deadline(0.3, raises, module, "http_get", url)  # timeout=30, the run ends sooner
    assert time.perf_counter() - start < 1.2
    assert (err.kind, err.message) == ("LimitExceeded", f"web.http_get: {url}: the run's time "
                                       "limit (--timeout) ended while waiting for the response")
    err = with_deadline(0.3, raises, module, "http_get_all", [base + "/json", url])
    assert err.kind == "LimitExceeded"
    assert with_deadline(10, get, base + "/json").status == 200  # time left: an ordinary request


# --- hostile servers ---------------------------------------------------------------------

def _gzip_bomb(megabytes: int) -> bytes:
    """`megabytes` MB of zeros, gzip-compressed (about 1,000 to 1), made a MB at a time."""
    import zlib
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    return b"".join([*(z.compress(zeros) for _ in range(megabytes)), z.flush()])


class Hostile(BaseHTTPRequestHandler):
    """Answers that a careless client never finishes reading: trickled headers or body,
    huge bodies, a compression bomb, JSON nested 100,000 deep."""

    protocol_version = "HTTP/1.1"
    bomb = b""

    def log_message(self, *args):
        pass

    def _trickle(self, head: bytes, forever: bytes) -> None:
        try:
            self.wfile.write(head)
            while True:  # a byte every 0.1 s until the client gives up
                self.wfile.write(forever)
                self.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass

    def do_GET(self):
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/trickle-headers":
            self._trickle(b"HTTP/1.1 200 OK\r\nX-Slow: ", b"x")
        elif url.path == "/trickle-body":
            self._trickle(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n", b"x")
        elif url.path == "/big":
            n = int(query["n"])
            self.send_response(200)
            self.send_header("Content-Length", str(n))
            self.end_headers()
            block = b"y" * 65536
            try:
                for start in range(0, n, len(block)):
                    self.wfile.write(block[:min(len(block), n - start)])
            except OSError:
                pass  # the client stopped reading at its limit
        elif url.path == "/bomb":
            self.send_response(200)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(Hostile.bomb)))
            self.end_headers()
            try:
                self.wfile.write(Hostile.bomb)
            except OSError:
                pass
        elif url.path == "/deep-json":
            body = b"[" * 100_000 + b"]" * 100_000
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    do_POST = do_GET


@pytest.fixture(scope="module")
def hostile():
    Hostile.bomb = _gzip_bomb(200)
    server = _serve(Hostile)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("path", ["/trickle-headers", "/trickle-body"])
def test_timeout_bounds_the_whole_request_against_a_trickling_server(hostile, path):
    url = hostile + path
    for fn, args in (("http_get", (url,)), ("http_post", (url,)), ("http_get_all", ([url],))):
        start = time.perf_counter()
        err = raises(module, fn, *args, timeout=1)
        took = time.perf_counter() - start
        assert (err.kind, err.message) == ("IOError", f"web.{fn}: {url}: timed out after 1 s")
        assert 0.9 < took < 2.0, (fn, took)  # each byte came within the read timeout


def test_the_runs_time_limit_bounds_a_trickling_server(hostile):
    from axiom_sdk._module import run_deadline
    url = hostile + "/trickle-headers"
    token = run_deadline.set(time.monotonic() + 0.5)
    try:
        start = time.perf_counter()
        err = raises(module, "http_get", url)  # timeout=30: the run's deadline is sooner
    finally:
        run_deadline.reset(token)
    assert time.perf_counter() - start < 1.5
    assert (err.kind, err.message) == ("LimitExceeded", f"web.http_get: {url}: the run's time "
                                       "limit (--timeout) ended while waiting for the response")


def test_a_body_over_max_bytes_is_an_io_error_naming_the_url_and_the_limit(hostile):
    url = hostile + "/big?n=5000000"
    for fn, args in (("http_get", (url,)), ("http_get_all", ([url],))):
        err = raises(module, fn, *args, max_bytes=1_000_000)
        assert (err.kind, err.message) == (
            "IOError", f"web.{fn}: {url}: the response body is larger than 1000000 bytes (max_bytes)")
    assert len(get(url, max_bytes=5_000_000).body) == 5_000_000  # exactly at the limit: read
    import inspect

    import axiom_web
    for fn in (axiom_web.http_get, axiom_web.http_post, axiom_web.http_get_all):
        assert inspect.signature(fn).parameters["max_bytes"].default == 100_000_000


def test_a_gzip_bomb_stops_at_max_bytes_without_inflating_it_whole(hostile):
    import tracemalloc
    url = hostile + "/bomb"  # 200 KB on the wire, 200 MB of zeros once inflated
    tracemalloc.start()
    try:
        err = raises(module, "http_get", url, max_bytes=20_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (err.kind, err.message) == (
        "IOError", f"web.http_get: {url}: the response body is larger than 20000000 bytes (max_bytes)")
    assert peak < 30_000_000, peak  # the inflated 200 MB never existed at once: 20 MB and a step


def test_max_bytes_must_be_positive(base):
    for fn, args in (("http_get", (base,)), ("http_post", (base,)), ("http_get_all", ([base],))):
        assert raises(module, fn, *args, max_bytes=0).message == \
            f"web.{fn}: max_bytes must be at least 1, got 0"


def test_json_nested_too_deeply_is_a_value_error(hostile):
    from axiom_sdk.testing import call_method
    r = get(hostile + "/deep-json")  # the request itself is fine
    with pytest.raises(AxiomError) as e:
        call_method(r, "json")
    assert (e.value.kind, e.value.message) == (
        "ValueError", f"response.json: the body of {hostile}/deep-json is JSON nested too deeply")
