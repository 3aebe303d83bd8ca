"""The one boundary where transport errors become requests' exceptions.

The transport raises :mod:`tether.errors` classes; the requests API raises
:mod:`tether.exceptions` classes (which are also the tether classes where a match
exists). :func:`translate` maps one onto the other, keeps the message, sets
``.request`` (and ``.response`` when there is one), and chains the original as
``__cause__``. ``phase`` is ``"send"`` (connecting, sending, waiting for the head) or
``"body"`` (reading the body), because requests reports the same low-level failure
differently in each (a broken body is ``ChunkedEncodingError``).
"""

from __future__ import annotations

from typing import Any, Literal

from tether import errors
from tether import exceptions as exc
from tether.http._types import ProxyError as TransportProxyError

__all__ = ["translate"]

Phase = Literal["send", "body"]


def _tls(error: errors.TLSError, request: Any) -> exc.SSLError:
    cls = (exc.SSLCertVerificationError if isinstance(error, errors.TLSVerificationError)
           else exc.SSLError)
    new = cls(*error.args, request=request)
    for attr in ("reason", "library", "verify_code", "verify_message"):
        value = getattr(error, attr, None)
        if value is not None:
            setattr(new, attr, value)
    return new


def _pick(error: BaseException, request: Any, phase: Phase,
          via_proxy: bool) -> exc.RequestException | None:
    text = str(error)
    if isinstance(error, errors.ConnectTimeout):
        return exc.ConnectTimeout(text, request=request)
    if isinstance(error, errors.ReadTimeout):
        cls: type[exc.RequestException] = (
            exc.BodyReadTimeout if phase == "body" else exc.ReadTimeout)
        return cls(text, request=request)
    if isinstance(error, errors.WriteTimeout):
        return exc.WriteTimeout(text, request=request)
    if isinstance(error, errors.PoolTimeout):
        return exc.PoolTimeout(text, request=request)
    if isinstance(error, errors.TimeoutError):
        return exc.ReadTimeout(text, request=request)
    if isinstance(error, errors.TLSError):
        return _tls(error, request)
    if isinstance(error, TransportProxyError):
        return exc.ProxyError(text, request=request)
    if isinstance(error, errors.ConnectError):
        if via_proxy:
            return exc.ProxyError(f"Cannot connect to proxy. {text}", request=request)
        return exc.ConnectionError(text, request=request)
    if isinstance(error, errors.RemoteProtocolError) and "Content-Length" in text:
        # requests (through urllib3) reports conflicting lengths as a bad header.
        return exc.InvalidHeader(text, request=request)
    if isinstance(error, errors.LocalProtocolError):
        return exc.InvalidHeader(text, request=request)
    if isinstance(error, (errors.NetworkError, errors.ProtocolError, errors.LimitExceeded)):
        if phase == "body":
            return exc.ChunkedEncodingError(f"Connection broken: {text}", request=request)
        return exc.ConnectionError(f"Connection aborted. {text}", request=request)
    return None


def translate(error: BaseException, request: Any = None, phase: Phase = "send",
              via_proxy: bool = False, response: Any = None) -> BaseException:
    """The exception to raise instead of ``error`` (``error`` itself when it is already
    a requests exception or not a transport failure)."""
    if isinstance(error, exc.RequestException):
        if error.request is None and request is not None:
            error.request = request
        return error
    new = _pick(error, request, phase, via_proxy)
    if new is None:
        return error
    if response is not None:
        new.response = response
    new.__cause__ = error
    return new
