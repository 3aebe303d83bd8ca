"""errors.py: the tree, stdlib-compatible parents, pickling, messages."""

from __future__ import annotations

import builtins
import pickle
import ssl

import pytest

from tether import errors


def test_every_class_is_a_tether_error() -> None:
    for name in errors.__all__:
        obj = getattr(errors, name)
        if isinstance(obj, type):
            assert issubclass(obj, errors.TetherError), name


@pytest.mark.parametrize(
    ("cls", "parents"),
    [
        (errors.NetworkError, (OSError,)),
        (errors.ConnectError, (errors.NetworkError,)),
        (errors.ConnectionClosed, (errors.NetworkError,)),
        (errors.ReadTimeout, (builtins.TimeoutError, errors.NetworkError)),
        (errors.ConnectTimeout, (builtins.TimeoutError, errors.ConnectError)),
        (errors.PoolTimeout, (builtins.TimeoutError,)),
        (errors.TLSError, (ssl.SSLError,)),
        (errors.TLSVerificationError, (ssl.SSLCertVerificationError, errors.TLSError)),
        (errors.LocalProtocolError, (errors.ProtocolError,)),
        (errors.RemoteProtocolError, (errors.ProtocolError,)),
        (errors.ClosedError, (errors.UsageError,)),
        (errors.BusyError, (errors.UsageError,)),
    ],
)
def test_parents(cls: type, parents: tuple[type, ...]) -> None:
    for parent in parents:
        assert issubclass(cls, parent)


@pytest.mark.parametrize(
    "exc",
    [
        errors.ReadTimeout("timed out after 2s while reading from 127.0.0.1:25"),
        errors.ConnectError("could not connect to example:25: Connection refused"),
        errors.RemoteProtocolError("bad status line", b"HTTP/9 ???"),
        errors.LimitExceeded("line too long", "MAX_LINE", 8192),
        errors.TLSVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] nope"),
        errors.ClosedError("closed"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_pickle_roundtrip_keeps_type_message_and_attributes(exc: Exception) -> None:
    exc.extra = "kept"  # type: ignore[attr-defined]
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is type(exc)
    assert str(back) == str(exc)
    assert back.__dict__ == exc.__dict__


def test_messages_are_readable() -> None:
    assert str(errors.LimitExceeded("line too long", "MAX_LINE", 8192)) == (
        "line too long: exceeds MAX_LINE=8192"
    )
    err = errors.RemoteProtocolError("bad status line", b"x" * 200)
    assert err.received == b"x" * 200
    assert "..." in str(err) and len(str(err)) < 200
    tls = errors.TLSError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number")
    assert str(tls) == "[SSL: WRONG_VERSION_NUMBER] wrong version number"
    assert str(errors.ReadError("reset")) == "reset"
