"""SMTP and LMTP clients: a drop-in :mod:`smtplib`, an asyncio twin, safe defaults.

``import tether.smtp as smtplib`` works for existing code: every public name of
smtplib with the same signatures, return values, exception types and texts; methods
call each other through ``self`` as smtplib's do (``send_message`` → ``sendmail`` →
``ehlo_or_helo_if_needed``/``mail``/``rcpt``/``data``), so subclasses keep working.
Module attributes are read when used: setting ``_MAXLINE`` or replacing ``socket``
(test doubles, PySocks) takes effect as with smtplib. :class:`AsyncSMTP` has the same
methods as coroutines; both run one sans-I/O engine (:mod:`tether.protocols.smtp`).

Beyond smtplib: PIPELINING (RFC 2920) used automatically by ``sendmail`` when
offered; BDAT (RFC 3030) when offered and ``use_chunking = True``; ``SIZE`` checked
before sending (:class:`SMTPMessageTooLarge`); RFC 3463 codes as
``SMTPResponseException.enhanced_status``; ``login_oauth()`` (OAUTHBEARER/XOAUTH2);
``send_batched()`` (at most 100 RCPTs per transaction, RFC 5321 §4.5.3.1.8);
``send_many()`` (many messages on one connection, one round trip each under
PIPELINING: a message's body and the next envelope share a write, RFC 2920 §3.1;
per-message results); ``SMTPPool``/``AsyncSMTPPool`` (a few connections from a
factory, ``send_many`` spread over them).

Defaults that differ from smtplib (safe by default)
---------------------------------------------------
- **Certificates are verified**: ``starttls()`` without a context and ``SMTP_SSL``
  without one use :func:`tether.net.create_ssl_context` (system trust,
  ``SSL_CERT_FILE``/``SSL_CERT_DIR``), not an unverified context.
- **No cleartext passwords by accident**: ``login()``/``auth()`` with PLAIN, LOGIN,
  XOAUTH2 or OAUTHBEARER raise :class:`SMTPCleartextAuthError` unless the connection
  is TLS or to a loopback address, or the client was made with
  ``allow_cleartext_auth=True``. ``login()`` still uses CRAM-MD5 when offered.
- **Finite timeouts**: ``timeout=`` keeps smtplib's meaning (a socket timeout for
  every wait; ``socket.setdefaulttimeout()`` honoured when nothing is passed), but
  with nothing passed and no global default, tether's finite defaults apply
  (connect 10 s, each read/write 30 s) instead of waiting forever. A
  :class:`TimeoutConfig` is accepted; its ``total`` bounds each public method call.
- **Bodies are normalised**: bare CR and LF become CRLF in ``bytes`` messages too
  (smtplib sends bytes as is), so ``\\n.\\n`` can never end DATA early (SMTP
  smuggling).
- **Injection refused**: NUL is refused in commands as well as CR/LF
  (:class:`SMTPCommandInjection`, a ``ValueError``); ``send_message`` refuses header
  values with a non-folding CR/LF (:class:`SMTPHeaderInjection`, CVE-2024-6923).
- **TLS upgrade**: a non-220 STARTTLS reply raises (as smtplib); plaintext buffered
  with the 220 is discarded; the EHLO state is reset so EHLO runs again.
- A server that goes silent raises :class:`SMTPServerTimeout` (an
  ``SMTPServerDisconnected`` as in smtplib, and a ``TimeoutError``).

Deliberate differences in CPython's ``test_smtplib`` (run in tests/smtp):
- ``LMTPGeneralTests.testUnixDomainSocketTimeoutDefault``: a Unix-socket LMTP
  connection with no timeout gets tether's finite read timeout, not none.
"""

import socket as socket

from tether.net import TimeoutConfig as TimeoutConfig
from tether.protocols.smtp.commands import CRLF as CRLF
from tether.protocols.smtp.commands import addr_only as _addr_only  # noqa: F401
from tether.protocols.smtp.commands import quoteaddr as quoteaddr
from tether.protocols.smtp.extensions import _OLDSTYLE_AUTH as OLDSTYLE_AUTH  # noqa: F401
from tether.protocols.smtp.message import fix_eols_text as _fix_eols  # noqa: F401
from tether.protocols.smtp.message import quote_periods as _quote_periods  # noqa: F401
from tether.protocols.smtp.message import quotedata as quotedata
from tether.smtp._async import AsyncSMTP as AsyncSMTP
from tether.smtp._base import SMTP_PORT as SMTP_PORT
from tether.smtp._base import SMTP_SSL_PORT as SMTP_SSL_PORT
from tether.smtp._client import LMTP as LMTP
from tether.smtp._client import LMTP_PORT as LMTP_PORT
from tether.smtp._client import SMTP as SMTP
from tether.smtp._client import SMTP_SSL as SMTP_SSL
from tether.smtp._errors import SMTPAuthenticationError as SMTPAuthenticationError
from tether.smtp._errors import SMTPCleartextAuthError as SMTPCleartextAuthError
from tether.smtp._errors import SMTPCommandInjection as SMTPCommandInjection
from tether.smtp._errors import SMTPConnectError as SMTPConnectError
from tether.smtp._errors import SMTPDataError as SMTPDataError
from tether.smtp._errors import SMTPException as SMTPException
from tether.smtp._errors import SMTPHeaderInjection as SMTPHeaderInjection
from tether.smtp._errors import SMTPHeloError as SMTPHeloError
from tether.smtp._errors import SMTPMessageTooLarge as SMTPMessageTooLarge
from tether.smtp._errors import SMTPNotSupportedError as SMTPNotSupportedError
from tether.smtp._errors import SMTPRecipientsRefused as SMTPRecipientsRefused
from tether.smtp._errors import SMTPReplyTooLong as SMTPReplyTooLong
from tether.smtp._errors import SMTPResponseException as SMTPResponseException
from tether.smtp._errors import SMTPSenderRefused as SMTPSenderRefused
from tether.smtp._errors import SMTPServerDisconnected as SMTPServerDisconnected
from tether.smtp._errors import SMTPServerTimeout as SMTPServerTimeout
from tether.smtp._pool import AsyncSMTPPool as AsyncSMTPPool
from tether.smtp._pool import SMTPPool as SMTPPool

bCRLF = b"\r\n"
#: Longest reply line accepted (smtplib's name; read at use time, so it can be raised).
_MAXLINE = 8192
#: Most AUTH challenges answered (smtplib's name; read at use time).
_MAXCHALLENGE = 5
_have_ssl = True

# smtplib's __all__, then tether's additions.
__all__ = [
    "SMTP",
    "SMTP_SSL",
    "AsyncSMTP",
    "AsyncSMTPPool",
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
    "SMTPPool",
    "SMTPRecipientsRefused",
    "SMTPReplyTooLong",
    "SMTPResponseException",
    "SMTPSenderRefused",
    "SMTPServerDisconnected",
    "SMTPServerTimeout",
    "TimeoutConfig",
    "quoteaddr",
    "quotedata",
]
