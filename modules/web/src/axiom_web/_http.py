"""HTTP for `web`: the lazily built httpx clients, the redirect loop with its capability
checks, and the wording of network errors.

Routing. Requests to a loopback host (`localhost`, `*.localhost`, 127.0.0.0/8, ::1) go
through a client built with `trust_env=False`, so no proxy from HTTP_PROXY / ALL_PROXY
ever sees them; every other host uses a client with `trust_env=True` (proxies, NO_PROXY,
SSL_CERT_FILE honoured). Both share one SSL context, the costly part of building a
client (~30 ms), so each is built once, on its first request, and kept for the process.
`http_get_all` builds a pair of AsyncClients per call on the same context (cheap).

Redirects are followed here rather than by httpx: each hop's target must be http or
https and passes `axiom_sdk.require("net", url)` before it is contacted (a grant for one
host does not cover a redirect to another), and each hop picks its own client (a
redirect from a public host to 127.0.0.1 still bypasses the proxy). At most
MAX_REDIRECTS hops; the final response's URL is the one reported.

No cookies are kept: a module-wide client must not carry one script's session into
another request, so the cookie jars refuse every cookie.

Hostile servers. `timeout` bounds the whole request — connecting, sending, the headers,
every redirect hop and the body — not each read: the sync clients' connections go
through `_deadline_backend`, which gives every socket operation at most the time left
before the request's deadline (a server trickling one byte a second, in its headers or
its body, is cut off when the time is up), and `http_get_all` bounds each request with
asyncio.wait_for. The body is streamed and counted as it is decoded (after gzip or
deflate): past `max_bytes` the request stops with an IOError, so a huge body or a
compression bomb never reaches memory whole.

Imports httpx only when first used; must not import the core (`axiom`).
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import re
import threading
import time
from typing import TYPE_CHECKING, Any

from axiom_sdk import AxiomError, memory_check, require

if TYPE_CHECKING:
    import ssl
    from collections.abc import Iterator

    import httpx

MAX_REDIRECTS = 20
USER_AGENT = "axiom-web/0.1"

_lock = threading.Lock()
_ssl_context: ssl.SSLContext | None = None
_clients: dict[bool, httpx.Client] = {}  # is the host loopback? -> its client


class _RedirectError(Exception):
    """A redirect that cannot be followed; `request` is the hop that led to it."""

    def __init__(self, reason: str, request: httpx.Request) -> None:
        super().__init__(reason)
        self.request = request


def is_loopback(host: str) -> bool:
    """Whether `host` (as httpx normalises it: lowercase, IPv6 without brackets) names
    this machine's loopback interface."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    return ip.is_loopback or (mapped is not None and mapped.is_loopback)


def _options(loopback: bool) -> dict[str, Any]:
    global _ssl_context
    import httpx
    if _ssl_context is None:
        _ssl_context = httpx.create_ssl_context()
    return {"verify": _ssl_context, "trust_env": not loopback, "follow_redirects": False,
            "headers": {"user-agent": USER_AGENT}}


def _without_cookies(client: Any) -> Any:
    from http.cookiejar import DefaultCookiePolicy
    client.cookies.jar.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    return client


def _client_for(url: httpx.URL) -> httpx.Client:
    loopback = is_loopback(url.host)
    client = _clients.get(loopback)
    if client is None:
        with _lock:
            client = _clients.get(loopback)
            if client is None:
                import httpx
                client = _without_cookies(httpx.Client(**_options(loopback)))
                _bound_by_deadline(client)
                _clients[loopback] = client
    return client


# The deadline (time.monotonic()) of the request this thread is sending, or none.
_request = threading.local()


def _time_left(timeout: float | None, expired: type[Exception]) -> float | None:
    """`timeout`, or less: what is left before this thread's request deadline; raises
    `expired` (an httpcore timeout, which httpx words as its own) once it has passed."""
    end = getattr(_request, "deadline", None)
    if end is None:
        return timeout
    left = end - time.monotonic()
    if left <= 0:
        raise expired("the request took longer than its timeout")
    return left if timeout is None else min(timeout, left)


def _bound_by_deadline(client: httpx.Client) -> None:
    """Make every connection `client` opens (directly or through a proxy) keep to the
    request's deadline. httpx takes no network backend, so it is set on the httpcore
    pools its transports hold (httpx 0.28: `HTTPTransport._pool`)."""
    for transport in [client._transport, *client._mounts.values()]:
        pool = getattr(transport, "_pool", None)
        if pool is not None and hasattr(pool, "_network_backend"):
            pool._network_backend = _deadline_backend(pool._network_backend)


def _deadline_classes() -> tuple[type, type]:
    """The backend and stream classes (built on first use: they subclass httpcore's)."""
    import httpcore

    class Stream(httpcore.NetworkStream):
        def __init__(self, inner: Any) -> None:
            self._inner = inner

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            return self._inner.read(max_bytes, _time_left(timeout, httpcore.ReadTimeout))  # type: ignore[no-any-return]

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            self._inner.write(buffer, _time_left(timeout, httpcore.WriteTimeout))

        def close(self) -> None:
            self._inner.close()

        def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                      timeout: float | None = None) -> Any:
            return Stream(self._inner.start_tls(ssl_context, server_hostname,
                                                _time_left(timeout, httpcore.ConnectTimeout)))

        def get_extra_info(self, info: str) -> Any:
            return self._inner.get_extra_info(info)

    class Backend(httpcore.NetworkBackend):
        def __init__(self, inner: Any) -> None:
            self._inner = inner

        def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                        local_address: str | None = None, socket_options: Any = None) -> Any:
            left = _time_left(timeout, httpcore.ConnectTimeout)
            return Stream(self._inner.connect_tcp(host, port, left, local_address, socket_options))

        def connect_unix_socket(self, path: str, timeout: float | None = None,
                                socket_options: Any = None) -> Any:
            left = _time_left(timeout, httpcore.ConnectTimeout)
            return Stream(self._inner.connect_unix_socket(path, left, socket_options))

        def sleep(self, seconds: float) -> None:
            self._inner.sleep(seconds)

    return Backend, Stream


_classes: tuple[type, type] | None = None


def _deadline_backend(inner: Any) -> Any:
    """httpcore's network backend `inner`, with every operation kept to the deadline."""
    global _classes
    if _classes is None:
        _classes = _deadline_classes()
    return _classes[0](inner)


class BodyTooLarge(Exception):
    """The decoded body passed max_bytes."""


def _text(response: httpx.Response, body: bytes) -> str:
    """The body decoded with the response's charset (UTF-8 when it names none or an
    unknown one); undecodable bytes become U+FFFD, as httpx's `text` does."""
    return body.decode(response.encoding or "utf-8", errors="replace")


def _collect(chunks: list[bytes], chunk: bytes, total: int, max_bytes: int, name: str) -> int:
    total += len(chunk)
    if total > max_bytes:
        raise BodyTooLarge()
    memory_check(total, name)
    chunks.append(chunk)
    return total


INFLATE_STEP = 1 << 20  # bytes inflated at a time: a bomb is counted before it grows


class _Inflater:
    """gzip or deflate decoding whose output comes a bounded step at a time (httpx's own
    decoders inflate a whole network read at once: 64 KB of a bomb is 64 MB)."""

    def __init__(self, gzip: bool, request: httpx.Request) -> None:
        import zlib
        self.zlib = zlib
        self.gzip = gzip
        self.request = request
        self.d = zlib.decompressobj(zlib.MAX_WBITS | 16 if gzip else zlib.MAX_WBITS)
        self.first = True

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data:
            try:
                out = self.d.decompress(data, INFLATE_STEP)
            except self.zlib.error as e:
                if self.first and not self.gzip:  # a raw deflate stream, without zlib's header
                    self.d = self.zlib.decompressobj(-self.zlib.MAX_WBITS)
                    self.first = False
                    continue
                import httpx
                raise httpx.DecodingError(f"the body is not valid {'gzip' if self.gzip else 'deflate'} "
                                          f"data ({e})", request=self.request) from None
            self.first = False
            if out:
                yield out
            data = self.d.unconsumed_tail

    def end(self) -> Iterator[bytes]:
        out = self.d.flush()
        if out:
            yield out


def _inflater(response: httpx.Response) -> _Inflater | None:
    """An _Inflater for a gzip or deflate body; None for any other (httpx decodes it)."""
    coding = [c.strip().lower() for c in response.headers.get("content-encoding", "").split(",")
              if c.strip()]
    if coding in (["gzip"], ["x-gzip"], ["deflate"]):
        return _Inflater(coding[0] != "deflate", response.request)
    return None


def _read_body(response: httpx.Response, max_bytes: int, name: str) -> str:
    chunks: list[bytes] = []
    total = 0
    inflate = _inflater(response)
    if inflate is None:
        for chunk in response.iter_bytes():
            total = _collect(chunks, chunk, total, max_bytes, name)
    else:
        for raw in response.iter_raw():
            for chunk in inflate.feed(raw):
                total = _collect(chunks, chunk, total, max_bytes, name)
        for chunk in inflate.end():
            total = _collect(chunks, chunk, total, max_bytes, name)
    return _text(response, b"".join(chunks))


async def _aread_body(response: httpx.Response, max_bytes: int, name: str) -> str:
    chunks: list[bytes] = []
    total = 0
    inflate = _inflater(response)
    if inflate is None:
        async for chunk in response.aiter_bytes():
            total = _collect(chunks, chunk, total, max_bytes, name)
    else:
        async for raw in response.aiter_raw():
            for chunk in inflate.feed(raw):
                total = _collect(chunks, chunk, total, max_bytes, name)
        for chunk in inflate.end():
            total = _collect(chunks, chunk, total, max_bytes, name)
    return _text(response, b"".join(chunks))


# (status, body text, headers, final URL) of a response read whole
Result = tuple[int, str, dict[str, str], str]


def _result(response: httpx.Response, text: str) -> Result:
    return response.status_code, text, dict(response.headers.items()), str(response.url)


def close_clients() -> None:
    """Close and forget the module-wide clients (the next request builds new ones, which
    read the proxy settings of the environment again)."""
    with _lock:
        for client in _clients.values():
            client.close()
        _clients.clear()


def _next_request(response: httpx.Response, hops: int) -> httpx.Request | None:
    """The request a redirect leads to, checked, or None when `response` is final."""
    nxt = response.next_request
    if nxt is None:
        return None
    if hops >= MAX_REDIRECTS:
        raise _RedirectError(f"too many redirects (more than {MAX_REDIRECTS})", response.request)
    if nxt.url.scheme not in ("http", "https"):
        raise _RedirectError(f"redirected to {nxt.url}, which is not an http or https URL",
                             response.request)
    require("net", str(nxt.url))
    return nxt


def _budget(timeout: float) -> tuple[float, bool]:
    """The timeout to wait with: `timeout`, or less when the run's own time limit
    (`axiom run --timeout`) ends sooner; and whether that limit is the one that binds.
    `axiom_sdk.time_left` is looked up softly: SDKs without it have no run deadline."""
    import axiom_sdk
    time_left = getattr(axiom_sdk, "time_left", None)
    left = time_left() if time_left is not None else None
    if left is None or left >= timeout:
        return timeout, False
    return max(left, 0.001), True


def send(name: str, method: str, url: str, headers: dict[bytes, bytes], content: bytes | None,
         timeout: float, max_bytes: int) -> Result:
    """Send one request, follow its redirects and read the body, all within `timeout`
    seconds; network failures, the timeout and a body over `max_bytes` raise IOError."""
    import httpx
    timeout, by_run = _budget(timeout)
    target = httpx.URL(url)
    request = _client_for(target).build_request(method, target, headers=headers,
                                                content=content, timeout=timeout)
    hops = 0
    _request.deadline = time.monotonic() + timeout
    try:
        while True:
            response = _client_for(request.url).send(request, stream=True)
            try:
                nxt = _next_request(response, hops)
                if nxt is None:
                    return _result(response, _read_body(response, max_bytes, name))
            finally:
                response.close()
            request, hops = nxt, hops + 1
    except (httpx.HTTPError, _RedirectError) as e:
        raise io_error(name, url, e, timeout, request.url if hops else None, by_run) from None
    except BodyTooLarge:
        raise too_large(name, url, max_bytes) from None
    finally:
        _request.deadline = None


def too_large(name: str, url: str, max_bytes: int) -> AxiomError:
    return AxiomError("IOError", f"{name}: {url}: the response body is larger than "
                                 f"{max_bytes} bytes (max_bytes)")


def send_all(name: str, urls: list[str], headers: dict[bytes, bytes], timeout: float,
             concurrency: int, max_bytes: int) -> list[Result]:
    """GET every URL, at most `concurrency` at a time, each within `timeout` seconds;
    responses in the order of `urls`. When some fail, the IOError names the first
    failing URL in that order."""
    timeout, by_run = _budget(timeout)
    work = _get_all(name, urls, headers, timeout, concurrency, by_run, max_bytes)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    # An event loop already runs in this thread (an embedding host): gather in a worker
    # thread, in a copy of this context so capability checks still apply.
    import contextvars
    from concurrent.futures import ThreadPoolExecutor
    ctx = contextvars.copy_context()
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(ctx.run, asyncio.run, work).result()


async def _get_all(name: str, urls: list[str], headers: dict[bytes, bytes], timeout: float,
                   concurrency: int, by_run: bool, max_bytes: int) -> list[Result]:
    import httpx
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    gate = asyncio.Semaphore(concurrency)
    async with (_without_cookies(httpx.AsyncClient(limits=limits, **_options(True))) as direct,
                _without_cookies(httpx.AsyncClient(limits=limits, **_options(False))) as proxied):
        clients = {True: direct, False: proxied}

        async def get(url: str) -> Result:
            async with gate:
                target = httpx.URL(url)
                request = proxied.build_request("GET", target, headers=headers, timeout=timeout)
                hops = 0

                async def fetch() -> Result:
                    nonlocal request, hops
                    while True:
                        client = clients[is_loopback(request.url.host)]
                        response = await client.send(request, stream=True)
                        try:
                            nxt = _next_request(response, hops)
                            if nxt is None:
                                return _result(response, await _aread_body(response, max_bytes, name))
                        finally:
                            await response.aclose()
                        request, hops = nxt, hops + 1
                try:
                    return await asyncio.wait_for(fetch(), timeout)
                except TimeoutError:
                    raise io_error(name, url, httpx.TimeoutException("the request took longer "
                                                                     "than its timeout"),
                                   timeout, request.url if hops else None, by_run) from None
                except (httpx.HTTPError, _RedirectError) as e:
                    raise io_error(name, url, e, timeout, request.url if hops else None,
                                   by_run) from None
                except BodyTooLarge:
                    raise too_large(name, url, max_bytes) from None

        results = await asyncio.gather(*(get(u) for u in urls), return_exceptions=True)
    for r in results:
        if isinstance(r, BaseException):
            raise r
    return results  # type: ignore[return-value]


def io_error(name: str, url: str, e: Exception, timeout: float, hop: Any,
             by_run: bool = False) -> AxiomError:
    """The IOError for a failed request to `url`: `web.http_get: URL: reason`, naming the
    redirect hop that failed when it is not `url` itself. A timeout set by the run's own
    time limit (`by_run`) is LimitExceeded instead."""
    import httpx
    if isinstance(e, httpx.TimeoutException) and by_run:
        return AxiomError("LimitExceeded", f"{name}: {url}: the run's time limit (--timeout) "
                                           "ended while waiting for the response")
    if isinstance(e, httpx.TimeoutException):
        reason = f"timed out after {timeout:g} s"
    elif isinstance(e, httpx.ConnectError):
        reason = f"cannot connect ({_detail(e)})"
    else:
        reason = _detail(e)
    if hop is not None and not isinstance(e, _RedirectError):
        reason += f" (at {hop}, after a redirect)"
    return AxiomError("IOError", f"{name}: {url}: {reason}")


def _detail(e: Exception) -> str:
    """The exception's own words without errno noise; its class name in words when it
    has none (httpx's async errors often have an empty message). The system's reason
    (`connection refused`) is preferred when the chain of causes holds one: the async
    transport words a refused connection as "All connection attempts failed"."""
    text = ""
    cause: BaseException | None = e
    for _ in range(10):  # a chain of causes is short; a cycle must not hang
        if cause is None:
            break
        if isinstance(cause, OSError) and cause.strerror:
            no = cause.errno
            text = os.strerror(no) if isinstance(no, int) and no > 0 else cause.strerror
        cause = cause.__cause__ or cause.__context__
    text = text or re.sub(r"^\[Errno -?\d+\] ", "", str(e)).strip()
    if not text:
        text = re.sub(r"(?<!^)(?=[A-Z])", " ", type(e).__name__).lower()
    elif len(text) > 1 and text[0].isupper() and text[1].islower():
        text = text[0].lower() + text[1:]
    return text
