"""Timeout values and deadlines, shared by every client and both colours.

``TimeoutConfig`` is the immutable value callers pass; ``Deadline`` is a point in time
(monotonic clock) after which a whole call must stop. Each wait uses
:func:`budget`: the smaller of its own timeout and the time left before the deadline,
and knows which of the two was binding so that the error can say so.
"""

from __future__ import annotations

import dataclasses
import math
import socket
import time
from typing import Final

from tether import errors

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_POOL_TIMEOUT",
    "DEFAULT_READ_TIMEOUT",
    "DEFAULT_TIMEOUTS",
    "DEFAULT_WRITE_TIMEOUT",
    "Deadline",
    "TimeoutConfig",
    "budget",
    "timeouts_from_stdlib",
]

#: Connecting (TCP + TLS handshake) gives up after this many seconds by default.
DEFAULT_CONNECT_TIMEOUT: Final = 10.0
#: Each wait for data from the peer gives up after this many seconds by default.
DEFAULT_READ_TIMEOUT: Final = 30.0
#: Each wait for the peer to accept data gives up after this many seconds by default.
DEFAULT_WRITE_TIMEOUT: Final = 30.0
#: Waiting for a free pooled connection gives up after this many seconds by default.
DEFAULT_POOL_TIMEOUT: Final = 10.0


def _check(name: str, value: float | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"TimeoutConfig.{name} must be a number of seconds or None, not {value!r}")
    if math.isnan(value) or value < 0:
        raise ValueError(f"TimeoutConfig.{name} must be >= 0 or None, not {value!r}")


@dataclasses.dataclass(frozen=True, slots=True)
class TimeoutConfig:
    """How long tether waits, in seconds; ``None`` means "wait forever".

    - ``connect``: establishing a connection (TCP, proxy, TLS handshake);
    - ``read``: each wait for data from the peer;
    - ``write``: each wait for the peer to accept data;
    - ``pool``: waiting for a free connection in a pool;
    - ``total``: a deadline for the whole call, from its start. Every wait inside uses
      the smaller of its own timeout and the time left; ``None`` (the default) sets no
      deadline.
    """

    connect: float | None = DEFAULT_CONNECT_TIMEOUT
    read: float | None = DEFAULT_READ_TIMEOUT
    write: float | None = DEFAULT_WRITE_TIMEOUT
    pool: float | None = DEFAULT_POOL_TIMEOUT
    total: float | None = None

    def __post_init__(self) -> None:
        for field in ("connect", "read", "write", "pool", "total"):
            _check(field, getattr(self, field))

    @classmethod
    def uniform(cls, seconds: float | None) -> TimeoutConfig:
        """One value for every individual wait, no total deadline (stdlib socket style)."""
        return cls(connect=seconds, read=seconds, write=seconds, pool=seconds, total=None)

    def replace(self, **changes: float | None) -> TimeoutConfig:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def deadline(self) -> Deadline | None:
        """A new :class:`Deadline` for a call starting now, or ``None`` without ``total``."""
        if self.total is None:
            return None
        return Deadline(self.total)


#: tether's defaults: finite everywhere, no total deadline.
DEFAULT_TIMEOUTS: Final = TimeoutConfig()


def timeouts_from_stdlib(timeout: object) -> TimeoutConfig:
    """Interpret a stdlib-style ``timeout=`` argument (smtplib, poplib, urlopen...).

    - a :class:`TimeoutConfig` is used as given;
    - a number (or ``None``) is the stdlib's socket timeout: every connect, read and
      write waits at most that long (``None``: forever, because the caller said so);
    - the stdlib's sentinel ``socket._GLOBAL_DEFAULT_TIMEOUT`` means "nothing passed":
      a global default set with :func:`socket.setdefaulttimeout` is honoured as the
      stdlib would; otherwise tether's finite :data:`DEFAULT_TIMEOUTS` apply.
    """
    if isinstance(timeout, TimeoutConfig):
        return timeout
    if timeout is _GLOBAL_DEFAULT:
        global_default = socket.getdefaulttimeout()
        if global_default is None:
            return DEFAULT_TIMEOUTS
        return TimeoutConfig.uniform(global_default)
    if timeout is None:
        return TimeoutConfig.uniform(None)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(f"timeout must be a number, None or TimeoutConfig, not {timeout!r}")
    if timeout <= 0:
        # socket.settimeout(0) would make the socket non-blocking; the stdlib clients
        # refuse it too ("Non-blocking socket (timeout=0) is not supported").
        raise ValueError("Non-blocking socket (timeout=0) is not supported")
    return TimeoutConfig.uniform(float(timeout))


_GLOBAL_DEFAULT: Final[object] = socket._GLOBAL_DEFAULT_TIMEOUT  # type: ignore[attr-defined]


class Deadline:
    """A monotonic point in time by which a call must finish."""

    __slots__ = ("at", "total")

    def __init__(self, total: float) -> None:
        self.total = total
        self.at = time.monotonic() + total

    def remaining(self) -> float:
        """Seconds left (may be negative once passed)."""
        return self.at - time.monotonic()

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0

    def __repr__(self) -> str:
        return f"Deadline(total={self.total}, remaining={self.remaining():.3f})"


def budget(timeout: float | None, deadline: Deadline | None) -> tuple[float | None, bool]:
    """The time one wait may take, and whether the deadline (not ``timeout``) binds.

    Raises nothing; a non-positive result means the deadline has already passed and the
    caller should raise at once (see :func:`timeout_error`).
    """
    if deadline is None:
        return timeout, False
    left = deadline.remaining()
    if timeout is None or left < timeout:
        return left, True
    return timeout, False


def timeout_error(
    kind: type[errors.TimeoutError], step: str, timeout: float | None, by_deadline: bool,
    deadline: Deadline | None,
) -> errors.TimeoutError:
    """Build the timeout error of ``step`` ("reading", "connecting to x"...)."""
    if by_deadline and deadline is not None:
        return kind(f"the total deadline of {deadline.total:g}s passed while {step}")
    return kind(f"timed out after {timeout:g}s while {step}" if timeout is not None
                else f"timed out while {step}")
