"""smtplib's exception classes, rooted in tether's tree.

Each class keeps smtplib's name, constructor, attributes (``smtp_code``,
``smtp_error``, ``sender``, ``recipients``) and ``args``, so ``except
smtplib.SMTPException`` code and ``str(exc)`` are unchanged; each is also a
:class:`~tether.errors.TetherError` (and ``SMTPException`` is an :class:`OSError`,
as in smtplib). tether's additions are subclasses of both families::

    SMTPException (TetherError, OSError)
    ├── SMTPNotSupportedError
    ├── SMTPServerDisconnected (also ConnectionClosed)
    │   └── SMTPServerTimeout (also ReadTimeout): the server went silent
    ├── SMTPResponseException
    │   ├── SMTPSenderRefused, SMTPDataError, SMTPConnectError, SMTPHeloError,
    │   │   SMTPAuthenticationError
    │   ├── SMTPReplyTooLong (also LimitExceeded): 500 "Line too long."
    │   └── SMTPMessageTooLarge (also LimitExceeded): bigger than the server's SIZE
    ├── SMTPRecipientsRefused
    ├── SMTPCommandInjection (also CommandInjectionError: LocalProtocolError, ValueError)
    ├── SMTPHeaderInjection (also LocalProtocolError, ValueError)
    └── SMTPCleartextAuthError (also UsageError): a password would go out unencrypted
"""

from __future__ import annotations

from tether.errors import (
    ConnectionClosed,
    LimitExceeded,
    LocalProtocolError,
    ReadTimeout,
    TetherError,
    UsageError,
)
from tether.protocols.smtp.commands import CommandInjectionError

__all__ = [
    "SMTPAuthenticationError",
    "SMTPCleartextAuthError",
    "SMTPCommandInjection",
    "SMTPConnectError",
    "SMTPDataError",
    "SMTPException",
    "SMTPHeaderInjection",
    "SMTPHeloError",
    "SMTPMessageTooLarge",
    "SMTPNotSupportedError",
    "SMTPRecipientsRefused",
    "SMTPReplyTooLong",
    "SMTPResponseException",
    "SMTPSenderRefused",
    "SMTPServerDisconnected",
    "SMTPServerTimeout",
]


class SMTPException(TetherError, OSError):
    """Base class for all exceptions raised by this module."""


class SMTPNotSupportedError(SMTPException):
    """The command or option is not supported by the SMTP server."""


class SMTPServerDisconnected(SMTPException, ConnectionClosed):
    """Not connected to any SMTP server (the server closed, or connect() was not run)."""


class SMTPServerTimeout(SMTPServerDisconnected, ReadTimeout):
    """The server sent nothing for longer than the timeout; the connection is closed.

    smtplib reports this as ``SMTPServerDisconnected``; it still is one, and also
    tether's :class:`~tether.errors.ReadTimeout` (so ``except TimeoutError`` works).
    """


class SMTPResponseException(SMTPException):
    """An error reply: ``smtp_code`` and ``smtp_error`` hold the server's reply.

    ``enhanced_status`` is the RFC 3463 status (``"5.1.1"``) when the server sent one.
    """

    def __init__(self, code: int, msg: bytes | str) -> None:
        self.smtp_code = code
        self.smtp_error = msg
        self.args = (code, msg)

    @property
    def enhanced_status(self) -> str | None:
        from tether.protocols.smtp.replies import _parse_enhanced

        msg = self.smtp_error
        text = msg.encode("latin-1", "replace") if isinstance(msg, str) else msg
        return _parse_enhanced(self.smtp_code, text)


class SMTPSenderRefused(SMTPResponseException):
    """Sender address refused; ``sender`` is the address."""

    def __init__(self, code: int, msg: bytes | str, sender: str) -> None:
        self.smtp_code = code
        self.smtp_error = msg
        self.sender = sender
        self.args = (code, msg, sender)


class SMTPRecipientsRefused(SMTPException):
    """All recipient addresses refused; ``recipients`` maps each to (code, message)."""

    def __init__(self, recipients: dict[str, tuple[int, bytes]]) -> None:
        self.recipients = recipients
        self.args = (recipients,)


class SMTPDataError(SMTPResponseException):
    """The SMTP server didn't accept the data."""


class SMTPConnectError(SMTPResponseException):
    """Error during connection establishment."""


class SMTPHeloError(SMTPResponseException):
    """The server refused our HELO reply."""


class SMTPAuthenticationError(SMTPResponseException):
    """The server did not accept the credentials."""


class SMTPReplyTooLong(SMTPResponseException, LimitExceeded):
    """A reply line or reply passed its bound (smtplib: ``500 "Line too long."``).

    ``limit`` names the bound (``max_line_length`` / ``max_reply_lines``).
    """

    def __init__(self, limit: str, value: int) -> None:
        SMTPResponseException.__init__(self, 500, "Line too long.")
        self.limit = limit
        self.value = value


class SMTPMessageTooLarge(SMTPResponseException, LimitExceeded):
    """The message is larger than the ``SIZE`` the server announced (RFC 1870).

    Raised before the transaction starts, as the server's 552 would be after it.
    """

    def __init__(self, size: int, limit: int) -> None:
        SMTPResponseException.__init__(
            self, 552, f"message size {size} exceeds the server's SIZE limit of {limit}"
        )
        self.limit = "SIZE"
        self.value = limit


class SMTPCommandInjection(SMTPException, CommandInjectionError):
    """CR, LF or NUL inside a command argument; nothing was sent.

    Also a :class:`ValueError` (what smtplib raises) and a
    :class:`~tether.errors.LocalProtocolError`.
    """

    def __init__(self, message: str) -> None:
        Exception.__init__(self, message)


class SMTPHeaderInjection(SMTPException, LocalProtocolError, ValueError):
    """A header value holds a CR or LF that is not folding (CVE-2024-6923); not sent."""

    def __init__(self, message: str) -> None:
        Exception.__init__(self, message)


class SMTPCleartextAuthError(SMTPException, UsageError):
    """Credentials would be sent unencrypted to a non-loopback server; nothing was sent."""

    def __init__(self, message: str) -> None:
        Exception.__init__(self, message)
