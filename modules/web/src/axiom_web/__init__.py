"""Axiom module `web`: HTTP requests on httpx and HTML parsing with CSS selectors (lexbor,
through selectolax).

    import web
    let r = web.http_get("https://example.com/data.json")
    out r.status          // 200
    out r.json()["name"]
    let doc = web.html_parse(web.http_get("https://example.com").body)
    for a in web.css_select(doc, "a[href]") { out a.attr("href") }

HTTP. Only `http` and `https` URLs are accepted (anything else is a ValueError). A
non-2xx status is a normal [response]; network failures, timeouts and unfollowable
redirects raise IOError naming the URL. Redirects are followed (at most 20), and `url`
is the final URL; each hop is checked against the `net` capability again. `timeout` is
in seconds and bounds the whole request: connecting, the headers, every redirect and the
body (a server that trickles its answer is cut off when the time is up); under `axiom
run --timeout` the run's deadline bounds it too. `max_bytes` (default 100,000,000) caps
the body, counted after decompression while it streams in: a larger body (or a gzip
bomb) raises IOError naming the URL and the limit. Requests to loopback addresses never go through a proxy; other hosts honour
HTTP_PROXY / HTTPS_PROXY / ALL_PROXY / NO_PROXY. No cookies are kept between requests.
The body is decoded with the response's charset (UTF-8 when it names none; undecodable
bytes become U+FFFD). See `_http.py` for the transport.

HTML. `html_parse` never fails: malformed HTML is repaired as browsers do. An
[element]'s `text` is its text content with its descendants' (entities decoded), `html`
its outer HTML, `tag` its lowercase tag name; `attr(name)` is the attribute's value,
`""` for an attribute written without a value (`<input disabled>`), nil when absent.
`css_select` on an element finds the matching elements *inside* it (the element itself
is never in the result), with the selector matched against the whole document, as the
DOM's `querySelectorAll` does.

httpx and selectolax are imported on first use, so `import web` stays cheap.
"""

from __future__ import annotations

import json as _json
import math
import re
from typing import Any

from axiom_sdk import Module, typeof

from . import _http

module = Module("web", summary="Web: HTTP requests on httpx and HTML parsing with CSS selectors",
                title="Web")


# --- foreign types ----------------------------------------------------------------------

def _show_response(r: Response) -> str:
    return f"<response {r.status} {r.url}>"


@module.foreign_type("response", attrs=["status", "body", "headers", "url"], methods=["json"],
                     display=_show_response)
class Response:
    """An HTTP response: `status` (int), `body` (str), `headers` (dict, lowercase keys;
    repeated headers joined with ", "), `url` (the final URL, after redirects)."""

    __slots__ = ("status", "body", "_headers", "url")

    def __init__(self, status: int, body: str, headers: dict[str, str], url: str) -> None:
        self.status = status
        self.body = body
        self._headers = headers
        self.url = url

    @property
    def headers(self) -> dict[str, str]:
        return dict(self._headers)  # a copy: a script's changes never reach the response

    def json(self) -> Any:
        """The body parsed as JSON."""
        try:
            return _json.loads(self.body)
        except _json.JSONDecodeError as e:
            raise module.error("ValueError", f"response.json: the body of {self.url} is not "
                               f"valid JSON ({e.msg} at line {e.lineno} column {e.colno})") from None
        except RecursionError:
            raise module.error("ValueError", f"response.json: the body of {self.url} is JSON "
                                             "nested too deeply") from None


@module.foreign_type("html", display=lambda doc: "<html document>")
class Html:
    """A parsed HTML document (a selectolax LexborHTMLParser)."""

    __slots__ = ("tree",)

    def __init__(self, tree: Any) -> None:
        self.tree = tree


def _show_element(el: Element) -> str:
    return f"<element {el.tag}>"


@module.foreign_type("element", attrs=["text", "html", "tag"], methods=["attr"],
                     display=_show_element)
class Element:
    """An element of a parsed document (a selectolax LexborNode; it keeps its document
    alive)."""

    __slots__ = ("node",)

    def __init__(self, node: Any) -> None:
        self.node = node

    @property
    def text(self) -> str:
        return self.node.text(deep=True) or ""

    @property
    def html(self) -> str:
        return self.node.html or ""

    @property
    def tag(self) -> str:
        return (self.node.tag or "").lower()

    def attr(self, name: str) -> str | None:
        """The value of attribute `name`: "" when written without a value, nil when absent."""
        attrs = self.node.attributes
        if name not in attrs:
            name = name.lower()  # HTML attribute names ignore case (the parser lowercases)
            if name not in attrs:
                return None
        value = attrs[name]
        return "" if value is None else value


# --- argument checks --------------------------------------------------------------------

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def _check_url(name: str, url: str) -> None:
    import httpx
    try:
        u = httpx.URL(url)
    except httpx.InvalidURL as e:
        raise module.error("ValueError", f"{name}: {url}: invalid URL ({e})") from None
    if u.scheme not in ("http", "https"):
        raise module.error("ValueError", f"{name}: {url}: only http and https URLs are supported")
    if not u.host:
        raise module.error("ValueError", f"{name}: {url}: the URL has no host")
    if u.port is not None and not 0 < u.port < 65536:
        raise module.error("ValueError", f"{name}: {url}: port {u.port} is out of range")


def _check_headers(name: str, headers: dict[Any, Any]) -> dict[bytes, bytes]:
    """Header names must be HTTP tokens and values str without line breaks; values are
    sent as UTF-8."""
    out: dict[bytes, bytes] = {}
    for k, v in headers.items():
        if type(k) is not str:
            raise module.error("TypeError", f"{name}: header names must be str, got {typeof(k)}")
        if type(v) is not str:
            raise module.error("TypeError", f"{name}: header '{k}' must be a str, got {typeof(v)}")
        if not _TOKEN.fullmatch(k):
            raise module.error("ValueError", f"{name}: invalid header name {_json.dumps(k)}")
        if "\r" in v or "\n" in v or "\0" in v:
            raise module.error("ValueError", f"{name}: header '{k}' contains a line break or NUL")
        out[k.encode("ascii")] = v.encode("utf-8")
    return out


def _check_timeout(name: str, timeout: float) -> float:
    if not (timeout > 0 and math.isfinite(timeout)):
        raise module.error("ValueError", f"{name}: timeout must be a positive number of seconds, "
                           f"got {timeout!r}")
    return timeout


MAX_BYTES = 100_000_000  # the default cap of a response body (decoded), in bytes


def _check_max_bytes(name: str, max_bytes: int) -> int:
    if max_bytes < 1:
        raise module.error("ValueError", f"{name}: max_bytes must be at least 1, got {max_bytes}")
    return max_bytes


def _response(r: _http.Result) -> Response:
    return Response(*r)


# --- HTTP -------------------------------------------------------------------------------

@module.export(needs=["net:url"])
def http_get(url: str, headers: dict = {}, timeout: float = 30,  # noqa: B006
             max_bytes: int = MAX_BYTES) -> Response:
    """GET `url` and return its [response].

    Redirects are followed (`url` of the result is the final URL); a non-2xx status is a
    normal response; a network failure, the timeout (seconds, for the whole request) or a
    body larger than max_bytes is an IOError."""
    name = "web.http_get"
    _check_url(name, url)
    sent = _check_headers(name, headers)
    return _response(_http.send(name, "GET", url, sent, None, _check_timeout(name, timeout),
                                _check_max_bytes(name, max_bytes)))


@module.export(needs=["net:url"])
def http_post(url: str, body: str | None = None, json: Any = None, headers: dict = {},  # noqa: B006
              timeout: float = 30, max_bytes: int = MAX_BYTES) -> Response:
    """POST `body` or `json` to `url` and return its [response].

    `body` is a str sent as UTF-8 (Content-Type text/plain unless `headers` gives one);
    `json` is any value, sent as JSON (Content-Type application/json). Give one or none."""
    name = "web.http_post"
    _check_url(name, url)
    sent = _check_headers(name, headers)
    timeout = _check_timeout(name, timeout)
    max_bytes = _check_max_bytes(name, max_bytes)
    content: bytes | None = None
    typed = any(k.lower() == b"content-type" for k in sent)
    if body is not None and json is not None:
        raise module.error("ValueError", f"{name}: give either body or json, not both")
    if body is not None:
        content = body.encode("utf-8")
        if not typed:
            sent[b"content-type"] = b"text/plain; charset=utf-8"
    elif json is not None:
        try:
            content = _json.dumps(json, ensure_ascii=False, allow_nan=False,
                                  separators=(",", ":")).encode("utf-8")
        except (TypeError, ValueError) as e:
            raise module.error("ValueError", f"{name}: json cannot be encoded as JSON "
                               f"({_json_problem(e)})") from None
        except RecursionError:
            raise module.error("ValueError", f"{name}: json is nested too deeply") from None
        if not typed:
            sent[b"content-type"] = b"application/json"
    return _response(_http.send(name, "POST", url, sent, content, timeout, max_bytes))


def _json_problem(e: Exception) -> str:
    text = str(e)
    m = re.match(r"Object of type (\w+) is not JSON serializable", text)
    if m:
        kind = {"Set": "set", "Response": "response", "Html": "html", "Element": "element"}
        return f"a {kind.get(m.group(1), m.group(1).lower())} has no JSON form"
    if "Out of range float" in text:
        return "nan and inf have no JSON form"
    if text.startswith("keys must be"):
        return "dict keys must be str, int, float, bool or nil"
    return text


@module.export(needs=["net:urls"])
def http_get_all(urls: list, concurrency: int = 8, headers: dict = {},  # noqa: B006
                 timeout: float = 30, max_bytes: int = MAX_BYTES) -> list:
    """GET every URL in `urls` concurrently; a list of [response] in the order of `urls`.

    At most `concurrency` requests are in flight at once. If any request fails, the
    IOError names the first failing URL in list order."""
    name = "web.http_get_all"
    for i, url in enumerate(urls):
        if type(url) is not str:
            raise module.error("TypeError", f"{name}: urls[{i}] must be a str, got {typeof(url)}")
        _check_url(name, url)
    if concurrency < 1:
        raise module.error("ValueError", f"{name}: concurrency must be at least 1, got {concurrency}")
    sent = _check_headers(name, headers)
    timeout = _check_timeout(name, timeout)
    max_bytes = _check_max_bytes(name, max_bytes)
    if not urls:
        return []
    concurrency = min(concurrency, len(urls))
    return [_response(r) for r in _http.send_all(name, list(urls), sent, timeout, concurrency,
                                                 max_bytes)]


# --- HTML -------------------------------------------------------------------------------

@module.export
def html_parse(text: str) -> Html:
    """Parse HTML text into an [html] document.

    Malformed HTML is repaired as browsers do; parsing never fails."""
    from selectolax.lexbor import LexborHTMLParser
    return Html(LexborHTMLParser(text))


@module.export
def css_select(doc_or_element: Html | Element, selector: str) -> list:
    """The [element]s matching a CSS selector, in document order.

    Searches a whole [html] document, or inside an [element] (the element itself is not
    in the result). An invalid selector is a ValueError."""
    from selectolax.lexbor import SelectolaxError
    root = doc_or_element.tree if isinstance(doc_or_element, Html) else doc_or_element.node
    try:
        nodes = root.css(selector)
    except SelectolaxError:
        raise module.error("ValueError", f"web.css_select: invalid CSS selector "
                           f"{_json.dumps(selector, ensure_ascii=False)}") from None
    if isinstance(doc_or_element, Element):
        return [Element(n) for n in nodes if n != root]
    return [Element(n) for n in nodes]
