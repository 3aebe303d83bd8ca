"""tether.pop3: a POP3 client that is a drop-in for :mod:`poplib`, plus an async twin.

``import tether.pop3 as poplib`` keeps programs working: ``POP3``, ``POP3_SSL``,
``error_proto``, ``POP3_PORT``, ``POP3_SSL_PORT``, ``CR``, ``LF``, ``CRLF``, ``_MAXLINE``
(read at each call, so ``poplib._MAXLINE = 1 << 20`` still raises the line bound), every
method with poplib's return shapes (``(b"+OK ...", [b"line", ...], octets)``), the
``sock`` (live socket; ``ssl.SSLSocket`` under TLS) and ``file`` attributes, and the
private helpers programs call (``_shortcmd``, ``_longcmd``, ``_getresp``...).

Beyond poplib: :class:`AsyncPOP3`/:class:`AsyncPOP3_SSL` (same methods as coroutines),
SASL ``auth()`` (PLAIN, LOGIN, CRAM-MD5, XOAUTH2, OAUTHBEARER), ``retr_bytes()`` and
``iter_retr()`` (bulk and streamed retrieval, no per-line Python work), and
:func:`fetch_to_maildir` (loss-free download to a Maildir, resumable).

Safe defaults, and how they differ from poplib
----------------------------------------------
- **Certificates are verified**: ``POP3_SSL`` without ``context`` and ``stls()``
  without ``context`` use :func:`tether.net.create_ssl_context` (verification and
  host-name checks on; trust from ``SSL_CERT_FILE``/``SSL_CERT_DIR`` or the system).
  poplib used an unverified context. Pass ``context=`` to choose otherwise.
- **No cleartext passwords**: ``user()``, ``pass_()``, ``rpop()`` and the PLAIN, LOGIN,
  XOAUTH2 and OAUTHBEARER mechanisms of ``auth()`` raise :class:`CleartextAuthError`
  unless the connection is under TLS or the server's address is loopback (127.0.0.0/8,
  ``::1``). Opt out with ``allow_cleartext_auth=True`` on the constructor. ``apop()`` and
  CRAM-MD5, which keep the password off the wire, are always allowed.
- **Finite timeouts**: with no ``timeout`` argument and no
  :func:`socket.setdefaulttimeout`, connecting gives up after 10 s and each wait for
  data after 30 s (poplib waited forever). A number keeps poplib's meaning (a socket
  timeout for every wait); ``timeout=None`` waits forever. A
  :class:`tether.TimeoutConfig` is accepted too; its ``total`` bounds each method call
  (one ``retr``, one ``stls``, a whole ``iter_retr`` loop).
- **STLS**: ``-ERR`` raises and the session never continues in clear text; bytes
  received in clear after ``+OK`` are dropped; ``CAPA`` is re-read over TLS.
- **Bounds**: status lines and the lines of ``retr``/``top``/``list``/``uidl`` are bounded
  by ``_MAXLINE`` (as poplib); a multi-line response read into memory by
  ``max_response_size`` (256 MiB) and ``max_response_lines`` (8 million), both
  constructor keywords. ``iter_retr`` streams with memory bounded by one read.
- **No injection**: CR, LF or NUL in an argument raises :class:`POP3CommandError`
  (also ``ValueError``) before anything is sent.
- **APOP** parses the greeting in linear time.
- A response left half-read (timeout, ``_MAXLINE`` passed, a ``break`` out of
  ``iter_retr``) is skipped by the next command instead of being read as its answer.

Deliberate differences in CPython's ``test_poplib`` (run through an alias in the test
suite, see ``tests/pop3/test_stdlib_suite.py``): every test of ``TestPOP3_SSLClass``
and ``TestPOP3_TLSClass`` fails its set-up with a certificate error, because the test
server's certificate is issued by CPython's test CA for "localhost" and the tests
connect to 127.0.0.1 with no ``context``: tether verifies by default, poplib did not.
``TestPOP3Class.test_stls`` fails for the same reason (``stls()`` with no context). With
verification turned off explicitly, the whole suite passes (the test suite checks both).
"""

from tether.net import TimeoutConfig as TimeoutConfig
from tether.pop3._async import AsyncPOP3 as AsyncPOP3
from tether.pop3._async import AsyncPOP3_SSL as AsyncPOP3_SSL
from tether.pop3._client import POP3 as POP3
from tether.pop3._client import POP3_PORT as POP3_PORT
from tether.pop3._client import POP3_SSL as POP3_SSL
from tether.pop3._client import POP3_SSL_PORT as POP3_SSL_PORT
from tether.pop3._errors import CleartextAuthError as CleartextAuthError
from tether.pop3._errors import POP3ClosedError as POP3ClosedError
from tether.pop3._errors import POP3CommandError as POP3CommandError
from tether.pop3._errors import POP3ConnectionClosed as POP3ConnectionClosed
from tether.pop3._errors import POP3LimitExceeded as POP3LimitExceeded
from tether.pop3._errors import POP3ProtocolError as POP3ProtocolError
from tether.pop3._errors import POP3ResponseError as POP3ResponseError
from tether.pop3._errors import error_proto as error_proto
from tether.pop3._maildir import FetchResult as FetchResult
from tether.pop3._maildir import afetch_to_maildir as afetch_to_maildir
from tether.pop3._maildir import fetch_to_maildir as fetch_to_maildir

#: poplib's line ends (it always sends CRLF and accepts CRLF, LF and LFCR).
CR = b"\r"
LF = b"\n"
CRLF = CR + LF

#: Longest line accepted, line end included (poplib's name and value). Read at each
#: call: assigning ``tether.pop3._MAXLINE`` (or ``poplib._MAXLINE`` through an alias)
#: changes the bound for every client from then on.
_MAXLINE = 2048

HAVE_SSL = True

__all__ = [
    "CR",
    "CRLF",
    "LF",
    "POP3",
    "POP3_PORT",
    "POP3_SSL",
    "POP3_SSL_PORT",
    "AsyncPOP3",
    "AsyncPOP3_SSL",
    "CleartextAuthError",
    "FetchResult",
    "POP3ClosedError",
    "POP3CommandError",
    "POP3ConnectionClosed",
    "POP3LimitExceeded",
    "POP3ProtocolError",
    "POP3ResponseError",
    "TimeoutConfig",
    "afetch_to_maildir",
    "error_proto",
    "fetch_to_maildir",
]
