"""State and helpers shared by the blocking and the asyncio SMTP clients.

Everything here is synchronous and does no I/O: the attributes smtplib exposes, the
lazily looked-up ``local_hostname``, debug printing, smtplib's ``authobject`` helpers,
the cleartext-credential rule, and the checks that decide whether ``sendmail`` may
pipeline. The dialogues are in :mod:`tether.smtp._exchanges`.
"""

from __future__ import annotations

import datetime
import socket as _socket
import sys
from typing import Any

from tether import net
from tether.protocols.smtp import sasl
from tether.protocols.smtp.connection import SMTPEngine
from tether.protocols.smtp.replies import Reply
from tether.smtp._errors import SMTPCleartextAuthError
from tether.smtp._wire import Link

__all__ = ["SMTP_PORT", "SMTP_SSL_PORT", "SMTPBase", "package"]

SMTP_PORT = 25
SMTP_SSL_PORT = 465
_SENTINEL: Any = _socket._GLOBAL_DEFAULT_TIMEOUT  # type: ignore[attr-defined]

# Methods whose overriding (on the class or the instance) makes ``sendmail`` take
# smtplib's one-command-at-a-time path through them instead of pipelining.
_PIPELINE_GUARDED = ("mail", "rcpt", "data", "rset", "close", "send", "putcmd", "getreply", "docmd")


def package() -> Any:
    """The ``tether.smtp`` module: its ``socket``, ``_MAXLINE``... are read at use time."""
    return sys.modules["tether.smtp"]


class SMTPBase:
    """Attributes and helpers of an SMTP client; see :class:`tether.smtp.SMTP`."""

    debuglevel = 0
    sock: Any = None
    file: Any = None
    helo_resp: bytes | None = None
    ehlo_msg = "ehlo"
    ehlo_resp: bytes | None = None
    does_esmtp = False
    default_port = SMTP_PORT
    #: Send with BDAT (RFC 3030) instead of DATA when the server offers CHUNKING.
    use_chunking = False
    #: Longest reply line accepted; ``None`` reads the module's ``_MAXLINE`` each time.
    max_line_length: int | None = None
    #: The class whose methods count as "not overridden" for pipelining.
    _reference_class: type | None = None

    def _init_state(
        self,
        host: str,
        timeout: Any,
        source_address: tuple[str, int] | None,
        local_hostname: str | None,
        allow_cleartext_auth: bool,
    ) -> None:
        self._host = host
        self._port: int | None = None
        self.timeout = timeout
        self.esmtp_features: dict[str, str] = {}
        self.command_encoding = "ascii"
        self.source_address = source_address
        self._auth_challenge_count = 0
        self.allow_cleartext_auth = allow_cleartext_auth
        self._engine = SMTPEngine(trace=self._trace)
        self._link = Link(self)
        self._deadline: net.Deadline | None = None
        if local_hostname is not None:
            self.local_hostname = local_hostname

    # -- local host name (looked up when first needed, as smtplib would at init) ------
    @property
    def local_hostname(self) -> str:
        name = self.__dict__.get("_local_hostname")
        if name is None:
            name = self._lookup_local_hostname()
            self.__dict__["_local_hostname"] = name
        return name

    @local_hostname.setter
    def local_hostname(self, value: str) -> None:
        self.__dict__["_local_hostname"] = value

    @staticmethod
    def _lookup_local_hostname() -> str:
        # RFC 5321 §4.1.4: the FQDN, or an address literal when there is none.
        sockmod = package().socket
        fqdn = sockmod.getfqdn()
        if "." in fqdn:
            return str(fqdn)
        addr = "127.0.0.1"
        try:
            addr = sockmod.gethostbyname(sockmod.gethostname())
        except sockmod.gaierror:
            pass
        return f"[{addr}]"

    # -- configuration ------------------------------------------------------------------
    def set_debuglevel(self, debuglevel: int) -> None:
        """1: print the dialogue to stderr; 2: with timestamps."""
        self.debuglevel = debuglevel

    def _print_debug(self, *args: Any) -> None:
        if self.debuglevel > 1:
            print(datetime.datetime.now().time(), *args, file=sys.stderr)
        else:
            print(*args, file=sys.stderr)

    def _trace(self, kind: str, data: object) -> None:
        if self.debuglevel <= 0:
            return
        if kind == "send":
            self._print_debug("send:", repr(data))
        elif kind == "reply-line":
            self._print_debug("reply:", repr(data))
        elif kind == "reply" and isinstance(data, Reply):
            self._print_debug(f"reply: retcode ({data.code}); Msg: {data.message!a}")

    def _timeouts(self) -> net.TimeoutConfig:
        timeout = self.timeout
        if timeout is _SENTINEL:
            return net.timeouts_from_stdlib(timeout)  # follows setdefaulttimeout()
        cached = self.__dict__.get("_timeouts_cache")
        if cached is not None and cached[0] is timeout:
            return cached[1]  # type: ignore[no-any-return]
        config = net.timeouts_from_stdlib(timeout)
        self.__dict__["_timeouts_cache"] = (timeout, config)
        return config

    def _max_line(self) -> int:
        if self.max_line_length is not None:
            return self.max_line_length
        return int(package()._MAXLINE)

    def _max_challenges(self) -> int:
        return int(package()._MAXCHALLENGE)

    def has_extn(self, opt: str) -> bool:
        """Does the server support a given SMTP service extension?"""
        return opt.lower() in self.esmtp_features

    # -- smtplib's authobjects --------------------------------------------------------
    def auth_cram_md5(self, challenge: bytes | None = None) -> str | None:
        """Authobject for CRAM-MD5 (no initial response); needs ``user``/``password``."""
        if challenge is None:
            return None
        return sasl.cram_md5(self.user, self.password, challenge)

    def auth_plain(self, challenge: bytes | None = None) -> str:
        """Authobject for PLAIN; needs ``user``/``password``."""
        return sasl.plain(self.user, self.password)

    def auth_login(self, challenge: bytes | None = None) -> str:
        """Authobject for LOGIN: the user name first, then the password."""
        if challenge is None or self._auth_challenge_count < 2:
            return str(self.user)
        return str(self.password)

    user: Any
    password: Any

    # -- issue 11: no cleartext credentials by accident --------------------------------
    def _cleartext_auth_ok(self) -> bool:
        if self.allow_cleartext_auth:
            return True
        stream = self._link.stream
        if stream is None:
            return True  # not connected: the command will fail with smtplib's error
        if stream.get_extra_info("ssl_object") is not None:
            return True
        return net.peer_is_loopback(stream)

    def _check_cleartext_auth(self, mechanism: str) -> None:
        if mechanism.upper() not in sasl.CLEARTEXT_MECHANISMS or self._cleartext_auth_ok():
            return
        peer = self._link.stream.get_extra_info("peername") if self._link.stream else None
        where = self._host or (peer[0] if isinstance(peer, tuple) else "the server")
        raise SMTPCleartextAuthError(
            f"refusing to send credentials (AUTH {mechanism.upper()}) unencrypted to "
            f"{where}: call starttls() first or use SMTP_SSL; to send them anyway, pass "
            f"allow_cleartext_auth=True to {type(self).__name__}(...)"
        )

    # -- may sendmail pipeline? -----------------------------------------------------
    def _overridden(self, name: str) -> bool:
        reference = self._reference_class
        return (
            reference is None
            or name in self.__dict__
            or getattr(type(self), name) is not getattr(reference, name)
        )

    def _can_pipeline(self) -> bool:
        if "pipelining" not in self.esmtp_features:
            return False
        reference = self._reference_class
        if reference is None:
            return False
        own = self.__dict__
        cls = type(self)
        return all(
            name not in own and getattr(cls, name) is getattr(reference, name)
            for name in _PIPELINE_GUARDED
        )

    def _tls_started(self) -> None:
        link = self._link
        self.sock = link.stream.get_extra_info("socket") if link.stream is not None else None
        link.sock = self.sock
        self.file = None
