"""Password managers and HTTP Basic/Digest authentication handlers (urllib's).

Credentials are looked up by realm and URI prefix (:class:`HTTPPasswordMgr`); a 401
(or 407 from a proxy) with a matching challenge makes the handler retry the request
once with the ``Authorization`` (``Proxy-Authorization``) header, added as an
unredirected header so that it never follows a redirect to another site.
:class:`HTTPPasswordMgrWithPriorAuth` sends Basic credentials up front.

Digest (RFC 7616) supports ``MD5``, ``SHA`` (SHA-1) and ``SHA-256`` with ``qop=auth``
or no qop.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from tether.opener._director import BaseHandler
from tether.opener._errors import HTTPError, URLError
from tether.url import _splitport, urlparse, urlsplit

__all__ = [
    "AbstractBasicAuthHandler",
    "AbstractDigestAuthHandler",
    "HTTPBasicAuthHandler",
    "HTTPDigestAuthHandler",
    "HTTPPasswordMgr",
    "HTTPPasswordMgrWithDefaultRealm",
    "HTTPPasswordMgrWithPriorAuth",
    "ProxyBasicAuthHandler",
    "ProxyDigestAuthHandler",
    "parse_http_list",
    "parse_keqv_list",
]


def parse_keqv_list(items: Iterable[str]) -> dict[str, str]:
    """``["a=b", 'c="d"']`` → ``{"a": "b", "c": "d"}`` (quotes removed)."""
    parsed: dict[str, str] = {}
    for item in items:
        key, value = item.split("=", 1)
        if value[:1] == '"' and value[-1:] == '"':
            value = value[1:-1]
        parsed[key] = value
    return parsed


def parse_http_list(text: str) -> list[str]:
    """Split a comma-separated header value (RFC 9110 §5.6.1), keeping quoted strings
    whole and resolving backslash escapes inside them."""
    items: list[str] = []
    part: list[str] = []
    escaped = quoted = False
    for ch in text:
        if escaped:
            part.append(ch)
            escaped = False
        elif quoted:
            if ch == "\\":
                escaped = True
                continue
            if ch == '"':
                quoted = False
            part.append(ch)
        elif ch == ",":
            items.append("".join(part))
            part = []
        else:
            if ch == '"':
                quoted = True
            part.append(ch)
    if part:
        items.append("".join(part))
    return [item.strip() for item in items]


class HTTPPasswordMgr:
    """``(user, password)`` per realm and URI; a URI covers everything below it."""

    def __init__(self) -> None:
        self.passwd: dict[Any, dict[tuple[tuple[str, str], ...], tuple[Any, Any]]] = {}

    def add_password(self, realm: str | None, uri: str | Iterable[str], user: Any,
                     passwd: Any) -> None:
        uris = [uri] if isinstance(uri, str) else list(uri)
        table = self.passwd.setdefault(realm, {})
        for default_port in (True, False):
            reduced = tuple(self.reduce_uri(u, default_port) for u in uris)
            table[reduced] = (user, passwd)

    def find_user_password(self, realm: str | None, authuri: str) -> tuple[Any, Any]:
        table = self.passwd.get(realm, {})
        for default_port in (True, False):
            reduced = self.reduce_uri(authuri, default_port)
            for uris, credentials in table.items():
                for uri in uris:
                    if self.is_suburi(uri, reduced):
                        return credentials
        return None, None

    def reduce_uri(self, uri: str, default_port: bool = True) -> tuple[str, str]:
        """``(authority, path)`` of a URI or a bare ``host[:port]``; with
        ``default_port``, the scheme's port is made explicit."""
        parts = urlsplit(uri)
        if parts[1]:
            scheme: str | None = parts[0]
            authority = parts[1]
            path = parts[2] or "/"
        else:
            scheme, authority, path = None, uri, "/"
        host, port = _splitport(authority)
        if default_port and port is None and scheme is not None:
            port_number = {"http": 80, "https": 443}.get(scheme)
            if port_number is not None:
                authority = f"{host}:{port_number}"
        return authority, path

    def is_suburi(self, base: tuple[str, str], test: tuple[str, str]) -> bool:
        """Is ``test`` at or below ``base`` (same authority, path prefix at a ``/``)?"""
        if base == test:
            return True
        if base[0] != test[0]:
            return False
        prefix = base[1]
        if prefix[-1:] != "/":
            prefix += "/"
        return test[1].startswith(prefix)


class HTTPPasswordMgrWithDefaultRealm(HTTPPasswordMgr):
    """Falls back to credentials added with realm ``None``."""

    def find_user_password(self, realm: str | None, authuri: str) -> tuple[Any, Any]:
        user, password = super().find_user_password(realm, authuri)
        if user is not None:
            return user, password
        return super().find_user_password(None, authuri)


class HTTPPasswordMgrWithPriorAuth(HTTPPasswordMgrWithDefaultRealm):
    """Remembers which URIs are known to need Basic auth, to send it without a 401."""

    def __init__(self) -> None:
        super().__init__()
        self.authenticated: dict[tuple[str, str], bool] = {}

    def add_password(self, realm: str | None, uri: str | Iterable[str], user: Any,
                     passwd: Any, is_authenticated: bool = False) -> None:
        self.update_authenticated(uri, is_authenticated)
        if realm is not None:
            super().add_password(None, uri, user, passwd)
        super().add_password(realm, uri, user, passwd)

    def update_authenticated(self, uri: str | Iterable[str],
                             is_authenticated: bool = False) -> None:
        uris = [uri] if isinstance(uri, str) else list(uri)
        for default_port in (True, False):
            for u in uris:
                self.authenticated[self.reduce_uri(u, default_port)] = is_authenticated

    def is_authenticated(self, authuri: str) -> bool | None:
        for default_port in (True, False):
            reduced = self.reduce_uri(authuri, default_port)
            for uri, known in self.authenticated.items():
                if self.is_suburi(uri, reduced):
                    return known
        return None


class AbstractBasicAuthHandler:
    """Answers ``Basic`` challenges with credentials from the password manager."""

    # scheme, then realm="..." / realm='...' / realm=token (RFC 7617 §2)
    rx = re.compile("(?:^|,)[ \t]*([^ \t,]+)[ \t]+realm=([\"']?)([^\"']*)\\2", re.I)
    auth_header = "Authorization"
    parent: Any

    def __init__(self, password_mgr: Any = None) -> None:
        if password_mgr is None:
            password_mgr = HTTPPasswordMgr()
        self.passwd = password_mgr
        self.add_password = self.passwd.add_password

    def _parse_realm(self, header: str) -> Iterator[tuple[str, str | None]]:
        found = False
        for match in AbstractBasicAuthHandler.rx.finditer(header):
            scheme, quote, realm = match.groups()
            if quote not in ('"', "'"):
                warnings.warn("Basic Auth Realm was unquoted", UserWarning, 3)
            yield scheme, realm
            found = True
        if not found:
            yield (header.split()[0] if header else ""), None

    def http_error_auth_reqed(self, authreq: str, host: str, req: Any, headers: Any) -> Any:
        challenges = headers.get_all(authreq)
        if not challenges:
            return None
        unsupported = None
        scheme = ""
        for header in challenges:
            for scheme, realm in self._parse_realm(header):
                if scheme.lower() != "basic":
                    unsupported = scheme
                    continue
                if realm is not None:
                    # First Basic challenge with a realm wins (RFC 7235 §2.1).
                    return self.retry_http_basic_auth(host, req, realm)
        if unsupported is not None:
            raise ValueError("AbstractBasicAuthHandler does not support the following "
                             f"scheme: {scheme!r}")
        return None

    def retry_http_basic_auth(self, host: str, req: Any, realm: str) -> Any:
        user, password = self.passwd.find_user_password(realm, host)
        if password is None:
            return None
        credentials = f"{user}:{password}".encode()
        auth = "Basic " + base64.b64encode(credentials).decode("ascii")
        if req.get_header(self.auth_header, None) == auth:
            return None  # these credentials were just refused: stop
        req.add_unredirected_header(self.auth_header, auth)
        return self.parent.open(req, timeout=req.timeout)

    def http_request(self, req: Any) -> Any:
        is_authenticated = getattr(self.passwd, "is_authenticated", None)
        if is_authenticated is None or not is_authenticated(req.full_url):
            return req
        if not req.has_header("Authorization"):
            user, password = self.passwd.find_user_password(None, req.full_url)
            credentials = base64.standard_b64encode(f"{user}:{password}".encode()).decode()
            req.add_unredirected_header("Authorization", f"Basic {credentials.strip()}")
        return req

    def http_response(self, req: Any, response: Any) -> Any:
        if hasattr(self.passwd, "is_authenticated"):
            self.passwd.update_authenticated(req.full_url, 200 <= response.code < 300)
        return response

    https_request = http_request
    https_response = http_response


class HTTPBasicAuthHandler(AbstractBasicAuthHandler, BaseHandler):
    auth_header = "Authorization"

    def http_error_401(self, req: Any, fp: Any, code: int, msg: str, headers: Any) -> Any:
        return self.http_error_auth_reqed("www-authenticate", req.full_url, req, headers)


class ProxyBasicAuthHandler(AbstractBasicAuthHandler, BaseHandler):
    auth_header = "Proxy-authorization"

    def http_error_407(self, req: Any, fp: Any, code: int, msg: str, headers: Any) -> Any:
        # req.host is the proxy here (ProxyHandler set it).
        return self.http_error_auth_reqed("proxy-authenticate", req.host, req, headers)


_HASHES: dict[str, Callable[[bytes], Any]] = {
    "MD5": hashlib.md5,
    "SHA": hashlib.sha1,
    "SHA-256": hashlib.sha256,
}


class AbstractDigestAuthHandler:
    """Answers ``Digest`` challenges (RFC 7616); gives up after 5 tries."""

    auth_header = "Authorization"
    parent: Any

    def __init__(self, passwd: Any = None) -> None:
        if passwd is None:
            passwd = HTTPPasswordMgr()
        self.passwd = passwd
        self.add_password = self.passwd.add_password
        self.retried = 0
        self.nonce_count = 0
        self.last_nonce: str | None = None

    def reset_retry_count(self) -> None:
        self.retried = 0

    def http_error_auth_reqed(self, auth_header: str, host: str, req: Any,
                              headers: Any) -> Any:
        authreq = headers.get(auth_header, None)
        if self.retried > 5:
            # Don't fail endlessly: a server that keeps refusing gets a 401.
            raise HTTPError(req.full_url, 401, "digest auth failed", headers, None)
        self.retried += 1
        if authreq:
            scheme = authreq.split()[0]
            if scheme.lower() == "digest":
                return self.retry_http_digest_auth(req, authreq)
            if scheme.lower() != "basic":
                raise ValueError("AbstractDigestAuthHandler does not support the following "
                                 f"scheme: '{scheme}'")
        return None

    def retry_http_digest_auth(self, req: Any, auth: str) -> Any:
        _token, challenge = auth.split(" ", 1)
        chal = parse_keqv_list(filter(None, parse_http_list(challenge)))
        authorization = self.get_authorization(req, chal)
        if not authorization:
            return None
        value = f"Digest {authorization}"
        if req.headers.get(self.auth_header, None) == value:
            return None
        req.add_unredirected_header(self.auth_header, value)
        return self.parent.open(req, timeout=req.timeout)

    def get_cnonce(self, nonce: str) -> str:
        seed = f"{self.nonce_count}:{nonce}:{time.ctime()}:".encode("ascii") + os.urandom(8)
        return hashlib.sha1(seed).hexdigest()[:16]

    def get_authorization(self, req: Any, chal: dict[str, str]) -> str | None:
        try:
            realm = chal["realm"]
            nonce = chal["nonce"]
        except KeyError:
            return None
        qop = chal.get("qop")
        algorithm = chal.get("algorithm", "MD5")
        opaque = chal.get("opaque")
        H, KD = self.get_algorithm_impls(algorithm)
        user, password = self.passwd.find_user_password(realm, req.full_url)
        if user is None:
            return None
        entdig = self.get_entity_digest(req.data, chal) if req.data is not None else None
        a1 = f"{user}:{realm}:{password}"
        a2 = f"{req.get_method()}:{req.selector}"
        ncvalue = cnonce = ""
        if qop is None:
            respdig = KD(H(a1), f"{nonce}:{H(a2)}")
        elif "auth" in [q.strip() for q in qop.split(",")]:
            if nonce == self.last_nonce:
                self.nonce_count += 1
            else:
                self.nonce_count = 1
                self.last_nonce = nonce
            ncvalue = f"{self.nonce_count:08x}"
            cnonce = self.get_cnonce(nonce)
            respdig = KD(H(a1), f"{nonce}:{ncvalue}:{cnonce}:auth:{H(a2)}")
        else:
            raise URLError(f"qop '{qop}' is not supported.")
        base = (f'username="{user}", realm="{realm}", nonce="{nonce}", '
                f'uri="{req.selector}", response="{respdig}"')
        if opaque:
            base += f', opaque="{opaque}"'
        if entdig:
            base += f', digest="{entdig}"'
        base += f', algorithm="{algorithm}"'
        if qop:
            base += f', qop=auth, nc={ncvalue}, cnonce="{cnonce}"'
        return base

    def get_algorithm_impls(self, algorithm: str) -> tuple[Callable[[str], str],
                                                           Callable[[str, str], str]]:
        """``(H, KD)`` for a digest algorithm name; ValueError for an unknown one."""
        digest = _HASHES.get(algorithm.upper() if algorithm else algorithm)
        if digest is None:
            raise ValueError(f"Unsupported digest authentication algorithm {algorithm!r}")

        def H(text: str) -> str:
            return str(digest(text.encode("ascii")).hexdigest())

        def KD(secret: str, data: str) -> str:
            return H(f"{secret}:{data}")

        return H, KD

    def get_entity_digest(self, data: Any, chal: dict[str, str]) -> str | None:
        return None  # qop=auth-int is not supported (nor is it by urllib)


class HTTPDigestAuthHandler(BaseHandler, AbstractDigestAuthHandler):
    """Digest auth with the origin server; tried before Basic (stronger)."""

    auth_header = "Authorization"
    handler_order = 490

    def http_error_401(self, req: Any, fp: Any, code: int, msg: str, headers: Any) -> Any:
        host = urlparse(req.full_url)[1]
        retry = self.http_error_auth_reqed("www-authenticate", host, req, headers)
        self.reset_retry_count()
        return retry


class ProxyDigestAuthHandler(BaseHandler, AbstractDigestAuthHandler):
    """Digest auth with a proxy."""

    auth_header = "Proxy-Authorization"
    handler_order = 490

    def http_error_407(self, req: Any, fp: Any, code: int, msg: str, headers: Any) -> Any:
        retry = self.http_error_auth_reqed("proxy-authenticate", req.host, req, headers)
        self.reset_retry_count()
        return retry
