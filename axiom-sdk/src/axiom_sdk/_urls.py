"""Reading http/https URLs for modules that accept a path or a URL (csv, jsn, dfm): the
`net` check (again at every redirect), loopback never through a proxy, a wait bounded by
the run's time limit, and failures worded as one IOError."""

from __future__ import annotations

from ._module import bounded_wait, require
from .errors import AxiomError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def is_url(path: str) -> bool:
    """Whether `path` is an http/https URL rather than a file path."""
    return path.startswith(("http://", "https://"))


def open_url(url: str, where: str, timeout: float = 30) -> Any:
    """The response to GET `url` (a binary file object; close it), after checking the
    `net` capability. A redirect is followed only to another http/https URL, whose host
    is checked again. Any failure is IOError `WHERE: URL: reason` ("HTTP status 404",
    "connection refused", ...); the run's time limit ending the wait is LimitExceeded."""
    require("net", url)
    import urllib.error
    import urllib.parse
    import urllib.request

    class Redirects(urllib.request.HTTPRedirectHandler):
        def http_error_302(self, req: Any, fp: Any, code: int, msg: str, headers: Any) -> Any:
            target = headers.get("location") or headers.get("uri")
            if target:
                newurl = urllib.parse.urljoin(req.full_url, target)
                if not is_url(newurl):
                    raise AxiomError("IOError", f"{where}: {url}: redirected to {newurl}, which "
                                                "is not an http or https URL")
                require("net", newurl)  # a grant for one host does not cover another
            return super().http_error_302(req, fp, code, msg, headers)

        http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    host = urllib.parse.urlsplit(url).hostname or ""
    direct = host == "localhost" or host.startswith("127.") or host == "::1"
    handlers: list[Any] = [Redirects()]
    if direct:
        handlers.append(urllib.request.ProxyHandler({}))
    opener = urllib.request.build_opener(*handlers)

    def attempt(t: float | None) -> Any:
        try:
            return opener.open(url, timeout=t)
        except TimeoutError:  # socket.timeout is TimeoutError
            return None
        except urllib.error.URLError as e:
            if isinstance(e.reason, TimeoutError):
                return None
            raise
    try:
        resp = bounded_wait(attempt, timeout, where=f"{where}: {url}")
    except urllib.error.HTTPError as e:
        raise AxiomError("IOError", f"{where}: {url}: HTTP status {e.code}") from None
    except (OSError, ValueError) as e:
        reason: Any = getattr(e, "reason", None) or e
        if isinstance(reason, OSError) and reason.strerror:
            reason = reason.strerror[:1].lower() + reason.strerror[1:]  # "connection refused"
        raise AxiomError("IOError", f"{where}: {url}: {reason}") from None
    if resp is None:
        raise AxiomError("IOError", f"{where}: {url}: timed out after {timeout:g} s")
    return resp
