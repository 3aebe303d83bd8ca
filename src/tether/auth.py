"""Authentication for the requests API: Basic (RFC 7617), Digest (RFC 7616), proxy Basic.

An auth object is called with the :class:`~tether.models.PreparedRequest` and returns it
with credentials added (``AuthBase.__call__``), exactly as in requests, so custom auth
classes written for requests work unchanged.

Challenge-response schemes also define ``auth_flow(request)``: a generator that yields
the request to send, receives the response, and may yield a further request (the answer
to a challenge). The session runs that generator in both colours (sync and asyncio);
:class:`HTTPDigestAuth` uses it, with ``qop=auth`` and the MD5, MD5-sess, SHA,
SHA-256 and SHA-512 algorithms.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
import warnings
from base64 import b64encode
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from tether.cookies import extract_cookies_to_jar
from tether.http._headerutil import parse_dict_header

if TYPE_CHECKING:
    from tether.models import PreparedRequest, Response

__all__ = ["AuthBase", "HTTPBasicAuth", "HTTPDigestAuth", "HTTPProxyAuth"]

CONTENT_TYPE_FORM_URLENCODED = "application/x-www-form-urlencoded"
CONTENT_TYPE_MULTI_PART = "multipart/form-data"

#: A flow: yields requests to send, receives each one's response.
AuthFlow = Generator["PreparedRequest", "Response", None]


def _basic_auth_str(username: Any, password: Any) -> str:
    """The ``Authorization`` value for HTTP Basic (latin-1 for ``str`` credentials)."""
    if not isinstance(username, (str, bytes)):
        warnings.warn(
            "Non-string usernames will no longer be supported in Requests 3.0.0. Please "
            f"convert the object you've passed in ({username!r}) to a string or bytes "
            "object in the near future to avoid problems.",
            category=DeprecationWarning,
            stacklevel=2,
        )
        username = str(username)
    if not isinstance(password, (str, bytes)):
        warnings.warn(
            "Non-string passwords will no longer be supported in Requests 3.0.0. Please "
            f"convert the object you've passed in ({type(password)!r}) to a string or bytes "
            "object in the near future to avoid problems.",
            category=DeprecationWarning,
            stacklevel=2,
        )
        password = str(password)
    if isinstance(username, str):
        username = username.encode("latin1")
    if isinstance(password, str):
        password = password.encode("latin1")
    token = b64encode(b":".join((username, password))).strip().decode("ascii")
    return "Basic " + token


class AuthBase:
    """Base class that all auth implementations derive from."""

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        raise NotImplementedError("Auth hooks must be callable.")


class HTTPBasicAuth(AuthBase):
    """Attaches HTTP Basic Authentication to the given Request object."""

    def __init__(self, username: Any, password: Any) -> None:
        self.username = username
        self.password = password

    def __eq__(self, other: object) -> bool:
        return all([
            self.username == getattr(other, "username", None),
            self.password == getattr(other, "password", None),
        ])

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        r.headers["Authorization"] = _basic_auth_str(self.username, self.password)
        return r


class HTTPProxyAuth(HTTPBasicAuth):
    """Attaches HTTP Proxy Authentication to a given Request object."""

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        r.headers["Proxy-Authorization"] = _basic_auth_str(self.username, self.password)
        return r


def _hasher(algorithm: str) -> Callable[[str], str] | None:
    names = {"MD5": "md5", "MD5-SESS": "md5", "SHA": "sha1", "SHA-256": "sha256",
             "SHA-512": "sha512"}
    name = names.get(algorithm)
    if name is None:
        return None

    def digest(text: str) -> str:
        return hashlib.new(name, text.encode("utf-8")).hexdigest()

    return digest


_DIGEST_PREFIX = re.compile(r"digest ", flags=re.IGNORECASE)


class HTTPDigestAuth(AuthBase):
    """Attaches HTTP Digest Authentication to the given Request object.

    The first request goes without credentials; on a 4xx response with a
    ``WWW-Authenticate: Digest`` challenge, the request is sent once more with the
    answer. The last nonce is remembered per thread, so later requests answer at once
    (with an increasing nonce count).
    """

    def __init__(self, username: str, password: str) -> None:
        self.username = username
        self.password = password
        self._thread_local = threading.local()

    def init_per_thread_state(self) -> None:
        if not hasattr(self._thread_local, "init"):
            self._thread_local.init = True
            self._thread_local.last_nonce = ""
            self._thread_local.nonce_count = 0
            self._thread_local.chal = {}
            self._thread_local.pos = None
            self._thread_local.num_401_calls = None

    def build_digest_header(self, method: str, url: str) -> str | None:
        """The ``Authorization`` value answering the stored challenge (RFC 7616 §3.4),
        or ``None`` for an algorithm or qop tether does not speak."""
        state = self._thread_local
        realm = state.chal["realm"]
        nonce = state.chal["nonce"]
        qop = state.chal.get("qop")
        algorithm = state.chal.get("algorithm")
        opaque = state.chal.get("opaque")
        name = "MD5" if algorithm is None else algorithm.upper()
        hash_hex = _hasher(name)
        if hash_hex is None:
            return None
        parsed = urlparse(url)
        path = parsed.path or "/"
        if parsed.query:
            path += f"?{parsed.query}"
        ha1 = hash_hex(f"{self.username}:{realm}:{self.password}")
        ha2 = hash_hex(f"{method}:{path}")
        if nonce == state.last_nonce:
            state.nonce_count += 1
        else:
            state.nonce_count = 1
        nc = f"{state.nonce_count:08x}"
        seed = (str(state.nonce_count).encode("utf-8") + nonce.encode("utf-8")
                + time.ctime().encode("utf-8") + os.urandom(8))
        cnonce = hashlib.sha1(seed).hexdigest()[:16]
        if name == "MD5-SESS":
            ha1 = hash_hex(f"{ha1}:{nonce}:{cnonce}")
        if not qop:
            response = hash_hex(f"{ha1}:{nonce}:{ha2}")
        elif qop == "auth" or "auth" in qop.split(","):
            response = hash_hex(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
        else:
            return None  # auth-int is not supported
        state.last_nonce = nonce
        value = (f'username="{self.username}", realm="{realm}", nonce="{nonce}", '
                 f'uri="{path}", response="{response}"')
        if opaque:
            value += f', opaque="{opaque}"'
        if algorithm:
            value += f', algorithm="{algorithm}"'
        if qop:
            value += f', qop="auth", nc={nc}, cnonce="{cnonce}"'
        return f"Digest {value}"

    def handle_redirect(self, r: Response, **kwargs: Any) -> None:
        """Reset the challenge counter on a redirect."""
        if r.is_redirect:
            self._thread_local.num_401_calls = 1

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        self.init_per_thread_state()
        if self._thread_local.last_nonce:
            header = self.build_digest_header(r.method or "GET", r.url or "")
            if header:
                r.headers["Authorization"] = header
        try:
            self._thread_local.pos = r.body.tell()
        except AttributeError:
            self._thread_local.pos = None
        self._thread_local.num_401_calls = 1
        return r

    def auth_flow(self, request: PreparedRequest) -> AuthFlow:
        """Send ``request``; answer one Digest challenge."""
        response = yield request
        if not 400 <= response.status_code < 500:
            return
        challenge = response.headers.get("www-authenticate", "")
        if "digest" not in challenge.lower():
            return
        pos = self._thread_local.pos
        if pos is not None and hasattr(request.body, "seek"):
            request.body.seek(pos)
        self._thread_local.chal = parse_dict_header(_DIGEST_PREFIX.sub("", challenge, count=1))
        if "realm" not in self._thread_local.chal or "nonce" not in self._thread_local.chal:
            return
        retry = request.copy()
        if retry._cookies is not None:
            extract_cookies_to_jar(retry._cookies, request, response.raw)
            retry.prepare_cookies(retry._cookies)
        header = self.build_digest_header(retry.method or "GET", retry.url or "")
        if header is None:
            return
        retry.headers["Authorization"] = header
        yield retry

    def __eq__(self, other: object) -> bool:
        return all([
            self.username == getattr(other, "username", None),
            self.password == getattr(other, "password", None),
        ])

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]
