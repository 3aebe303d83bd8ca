"""Exit codes of the ``tether`` command and the mapping from exceptions to them.

Every failure ends with one line on stderr (``tether: error: ...``) and a distinct exit
status, so scripts can tell a typo from a dead server from a bad certificate:

====  ===================================================================
code  meaning
====  ===================================================================
0     success
1     a negative answer (``tether robots``: some path is disallowed)
2     usage: bad arguments, an unreadable file, an invalid URL
3     HTTP 3xx response with ``--check-status`` (redirect not followed)
4     HTTP 4xx response with ``--check-status``
5     HTTP 5xx response with ``--check-status``
6     too many redirects
7     network: cannot connect, connection reset or lost
8     timeout
9     TLS: certificate verification or handshake failed
10    protocol: the peer broke the protocol (a malformed reply, a body cut short
      before its announced length) or passed a limit
11    refused by the server: authentication failed, mail rejected, ``-ERR``
70    internal error (a bug in tether; ``--debug`` shows the traceback)
130   interrupted (Ctrl-C)
====  ===================================================================
"""

from __future__ import annotations

import builtins
import enum
import ssl

from tether import errors


class ExitCode(enum.IntEnum):
    OK = 0
    NEGATIVE = 1
    USAGE = 2
    HTTP_3XX = 3
    HTTP_4XX = 4
    HTTP_5XX = 5
    TOO_MANY_REDIRECTS = 6
    NETWORK = 7
    TIMEOUT = 8
    TLS = 9
    PROTOCOL = 10
    REFUSED = 11
    INTERNAL = 70
    INTERRUPTED = 130


class CLIError(Exception):
    """An error the command line reports as one line, with its exit code."""

    def __init__(self, message: str, code: ExitCode = ExitCode.USAGE) -> None:
        super().__init__(message)
        self.code = code


def _refusal_classes() -> tuple[type[BaseException], ...]:
    """Server refusals of the mail modules, if they are installed."""
    found: list[type[BaseException]] = []
    try:
        from tether.smtp import SMTPRecipientsRefused, SMTPResponseException

        found += [SMTPResponseException, SMTPRecipientsRefused]
    except ImportError:
        pass
    try:
        from tether.pop3 import POP3ResponseError

        found.append(POP3ResponseError)
    except ImportError:
        pass
    return tuple(found)


def exit_code_for(exc: BaseException) -> ExitCode:
    """The exit status for an exception raised by a command.

    A network error that wraps a more specific one (requests' ``ConnectionError`` around
    a malformed reply, say) gets the code of the wrapped error.
    """
    code = _code_of(exc)
    seen = {id(exc)}
    inner = exc.__cause__
    while code == ExitCode.NETWORK and inner is not None and id(inner) not in seen:
        seen.add(id(inner))
        if _code_of(inner) in (ExitCode.PROTOCOL, ExitCode.TLS, ExitCode.TIMEOUT):
            return _code_of(inner)
        inner = inner.__cause__
    return code


def _code_of(exc: BaseException) -> ExitCode:
    from tether import exceptions

    if isinstance(exc, CLIError):
        return exc.code
    if isinstance(exc, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    if isinstance(exc, exceptions.TooManyRedirects):
        return ExitCode.TOO_MANY_REDIRECTS
    if isinstance(exc, errors.TLSError | ssl.SSLError):
        return ExitCode.TLS
    if isinstance(exc, builtins.TimeoutError):
        return ExitCode.TIMEOUT
    refusals = _refusal_classes()
    if refusals and isinstance(exc, refusals):
        return ExitCode.REFUSED
    if isinstance(exc, errors.ProtocolError | errors.LimitExceeded
                  | exceptions.ContentDecodingError):
        return ExitCode.PROTOCOL
    if isinstance(exc, exceptions.InvalidURL | exceptions.MissingSchema
                  | exceptions.InvalidSchema | exceptions.InvalidHeader
                  | exceptions.URLRequired | errors.UsageError):
        return ExitCode.USAGE
    if isinstance(exc, errors.NetworkError | exceptions.ConnectionError | OSError):
        return ExitCode.NETWORK
    if isinstance(exc, errors.TetherError | ValueError):
        return ExitCode.USAGE
    return ExitCode.INTERNAL


def _reply(code: object, text: object) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}"


def one_line(exc: BaseException) -> str:
    """The exception's message on one line (its class name if it has none)."""
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    recipients = getattr(exc, "recipients", None)
    if isinstance(recipients, dict) and recipients:  # smtplib.SMTPRecipientsRefused
        refused = "; ".join(f"{addr}: {_reply(*reply)}" for addr, reply in recipients.items())
        text = f"every recipient was refused: {refused}"
    elif hasattr(exc, "smtp_code") and hasattr(exc, "smtp_error"):
        text = f"the SMTP server answered {_reply(exc.smtp_code, exc.smtp_error)}"
    else:
        text = str(exc)
    text = " ".join(text.split())
    return text or type(exc).__name__
