"""Retry policy for ``HTTPAdapter(max_retries=...)``: urllib3 2.x's ``Retry``, tether's code.

Theory of operation
-------------------
A :class:`Retry` is an immutable value: it says which failures may be retried and how
many times, and :meth:`Retry.increment` returns a *new* policy with the counters
lowered (or raises :class:`MaxRetryError` once a counter runs out), so one policy
object can be shared by every request of a session, as in urllib3. The counters:

- ``total`` bounds every kind of retry together (``None``: no overall bound; ``False``:
  retries off, errors are raised as they are);
- ``connect``: failures before the request reached the server (refused, DNS, connect
  timeout) — always safe to repeat;
- ``read``: failures after the request was (maybe) sent — a read timeout, a reset, a
  connection closed before a full response. Repeated only for ``allowed_methods``
  (idempotent methods by default, RFC 9110 §9.2.2); ``False`` raises at once;
- ``status``: responses whose status is in ``status_forcelist`` (for
  ``allowed_methods``), or 413/429/503 carrying ``Retry-After``;
- ``other``: other transport failures (TLS handshake errors, a proxy refusing);
- ``redirect``: kept for urllib3 fidelity; in tether (as in requests) the *session*
  follows redirects, so the adapter's policy never counts one.

Waiting between attempts: ``Retry-After`` (RFC 9110 §10.2.3: delay-seconds or an
HTTP-date; capped at ``retry_after_max``) when ``respect_retry_after_header`` holds,
else an exponential backoff ``backoff_factor * 2 ** (n - 1)`` after the *n*-th
consecutive failure (none after the first), plus up to ``backoff_jitter`` at random,
capped at ``backoff_max``.

:func:`as_retry` turns what ``max_retries=`` accepts into a :class:`Retry` as requests
does (``0`` → ``Retry(0, read=False)``, ``n`` → ``Retry(n)``), taking tether's Retry as
is and a *urllib3* ``Retry`` object by copying its public attributes (duck typing:
urllib3 is never imported). The adapter's retry loop that applies the policy is
:mod:`tether.http._retry_exchange`.
"""

from __future__ import annotations

import email.utils
import logging
import random
import re
import time
from collections.abc import Collection
from typing import Any, ClassVar, Final, NamedTuple

from tether import errors
from tether.exceptions import InvalidHeader
from tether.http._types import ProxyError as TransportProxyError

__all__ = ["MaxRetryError", "RequestHistory", "ResponseError", "Retry", "as_retry",
           "header_value", "is_connect_error", "is_read_error", "is_retryable_error"]

log = logging.getLogger("tether.http.retry")

#: Statuses that carry a redirect ``Location`` (RFC 9110 §15.4).
_REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})
#: delay-seconds (RFC 9110 §10.2.3), with the optional whitespace around a field value.
_DELAY_SECONDS: Final = re.compile(r"\s*([0-9]+)\s*")


class RequestHistory(NamedTuple):
    """One retried attempt: what was sent and why it was retried."""

    method: str | None
    url: str | None
    error: Exception | None
    status: int | None
    redirect_location: str | None


class ResponseError(errors.TetherError):
    """The cause of a :class:`MaxRetryError` when responses (not errors) used up the
    retries."""

    GENERIC_ERROR: ClassVar[str] = "too many error responses"
    SPECIFIC_ERROR: ClassVar[str] = "too many {status_code} error responses"


class MaxRetryError(errors.TetherError):
    """The retries are used up. ``reason`` is the last error, or a
    :class:`ResponseError` when it was a status; ``url`` the request target.

    The requests API never lets it out: the adapter raises ``RetryError`` (for statuses)
    or the last error as requests' class (``ConnectionError``, ``ConnectTimeout``...).
    """

    def __init__(self, pool: Any, url: str | None, reason: Exception | None = None) -> None:
        self.pool = pool
        self.url = url
        self.reason = reason
        message = f"Max retries exceeded with url: {url} (Caused by {reason!r})"
        super().__init__(message if pool is None else f"{pool}: {message}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (None, self.url, self.reason))


def header_value(response: Any, name: str) -> str | None:
    """A header of a tether ``RawResponse`` (byte pairs) or of anything with a
    mapping ``headers`` (``Response``, ``Response.raw``)."""
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    if isinstance(headers, list):
        wanted = name.lower().encode("ascii")
        for key, value in headers:
            if key.lower() == wanted:
                return value.decode("latin-1")  # type: ignore[no-any-return]
        return None
    value = headers.get(name)
    return None if value is None else str(value)


def _status(response: Any) -> int | None:
    status = getattr(response, "status", None)
    if status is None:
        status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def _redirect_location(response: Any) -> str | None:
    own = getattr(response, "get_redirect_location", None)
    if callable(own):
        location = own()
        return location if isinstance(location, str) and location else None
    if _status(response) in _REDIRECT_STATUSES:
        return header_value(response, "Location")
    return None


def is_connect_error(error: BaseException) -> bool:
    """Failed before the request reached the server: safe to repeat for any method."""
    if isinstance(error, TransportProxyError) and error.status is not None:
        return False  # the proxy answered (e.g. 407): not a connection failure
    return isinstance(error, errors.ConnectError)


def is_read_error(error: BaseException) -> bool:
    """Failed after the request was (maybe) sent: the server may have acted on it."""
    return isinstance(error, (errors.ReadTimeout, errors.WriteTimeout, errors.ReadError,
                              errors.WriteError, errors.ConnectionClosed,
                              errors.RemoteProtocolError))


def is_retryable_error(error: BaseException) -> bool:
    """May ``error`` enter the retry policy at all? Transport failures may; a pool
    timeout, a request refused before sending, a configured limit passed, a failed
    certificate verification and misuse may not (repeating them changes nothing)."""
    if isinstance(error, (errors.PoolTimeout, errors.TLSVerificationError,
                          errors.LocalProtocolError, errors.LimitExceeded,
                          errors.UsageError)):
        return False
    return isinstance(error, (errors.NetworkError, errors.TLSError,
                              errors.RemoteProtocolError))


class Retry:
    """How a request is retried; urllib3 2.x's ``Retry`` (same arguments and meanings,
    see the module docstring). Immutable in use: :meth:`increment` returns a new one."""

    #: Methods retried on read errors and bad statuses by default (idempotent ones).
    DEFAULT_ALLOWED_METHODS: ClassVar[frozenset[str]] = frozenset(
        ["HEAD", "GET", "PUT", "DELETE", "OPTIONS", "TRACE"])
    #: Statuses retried when they carry ``Retry-After`` (and ``total`` allows).
    RETRY_AFTER_STATUS_CODES: ClassVar[frozenset[int]] = frozenset([413, 429, 503])
    DEFAULT_REMOVE_HEADERS_ON_REDIRECT: ClassVar[frozenset[str]] = frozenset(
        ["Cookie", "Authorization", "Proxy-Authorization"])
    #: Longest computed backoff, seconds.
    DEFAULT_BACKOFF_MAX: ClassVar[float] = 120
    #: Longest ``Retry-After`` honoured, seconds (urllib3's 6 hours; the request's
    #: ``TimeoutConfig(total=...)`` bounds it further).
    DEFAULT_RETRY_AFTER_MAX: ClassVar[int] = 21600
    DEFAULT: ClassVar[Retry]

    def __init__(
        self,
        total: bool | int | None = 10,
        connect: int | None = None,
        read: int | bool | None = None,
        redirect: bool | int | None = None,
        status: int | None = None,
        other: int | None = None,
        allowed_methods: Collection[str] | None = DEFAULT_ALLOWED_METHODS,
        status_forcelist: Collection[int] | None = None,
        backoff_factor: float = 0,
        backoff_max: float = DEFAULT_BACKOFF_MAX,
        raise_on_redirect: bool = True,
        raise_on_status: bool = True,
        history: tuple[RequestHistory, ...] | None = None,
        respect_retry_after_header: bool = True,
        remove_headers_on_redirect: Collection[str] = DEFAULT_REMOVE_HEADERS_ON_REDIRECT,
        backoff_jitter: float = 0.0,
        retry_after_max: int = DEFAULT_RETRY_AFTER_MAX,
    ) -> None:
        if redirect is False or total is False:
            redirect = 0
            raise_on_redirect = False
        self.total = total
        self.connect = connect
        self.read = read
        self.redirect = redirect
        self.status = status
        self.other = other
        self.allowed_methods = allowed_methods
        self.status_forcelist: Collection[int] = status_forcelist or set()
        self.backoff_factor = backoff_factor
        self.backoff_max = backoff_max
        self.backoff_jitter = backoff_jitter
        self.retry_after_max = retry_after_max
        self.raise_on_redirect = raise_on_redirect
        self.raise_on_status = raise_on_status
        self.history: tuple[RequestHistory, ...] = history or ()
        self.respect_retry_after_header = respect_retry_after_header
        self.remove_headers_on_redirect = frozenset(
            h.lower() for h in remove_headers_on_redirect)

    def new(self, **kw: Any) -> Retry:
        """A copy with the given arguments changed."""
        params: dict[str, Any] = {
            "total": self.total, "connect": self.connect, "read": self.read,
            "redirect": self.redirect, "status": self.status, "other": self.other,
            "allowed_methods": self.allowed_methods,
            "status_forcelist": self.status_forcelist,
            "backoff_factor": self.backoff_factor, "backoff_max": self.backoff_max,
            "backoff_jitter": self.backoff_jitter, "retry_after_max": self.retry_after_max,
            "raise_on_redirect": self.raise_on_redirect,
            "raise_on_status": self.raise_on_status, "history": self.history,
            "respect_retry_after_header": self.respect_retry_after_header,
            "remove_headers_on_redirect": self.remove_headers_on_redirect,
        }
        params.update(kw)
        return type(self)(**params)

    @classmethod
    def from_int(cls, retries: Retry | bool | int | None, redirect: bool | int | None = True,
                 default: Retry | bool | int | None = None) -> Retry:
        """A policy from the old forms: ``None`` (``default`` or :attr:`DEFAULT`), a
        number of retries, ``False``, or a Retry (returned as is)."""
        if retries is None:
            retries = default if default is not None else cls.DEFAULT
        if isinstance(retries, Retry):
            return retries
        return cls(retries, redirect=bool(redirect) and None)

    # -- waiting -----------------------------------------------------------------------
    def get_backoff_time(self) -> float:
        """Seconds to wait after the current run of consecutive failures (0 after the
        first; redirects end a run)."""
        run = 0
        for entry in reversed(self.history):
            if entry.redirect_location is not None:
                break
            run += 1
        if run <= 1:
            return 0
        value = self.backoff_factor * (2 ** (run - 1))
        if self.backoff_jitter:
            value += random.random() * self.backoff_jitter
        return float(max(0, min(self.backoff_max, value)))

    def parse_retry_after(self, retry_after: str) -> float:
        """Seconds to wait for a ``Retry-After`` value (delay-seconds or an HTTP-date),
        at least 0 and at most ``retry_after_max``. Raises ``InvalidHeader``."""
        match = _DELAY_SECONDS.fullmatch(retry_after)
        if match is not None:
            seconds: float = int(match.group(1))
        else:
            parsed = email.utils.parsedate_tz(retry_after)
            if parsed is None:
                raise InvalidHeader(f"Invalid Retry-After header: {retry_after}")
            seconds = email.utils.mktime_tz(parsed) - time.time()
        return float(min(max(seconds, 0), self.retry_after_max))

    def get_retry_after(self, response: Any) -> float | None:
        """The response's ``Retry-After`` in seconds, ``None`` without one."""
        value = header_value(response, "Retry-After")
        return None if value is None else self.parse_retry_after(value)

    def get_wait_time(self, response: Any = None) -> float:
        """What :meth:`sleep` waits: ``Retry-After`` if honoured and present and non
        zero, else the backoff."""
        if self.respect_retry_after_header and response is not None:
            retry_after = self.get_retry_after(response)
            if retry_after:
                return retry_after
        return self.get_backoff_time()

    def sleep_for_retry(self, response: Any) -> bool:
        """Block for the response's ``Retry-After``; whether there was one."""
        retry_after = self.get_retry_after(response)
        if retry_after:
            time.sleep(retry_after)
            return True
        return False

    def sleep(self, response: Any = None) -> None:
        """Block between attempts (for code driving a Retry by hand; tether's own
        retry loop yields the wait instead so asyncio is not blocked)."""
        wait = self.get_wait_time(response)
        if wait > 0:
            time.sleep(wait)

    # -- deciding ----------------------------------------------------------------------
    def _is_method_retryable(self, method: str) -> bool:
        return not self.allowed_methods or method.upper() in self.allowed_methods

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        """Should a response with ``status_code`` to ``method`` be retried?"""
        if not self._is_method_retryable(method):
            return False
        if self.status_forcelist and status_code in self.status_forcelist:
            return True
        return bool(self.total and self.respect_retry_after_header and has_retry_after
                    and status_code in self.RETRY_AFTER_STATUS_CODES)

    def is_exhausted(self) -> bool:
        """Has any counter gone below zero?"""
        counts = [c for c in (self.total, self.connect, self.read, self.redirect,
                              self.status, self.other) if c]
        return bool(counts) and min(counts) < 0

    @property
    def never_retries(self) -> bool:
        """True when no failure and no status can lead to a retry or to a
        :class:`MaxRetryError` (requests' default ``Retry(0, read=False)``)."""
        return (type(self) is Retry and self.total is not None and not self.total
                and not self.status_forcelist)

    def increment(self, method: str | None = None, url: str | None = None,
                  response: Any = None, error: Exception | None = None,
                  _pool: Any = None, _stacktrace: Any = None) -> Retry:
        """The policy after one more failure (``error``, a tether error) or retried
        ``response``. Raises ``error`` itself when it may not be retried, and
        :class:`MaxRetryError` when the retries are used up."""
        if self.total is False and error is not None:
            raise error
        total = self.total
        if total is not None:
            total -= 1
        connect, read, redirect = self.connect, self.read, self.redirect
        status_count, other = self.status, self.other
        cause = ResponseError.GENERIC_ERROR
        status: int | None = None
        location: str | None = None
        if error is not None and is_connect_error(error):
            if connect is False:
                raise error
            if connect is not None:
                connect -= 1
        elif error is not None and is_read_error(error):
            if read is False or method is None or not self._is_method_retryable(method):
                raise error
            if read is not None:
                read -= 1
        elif error is not None:
            if other is not None:
                other -= 1
        elif response is not None and _redirect_location(response):
            if redirect is not None:
                redirect -= 1
            cause = "too many redirects"
            location = _redirect_location(response)
            status = _status(response)
        else:
            status = _status(response) if response is not None else None
            if status:
                if status_count is not None:
                    status_count -= 1
                cause = ResponseError.SPECIFIC_ERROR.format(status_code=status)
        history = (*self.history, RequestHistory(method, url, error, status, location))
        new_retry = self.new(total=total, connect=connect, read=read, redirect=redirect,
                             status=status_count, other=other, history=history)
        if new_retry.is_exhausted():
            reason = error or ResponseError(cause)
            raise MaxRetryError(_pool, url, reason) from reason
        log.debug("Incremented Retry for (url=%r): %r", url, new_retry)
        return new_retry

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(total={self.total}, connect={self.connect}, "
                f"read={self.read}, redirect={self.redirect}, status={self.status})")


Retry.DEFAULT = Retry(3)

#: The public attributes copied from a urllib3 Retry (2.x names; 1.x's
#: ``method_whitelist`` is read as ``allowed_methods``).
_COPIED: Final = ("total", "connect", "read", "redirect", "status", "other",
                  "status_forcelist", "backoff_factor", "backoff_max", "backoff_jitter",
                  "retry_after_max", "raise_on_redirect", "raise_on_status",
                  "respect_retry_after_header", "remove_headers_on_redirect")


def _from_foreign(policy: Any) -> Retry:
    """tether's Retry with the settings of a urllib3 ``Retry`` (read, not imported).
    Methods a subclass overrides are not carried over; the counters and lists are."""
    kwargs: dict[str, Any] = {}
    for name in _COPIED:
        if hasattr(policy, name):
            kwargs[name] = getattr(policy, name)
    if "backoff_max" not in kwargs and hasattr(type(policy), "BACKOFF_MAX"):
        kwargs["backoff_max"] = type(policy).BACKOFF_MAX  # urllib3 1.x
    if hasattr(policy, "allowed_methods"):
        kwargs["allowed_methods"] = policy.allowed_methods
    elif hasattr(policy, "method_whitelist"):
        kwargs["allowed_methods"] = policy.method_whitelist
    kwargs["history"] = tuple(RequestHistory(*tuple(h)[:5]) for h in
                              getattr(policy, "history", None) or ())
    return Retry(**kwargs)


def as_retry(max_retries: Any) -> Retry:
    """``HTTPAdapter(max_retries=...)`` as requests reads it: ``0`` → ``Retry(0,
    read=False)`` (no retries); another number ``n`` → ``Retry(n)`` with redirects left
    to the session; ``None`` → :attr:`Retry.DEFAULT`; a Retry as is; a urllib3 Retry
    converted. Raises ``TypeError`` for anything else."""
    if isinstance(max_retries, Retry):
        return max_retries
    if max_retries is None:
        return Retry.from_int(None)
    if isinstance(max_retries, (int, float)):  # bool included
        if max_retries == 0:  # requests' DEFAULT_RETRIES (False == 0 there too)
            return Retry(0, read=False)
        return Retry.from_int(max_retries)  # type: ignore[arg-type]
    if all(hasattr(max_retries, a) for a in ("total", "increment", "is_exhausted")):
        return _from_foreign(max_retries)
    raise TypeError(
        f"max_retries must be an int, a Retry or a urllib3 Retry, not {max_retries!r}")
