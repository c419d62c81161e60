"""Reading http/https URLs for modules that accept a path or a URL (csv, jsn, dfm): the
`net` check, loopback never through a proxy, and failures worded as one IOError."""

from __future__ import annotations

from ._module import require
from .errors import AxiomError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def is_url(path: str) -> bool:
    """Whether `path` is an http/https URL rather than a file path."""
    return path.startswith(("http://", "https://"))


def open_url(url: str, where: str, timeout: float = 30) -> Any:
    """The response to GET `url` (a binary file object; close it), after checking the
    `net` capability. Any failure is IOError `WHERE: URL: reason` ("HTTP status 404",
    "connection refused", ...)."""
    require("net", url)
    import urllib.error
    import urllib.parse
    import urllib.request
    host = urllib.parse.urlsplit(url).hostname or ""
    direct = host == "localhost" or host.startswith("127.") or host == "::1"
    handlers = [urllib.request.ProxyHandler({})] if direct else []
    try:
        return urllib.request.build_opener(*handlers).open(url, timeout=timeout)
    except urllib.error.HTTPError as e:
        raise AxiomError("IOError", f"{where}: {url}: HTTP status {e.code}") from None
    except (OSError, ValueError) as e:
        reason: Any = getattr(e, "reason", None) or e
        if isinstance(reason, OSError) and reason.strerror:
            reason = reason.strerror[:1].lower() + reason.strerror[1:]  # "connection refused"
        raise AxiomError("IOError", f"{where}: {url}: {reason}") from None
