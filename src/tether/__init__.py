"""tether: client-side network protocols for Python, written from the socket up.

The top level is also a drop-in for ``requests``: ``import tether as requests`` gives
``request``/``get``/``head``/``post``/``put``/``patch``/``delete``/``options``,
``Session`` (and ``session()``), ``Request``, ``PreparedRequest``, ``Response``,
``codes``, requests' top-level exceptions (``RequestException``, ``Timeout``,
``ConnectionError``, ``HTTPError``...) and the modules ``exceptions``, ``models``,
``sessions``, ``adapters``, ``auth``, ``cookies``, ``hooks``, ``structures``,
``status_codes``, ``utils``, ``compat``. :class:`AsyncSession` is the same API under
asyncio (``r = await s.get(url)``). The requests names load on first use, so
``import tether.smtp`` does not pay for HTTP.

``tether.Timeout`` is requests' exception (``except tether.Timeout`` catches connect and
read timeouts); the timeout *value* is :class:`TimeoutConfig`.

Safe defaults and other deliberate differences from requests
-------------------------------------------------------------
1. **Finite timeouts.** With no ``timeout=``, a request waits at most 10 s to connect
   and 30 s for each read (``Session.timeout``; requests waits forever). A number or
   ``(connect, read)`` keeps requests' per-wait meaning; ``None`` still means forever;
   ``TimeoutConfig(total=...)`` adds a deadline for the whole call (redirects and, with
   ``stream=True``, later body reads included).
2. **Decompression bombs.** A body decoded into memory (``.content``, ``.text``,
   ``.json()``, ``await r.aread()``) may not grow past 16 MiB *and* 100 times the bytes
   received; past that :class:`~tether.exceptions.DecompressionBombError` (a
   ``ContentDecodingError``) names the bound and ``Session.max_decompression_ratio``.
   Streaming with ``iter_content`` is bounded by the chunk size instead.
3. **Redirect bodies are not decoded** while following redirects (read raw up to 64 KiB,
   decoded only if ``history[i].content`` is asked for).
4. **Cookies passed with ``cookies=``** for one request are not sent to another origin
   after a redirect (requests sends them on). Session cookies and server-set cookies
   behave as in requests.
5. **Redirect ``Location``** is resolved with the WHATWG URL rules (as browsers do) rather
   than ``urllib.parse.urljoin``; the result is re-quoted as requests does.
6. **User-Agent** is ``python-tether/<version>``; ``Accept-Encoding`` also offers
   ``br`` and ``zstd`` (decoded natively).
7. **Errors** are requests' classes and also tether's: ``ConnectTimeout`` is
   ``tether.errors.ConnectTimeout``, ``SSLError`` is ``ssl.SSLError``, ``Timeout`` is the
   builtin ``TimeoutError``. A read timeout while streaming a body is
   ``BodyReadTimeout``, both requests' ``ConnectionError`` and ``ReadTimeout``.
   Messages are tether's (requests' embed urllib3's pool reprs).
8. **Retries.** ``HTTPAdapter(max_retries=...)`` works as in requests: an int, or a
   ``Retry`` (``tether.adapters.Retry``, urllib3 2.x's class re-implemented; a urllib3
   ``Retry`` object is read by its attributes) with ``status_forcelist``,
   ``allowed_methods``, backoff and ``Retry-After``; ``RetryError`` when statuses use it
   up. Differences: waits never run past ``TimeoutConfig(total=...)`` (the retries stop
   there); a generator body is never sent twice; an invalid ``Retry-After`` counts as
   absent; a failed certificate verification or a configured limit is not retried. An
   idempotent request is also retried once on a kept-alive connection the server closed.
9. **``Response.raw``** is tether's file-like body (``read(amt, decode_content=)``,
   ``stream()``, ``_original_response.msg``...), not a urllib3 object.

requests' own test suite runs against tether through an alias (tests/test_requests_suite.py);
its expected failures are listed there with the reason for each.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from tether._version import __version__ as __version__
from tether.errors import TetherError as TetherError
from tether.net import TimeoutConfig as TimeoutConfig

if TYPE_CHECKING:
    from tether import adapters as adapters
    from tether import api as api
    from tether import auth as auth
    from tether import compat as compat
    from tether import cookies as cookies
    from tether import exceptions as exceptions
    from tether import hooks as hooks
    from tether import models as models
    from tether import sessions as sessions
    from tether import status_codes as status_codes
    from tether import structures as structures
    from tether import utils as utils
    from tether.api import delete as delete
    from tether.api import get as get
    from tether.api import head as head
    from tether.api import options as options
    from tether.api import patch as patch
    from tether.api import post as post
    from tether.api import put as put
    from tether.api import request as request
    from tether.exceptions import ConnectionError as ConnectionError
    from tether.exceptions import ConnectTimeout as ConnectTimeout
    from tether.exceptions import FileModeWarning as FileModeWarning
    from tether.exceptions import HTTPError as HTTPError
    from tether.exceptions import JSONDecodeError as JSONDecodeError
    from tether.exceptions import ReadTimeout as ReadTimeout
    from tether.exceptions import RequestException as RequestException
    from tether.exceptions import Timeout as Timeout
    from tether.exceptions import TooManyRedirects as TooManyRedirects
    from tether.exceptions import URLRequired as URLRequired
    from tether.models import PreparedRequest as PreparedRequest
    from tether.models import Request as Request
    from tether.models import Response as Response
    from tether.sessions import AsyncSession as AsyncSession
    from tether.sessions import Session as Session
    from tether.sessions import session as session
    from tether.status_codes import codes as codes

_LAZY: dict[str, str] = {
    **dict.fromkeys(
        ["delete", "get", "head", "options", "patch", "post", "put", "request"], "tether.api"),
    **dict.fromkeys(["AsyncSession", "Session", "session"], "tether.sessions"),
    **dict.fromkeys(["PreparedRequest", "Request", "Response"], "tether.models"),
    "codes": "tether.status_codes",
    **dict.fromkeys(
        ["ConnectionError", "ConnectTimeout", "FileModeWarning", "HTTPError",
         "JSONDecodeError", "ReadTimeout", "RequestException", "Timeout",
         "TooManyRedirects", "URLRequired"], "tether.exceptions"),
}
_SUBMODULES = frozenset({"adapters", "api", "auth", "compat", "cookies", "exceptions", "hooks",
                         "models", "sessions", "status_codes", "structures", "utils"})

__all__ = ["TetherError", "TimeoutConfig", "__version__", *sorted(_LAZY)]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"tether.{name}")
    raise AttributeError(f"module 'tether' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, *_SUBMODULES})
