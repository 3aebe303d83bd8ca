"""Translate ``OSError``/``ssl`` exceptions into :mod:`tether.errors`, in one place.

The original exception is kept as ``__cause__``. ``ssl`` errors keep their ``reason``,
``library`` and message text (programs match on them); the host name is appended.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
from collections.abc import Iterator

from tether import errors

__all__ = ["translate_exception", "translate_tls_error", "translating"]


def translate_tls_error(exc: ssl.SSLError, host: str | None) -> errors.TLSError:
    """A :class:`~tether.errors.TLSError` carrying ``exc``'s reason and text."""
    text = str(exc)
    if host:
        text = f"{text} (TLS with {host!r})"
    cls: type[errors.TLSError] = (
        errors.TLSVerificationError
        if isinstance(exc, ssl.SSLCertVerificationError)
        else errors.TLSError
    )
    err = cls(exc.errno if exc.errno is not None else 1, text)
    for attr in ("reason", "library", "verify_code", "verify_message"):
        value = getattr(exc, attr, None)
        if value is not None:
            setattr(err, attr, value)
    return err


def translate_exception(
    exc: BaseException,
    step: str,
    *,
    timeout_cls: type[errors.TimeoutError],
    error_cls: type[errors.NetworkError],
    timeout_message: str | None = None,
    host: str | None = None,
) -> BaseException:
    """The tether exception for ``exc`` (``exc`` itself if it is not a network error)."""
    if isinstance(exc, errors.TetherError):
        return exc
    if isinstance(exc, TimeoutError):
        return timeout_cls(timeout_message or f"timed out while {step}")
    if isinstance(exc, ssl.SSLError):
        return translate_tls_error(exc, host)
    if isinstance(exc, socket.gaierror):
        return errors.ConnectError(f"could not resolve host while {step}: {exc}")
    if isinstance(exc, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
        return error_cls(f"connection lost while {step}: {exc.strerror or exc}")
    if isinstance(exc, OSError):
        return error_cls(f"{exc.strerror or exc} while {step}")
    return exc


@contextlib.contextmanager
def translating(
    step: str,
    *,
    timeout_cls: type[errors.TimeoutError],
    error_cls: type[errors.NetworkError],
    timeout_message: str | None = None,
    host: str | None = None,
) -> Iterator[None]:
    """Map low-level exceptions raised inside the block onto tether's tree.

    ``step`` says what was going on ("reading from 127.0.0.1:8080"); it becomes part of
    the message.
    """
    try:
        yield
    except Exception as exc:
        mapped = translate_exception(exc, step, timeout_cls=timeout_cls, error_cls=error_cls,
                                     timeout_message=timeout_message, host=host)
        if mapped is exc:
            raise
        raise mapped from exc
