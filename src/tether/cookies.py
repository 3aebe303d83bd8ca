"""Cookies for the requests API, on :mod:`http.cookiejar`.

:class:`RequestsCookieJar` is a ``CookieJar`` (so cookie policy, domain and path
matching, expiry are the stdlib's) that also behaves like a dict. The helpers have
requests' names and results: :func:`cookiejar_from_dict`, :func:`merge_cookies`,
:func:`create_cookie`, :func:`morsel_to_cookie`, :func:`extract_cookies_to_jar`,
:func:`get_cookie_header`, :func:`remove_cookie_by_name`.

Cookies set by a server are bound to the origin that set them by the jar's policy.
"""

from __future__ import annotations

import calendar
import copy
import http.cookiejar as cookielib
import threading
import time
from collections.abc import Iterator, Mapping, MutableMapping
from email.message import Message
from http.cookies import Morsel
from typing import Any
from urllib.parse import urlparse, urlunparse

from tether.errors import TetherError

__all__ = [
    "CookieConflictError",
    "MockRequest",
    "MockResponse",
    "RequestsCookieJar",
    "cookiejar_from_dict",
    "create_cookie",
    "extract_cookies_to_jar",
    "get_cookie_header",
    "merge_cookies",
    "morsel_to_cookie",
    "remove_cookie_by_name",
]


class MockRequest:
    """Presents a :class:`~tether.models.PreparedRequest` as the ``urllib.request.Request``
    that :class:`http.cookiejar.CookieJar` expects. Headers the jar adds are collected in
    :meth:`get_new_headers`; the wrapped request is not changed."""

    def __init__(self, request: Any) -> None:
        self._r = request
        self._new_headers: dict[str, str] = {}
        self.type = urlparse(self._r.url).scheme

    def get_type(self) -> str:
        return str(self.type)

    def get_host(self) -> str:
        return str(urlparse(self._r.url).netloc)

    def get_origin_req_host(self) -> str:
        return self.get_host()

    def get_full_url(self) -> str:
        # With an explicit Host header the cookie domain is that host.
        if not self._r.headers.get("Host"):
            return str(self._r.url)
        host = self._r.headers["Host"]
        if isinstance(host, bytes):
            host = host.decode("utf-8")
        parsed = urlparse(self._r.url)
        return str(urlunparse([parsed.scheme, host, parsed.path, parsed.params, parsed.query,
                               parsed.fragment]))

    def is_unverifiable(self) -> bool:
        return True

    def has_header(self, name: str) -> bool:
        return name in self._r.headers or name in self._new_headers

    def get_header(self, name: str, default: Any = None) -> Any:
        return self._r.headers.get(name, self._new_headers.get(name, default))

    def add_header(self, key: str, val: str) -> None:
        raise NotImplementedError("Cookie headers should be added with add_unredirected_header()")

    def add_unredirected_header(self, name: str, value: str) -> None:
        self._new_headers[name] = value

    def get_new_headers(self) -> dict[str, str]:
        return self._new_headers

    @property
    def unverifiable(self) -> bool:
        return self.is_unverifiable()

    @property
    def origin_req_host(self) -> str:
        return self.get_origin_req_host()

    @property
    def host(self) -> str:
        return self.get_host()


class MockResponse:
    """Presents response headers (an :class:`email.message.Message`) as the
    ``http.client.HTTPResponse`` that :class:`http.cookiejar.CookieJar` reads."""

    def __init__(self, headers: Message) -> None:
        self._headers = headers

    def info(self) -> Message:
        return self._headers

    def getheaders(self, name: str) -> list[str]:
        return self._headers.get_all(name) or []


def extract_cookies_to_jar(jar: cookielib.CookieJar, request: Any, response: Any) -> None:
    """Store the cookies a response (its ``.raw``) sets, judged against ``request``."""
    may_set = getattr(response, "_may_set_cookies", None)
    if may_set is not None and not may_set():
        return  # fast path: no Set-Cookie field, nothing to parse
    original = getattr(response, "_original_response", None)
    if not original:
        return
    jar.extract_cookies(MockResponse(original.msg), MockRequest(request))  # type: ignore[arg-type]


def get_cookie_header(jar: cookielib.CookieJar, request: Any) -> str | None:
    """The ``Cookie`` header value the jar would send with ``request``."""
    mock = MockRequest(request)
    jar.add_cookie_header(mock)  # type: ignore[arg-type]
    return mock.get_new_headers().get("Cookie")


def remove_cookie_by_name(cookiejar: cookielib.CookieJar, name: str,
                          domain: str | None = None, path: str | None = None) -> None:
    """Remove every cookie called ``name`` (optionally only for ``domain``/``path``)."""
    doomed = [
        (c.domain, c.path, c.name)
        for c in cookiejar
        if c.name == name
        and (domain is None or domain == c.domain)
        and (path is None or path == c.path)
    ]
    for d, p, n in doomed:
        cookiejar.clear(d, p, n)


class CookieConflictError(TetherError, RuntimeError):
    """There are two cookies that meet the criteria specified in the cookie jar.
    Use .get and .set and include domain and path args in order to be more specific."""


class RequestsCookieJar(cookielib.CookieJar, MutableMapping[str, Any]):
    """A :class:`http.cookiejar.CookieJar` with a dict interface.

    ``jar["name"]`` is the value of the only cookie of that name (raises
    :class:`CookieConflictError` if several domains/paths have one); use
    :meth:`get`/:meth:`set` with ``domain``/``path`` to be specific. Not thread-safe
    for concurrent writes beyond what ``CookieJar``'s lock gives.
    """

    def get(self, name: str, default: Any = None, domain: str | None = None,
            path: str | None = None) -> Any:
        try:
            return self._find_no_duplicates(name, domain, path)
        except KeyError:
            return default

    def set(self, name: str, value: Any, **kwargs: Any) -> cookielib.Cookie | None:
        """Set a cookie; ``value=None`` removes it. ``value`` may be a ``Morsel``."""
        if value is None:
            remove_cookie_by_name(self, name, domain=kwargs.get("domain"),
                                  path=kwargs.get("path"))
            return None
        cookie = morsel_to_cookie(value) if isinstance(value, Morsel) else create_cookie(
            name, value, **kwargs)
        self.set_cookie(cookie)
        return cookie

    def iterkeys(self) -> Iterator[str]:
        for cookie in iter(self):
            yield cookie.name

    def keys(self) -> list[str]:  # type: ignore[override]
        return list(self.iterkeys())

    def itervalues(self) -> Iterator[Any]:
        for cookie in iter(self):
            yield cookie.value

    def values(self) -> list[Any]:  # type: ignore[override]
        return list(self.itervalues())

    def iteritems(self) -> Iterator[tuple[str, Any]]:
        for cookie in iter(self):
            yield cookie.name, cookie.value

    def items(self) -> list[tuple[str, Any]]:  # type: ignore[override]
        return list(self.iteritems())

    def list_domains(self) -> list[str]:
        domains: list[str] = []
        for cookie in iter(self):
            if cookie.domain not in domains:
                domains.append(cookie.domain)
        return domains

    def list_paths(self) -> list[str]:
        paths: list[str] = []
        for cookie in iter(self):
            if cookie.path not in paths:
                paths.append(cookie.path)
        return paths

    def multiple_domains(self) -> bool:
        seen: list[str] = []
        for cookie in iter(self):
            if cookie.domain is not None and cookie.domain in seen:
                return True
            seen.append(cookie.domain)
        return False

    def get_dict(self, domain: str | None = None, path: str | None = None) -> dict[str, Any]:
        return {
            c.name: c.value
            for c in iter(self)
            if (domain is None or c.domain == domain) and (path is None or c.path == path)
        }

    def __contains__(self, name: object) -> bool:
        try:
            return super().__contains__(name)
        except CookieConflictError:
            return True

    def __getitem__(self, name: str) -> Any:
        return self._find_no_duplicates(name)

    def __setitem__(self, name: str, value: Any) -> None:
        self.set(name, value)

    def __delitem__(self, name: str) -> None:
        remove_cookie_by_name(self, name)

    def __len__(self) -> int:
        return cookielib.CookieJar.__len__(self)

    def __iter__(self) -> Iterator[cookielib.Cookie]:  # type: ignore[override]
        return cookielib.CookieJar.__iter__(self)

    def set_cookie(self, cookie: cookielib.Cookie, *args: Any, **kwargs: Any) -> None:
        # Quoted values keep their quotes but lose escaped quotes inside (requests does).
        value = cookie.value
        if value is not None and value.startswith('"') and value.endswith('"'):
            cookie.value = value.replace('\\"', "")
        super().set_cookie(cookie, *args, **kwargs)

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        if isinstance(other, cookielib.CookieJar):
            for cookie in other:
                self.set_cookie(copy.copy(cookie))
        else:
            MutableMapping.update(self, other, **kwargs)

    def _find(self, name: str, domain: str | None = None, path: str | None = None) -> Any:
        for cookie in iter(self):
            if cookie.name == name and (domain is None or cookie.domain == domain) and (
                path is None or cookie.path == path
            ):
                return cookie.value
        raise KeyError(f"name={name!r}, domain={domain!r}, path={path!r}")

    def _find_no_duplicates(self, name: str, domain: str | None = None,
                            path: str | None = None) -> Any:
        found: cookielib.Cookie | None = None
        for cookie in iter(self):
            if cookie.name == name and (domain is None or cookie.domain == domain) and (
                path is None or cookie.path == path
            ):
                if found is not None:
                    raise CookieConflictError(
                        f"There are multiple cookies with name, {name!r}")
                found = cookie
        if found is None:
            raise KeyError(f"name={name!r}, domain={domain!r}, path={path!r}")
        return found.value

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_cookies_lock")
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if "_cookies_lock" not in self.__dict__:
            self._cookies_lock = threading.RLock()

    def copy(self) -> RequestsCookieJar:
        new = RequestsCookieJar()
        new.set_policy(self.get_policy())
        new.update(self)
        return new

    def get_policy(self) -> cookielib.CookiePolicy:
        return self._policy  # type: ignore[attr-defined,no-any-return]


def _copy_cookie_jar(jar: cookielib.CookieJar | None) -> cookielib.CookieJar | None:
    if jar is None:
        return None
    if hasattr(jar, "copy"):
        return jar.copy()  # type: ignore[no-any-return]
    new = copy.copy(jar)
    new.clear()
    for cookie in jar:
        new.set_cookie(copy.copy(cookie))
    return new


def create_cookie(name: str, value: Any, **kwargs: Any) -> cookielib.Cookie:
    """A :class:`http.cookiejar.Cookie` with requests' defaults (any domain, path ``/``)."""
    result: dict[str, Any] = {
        "version": 0,
        "name": name,
        "value": value,
        "port": None,
        "domain": "",
        "path": "/",
        "secure": False,
        "expires": None,
        "discard": True,
        "comment": None,
        "comment_url": None,
        "rest": {"HttpOnly": None},
        "rfc2109": False,
    }
    unexpected = set(kwargs) - set(result)
    if unexpected:
        raise TypeError(
            f"create_cookie() got unexpected keyword arguments: {list(unexpected)}")
    result.update(kwargs)
    result["port_specified"] = bool(result["port"])
    result["domain_specified"] = bool(result["domain"])
    result["domain_initial_dot"] = result["domain"].startswith(".")
    result["path_specified"] = bool(result["path"])
    return cookielib.Cookie(**result)


def morsel_to_cookie(morsel: Morsel[Any]) -> cookielib.Cookie:
    """Convert an :class:`http.cookies.Morsel` into a cookie."""
    expires: int | None = None
    if morsel["max-age"]:
        try:
            expires = int(time.time() + int(morsel["max-age"]))
        except ValueError:
            raise TypeError(f"max-age: {morsel['max-age']} must be integer") from None
    elif morsel["expires"]:
        expires = calendar.timegm(time.strptime(morsel["expires"], "%a, %d-%b-%Y %H:%M:%S GMT"))
    return create_cookie(
        comment=morsel["comment"],
        comment_url=bool(morsel["comment"]),
        discard=False,
        domain=morsel["domain"],
        expires=expires,
        name=morsel.key,
        path=morsel["path"],
        port=None,
        rest={"HttpOnly": morsel["httponly"]},
        rfc2109=False,
        secure=bool(morsel["secure"]),
        value=morsel.value,
        version=morsel["version"] or 0,
    )


def cookiejar_from_dict(cookie_dict: Mapping[str, Any] | None,
                        cookiejar: cookielib.CookieJar | None = None,
                        overwrite: bool = True) -> Any:
    """A jar holding ``cookie_dict``'s cookies (added to ``cookiejar`` if given)."""
    if cookiejar is None:
        cookiejar = RequestsCookieJar()
    if cookie_dict is not None:
        existing = [cookie.name for cookie in cookiejar]
        for name in cookie_dict:
            if overwrite or name not in existing:
                cookiejar.set_cookie(create_cookie(name, cookie_dict[name]))
    return cookiejar


def merge_cookies(cookiejar: cookielib.CookieJar, cookies: Any) -> cookielib.CookieJar:
    """Add ``cookies`` (a dict or a jar) to ``cookiejar`` and return it."""
    if not isinstance(cookiejar, cookielib.CookieJar):
        raise ValueError("You can only merge into CookieJar")
    if isinstance(cookies, dict):
        cookiejar = cookiejar_from_dict(cookies, cookiejar=cookiejar, overwrite=False)
    elif isinstance(cookies, cookielib.CookieJar):
        try:
            cookiejar.update(cookies)  # type: ignore[attr-defined]
        except AttributeError:
            for cookie in cookies:
                cookiejar.set_cookie(cookie)
    return cookiejar
