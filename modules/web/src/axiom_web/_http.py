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

Imports httpx only when first used; must not import the core (`axiom`).
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import re
import threading
from typing import TYPE_CHECKING, Any

from axiom_sdk import AxiomError, require

if TYPE_CHECKING:
    import ssl

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
                client = _clients[loopback] = _without_cookies(httpx.Client(**_options(loopback)))
    return client


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
         timeout: float) -> httpx.Response:
    """Send one request and follow its redirects; network failures raise IOError."""
    import httpx
    timeout, by_run = _budget(timeout)
    target = httpx.URL(url)
    request = _client_for(target).build_request(method, target, headers=headers,
                                                content=content, timeout=timeout)
    hops = 0
    try:
        while True:
            response = _client_for(request.url).send(request)
            nxt = _next_request(response, hops)
            if nxt is None:
                return response
            response.close()
            request, hops = nxt, hops + 1
    except (httpx.HTTPError, _RedirectError) as e:
        raise io_error(name, url, e, timeout, request.url if hops else None, by_run) from None


def send_all(name: str, urls: list[str], headers: dict[bytes, bytes], timeout: float,
             concurrency: int) -> list[httpx.Response]:
    """GET every URL, at most `concurrency` at a time; responses in the order of `urls`.
    When some fail, the IOError names the first failing URL in that order."""
    timeout, by_run = _budget(timeout)
    work = _get_all(name, urls, headers, timeout, concurrency, by_run)
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
                   concurrency: int, by_run: bool) -> list[httpx.Response]:
    import httpx
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    gate = asyncio.Semaphore(concurrency)
    async with (_without_cookies(httpx.AsyncClient(limits=limits, **_options(True))) as direct,
                _without_cookies(httpx.AsyncClient(limits=limits, **_options(False))) as proxied):
        clients = {True: direct, False: proxied}

        async def get(url: str) -> httpx.Response:
            async with gate:
                target = httpx.URL(url)
                request = proxied.build_request("GET", target, headers=headers, timeout=timeout)
                hops = 0
                try:
                    while True:
                        response = await clients[is_loopback(request.url.host)].send(request)
                        nxt = _next_request(response, hops)
                        if nxt is None:
                            return response
                        await response.aclose()
                        request, hops = nxt, hops + 1
                except (httpx.HTTPError, _RedirectError) as e:
                    raise io_error(name, url, e, timeout, request.url if hops else None,
                                   by_run) from None

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
