"""POP3 wire formats: commands out, status lines, listings and greetings in.

Pure functions, no state. The engine (``connection.py``) frames responses; these
functions give them meaning. Every function that reads peer data raises
:class:`~tether.errors.RemoteProtocolError` or :class:`~tether.errors.LimitExceeded`,
never a bare ``ValueError``/``IndexError``.
"""

from __future__ import annotations

import hashlib

from tether.errors import LimitExceeded, LocalProtocolError, RemoteProtocolError

__all__ = [
    "apop_digest",
    "apop_timestamp",
    "check_command_line",
    "dot_stuff",
    "join_crlf",
    "parse_capa",
    "parse_stat",
    "split_lines",
]

_FORBIDDEN = (b"\r", b"\n", b"\x00")


def check_command_line(line: bytes) -> None:
    """Refuse a command line holding CR, LF or NUL (command injection), before sending.

    RFC 1939 §3: a command is one line ended by CRLF; an argument carrying CR or LF
    would let a caller-supplied value (a user name, a message number taken from a
    form) smuggle a second command such as ``DELE 1``.
    """
    if 13 not in line and 10 not in line and 0 not in line:
        return  # the usual case (int membership tests are cheaper than bytes ones)
    for char in _FORBIDDEN:
        if char in line:
            raise LocalProtocolError(
                f"refusing to send a POP3 command containing {char!r}: "
                f"{line[:60]!r} (CR, LF and NUL are not allowed in arguments)"
            )


def split_lines(body: bytes, max_line_length: int, max_lines: int, *,
                line_limit_name: str = "_MAXLINE",
                lines_limit_name: str = "max_response_lines") -> list[bytes]:
    """Split an un-stuffed body into lines without their line ends, as poplib does.

    poplib accepts CRLF, LF and LFCR line ends; the common all-CRLF body is split with
    one ``bytes.split`` (C speed), anything else line by line with poplib's rules.
    ``max_line_length`` bounds each line (line end excluded); ``max_lines`` the count.
    """
    if not body:
        return []
    n_lf = body.count(b"\n")
    if n_lf > max_lines:
        raise LimitExceeded("multi-line response has too many lines", lines_limit_name,
                            max_lines)
    lines = body.split(b"\r\n")
    if not lines[-1] and len(lines) - 1 == n_lf:  # ends with CRLF; every LF in a CRLF
        lines.pop()  # the empty string after the last CRLF
    else:
        lines = []
        for raw in body.split(b"\n"):
            if raw.endswith(b"\r"):
                raw = raw[:-1]
            elif raw.startswith(b"\r"):
                raw = raw[1:]  # LFCR line ends, which poplib also accepts
            lines.append(raw)
        if body.endswith(b"\n"):
            lines.pop()
    # No line is longer than the body: short bodies need no per-line check.
    if len(body) > max_line_length and lines and max(map(len, lines)) > max_line_length:
        raise LimitExceeded("line too long", line_limit_name, max_line_length + 2)
    return lines


def join_crlf(body: bytes) -> bytes:
    """``body`` with every line ended by CRLF (already so for every sane server)."""
    if not body or (body.endswith(b"\r\n") and body.count(b"\r\n") == body.count(b"\n")):
        return body
    lines = split_lines(body, len(body), len(body) + 1)
    return b"\r\n".join(lines) + b"\r\n"


def dot_stuff(body: bytes) -> bytes:
    """Encode ``body`` (CRLF lines) as a multi-line response body with its terminator.

    The inverse of what :class:`~tether.protocols.pop3.readers.BodyScanner` undoes;
    used by test servers and round-trip tests.
    """
    if body and not body.endswith(b"\r\n"):
        body += b"\r\n"
    stuffed = body.replace(b"\r\n.", b"\r\n..")
    if stuffed.startswith(b"."):
        stuffed = b"." + stuffed
    return stuffed + b".\r\n"


def parse_stat(line: bytes) -> tuple[int, int]:
    """``+OK nn mm`` → ``(nn, mm)`` (RFC 1939 §5, STAT)."""
    parts = line.split()
    try:
        count, size = int(parts[1]), int(parts[2])
    except (IndexError, ValueError):
        raise RemoteProtocolError("malformed STAT response", line) from None
    if count < 0 or size < 0:
        raise RemoteProtocolError("malformed STAT response", line)
    return count, size


def parse_capa(lines: list[bytes]) -> dict[str, list[str]]:
    """CAPA listing (RFC 2449 §5) → ``{"NAME": ["arg", ...]}``, poplib's shape.

    Capability names and arguments are ASCII; blank lines are skipped.
    """
    caps: dict[str, list[str]] = {}
    for raw in lines:
        try:
            words = raw.decode("ascii").split()
        except UnicodeDecodeError:
            raise RemoteProtocolError("non-ASCII capability line", raw) from None
        if words:
            caps[words[0]] = words[1:]
    return caps


def apop_timestamp(welcome: bytes) -> bytes | None:
    """The ``<...>`` timestamp of an APOP greeting (RFC 1939 §7), in linear time.

    Same result as poplib's ``\\+OK.[^<]*(<.*>)`` match: from the first ``<`` after
    ``+OK`` and one more character, to the last ``>`` on that line; but with two
    ``find`` calls instead of a backtracking regex, so a greeting of a million ``<``
    costs microseconds (CPython issue 39197-style ReDoS).
    """
    if len(welcome) < 4 or not welcome.startswith(b"+OK") or welcome[3:4] == b"\n":
        return None
    lt = welcome.find(b"<", 4)
    if lt < 0:
        return None
    newline = welcome.find(b"\n", lt)
    end = newline if newline >= 0 else len(welcome)
    gt = welcome.rfind(b">", lt, end)
    if gt < 0:
        return None
    return welcome[lt:gt + 1]


def apop_digest(timestamp: bytes, secret: bytes) -> str:
    """MD5 hex digest of timestamp + shared secret (RFC 1939 §7, APOP)."""
    return hashlib.md5(timestamp + secret, usedforsecurity=False).hexdigest()
