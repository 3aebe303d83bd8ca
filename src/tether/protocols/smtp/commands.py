"""Writing SMTP commands: formatting, address quoting, and refusing injection.

Theory of operation
-------------------
A command line is ``VERB [SP arguments] CRLF`` (RFC 5321 §4.1.1). Everything the caller
supplies (addresses, ``ESMTP`` parameters, the EHLO name, raw ``docmd`` arguments) ends
up inside that one line, so a CR or LF in it would let the caller's input start a second
command (the "command injection" CPython fixed in bpo-43124), and a NUL is forbidden on
the wire by RFC 5321 §4.1.1.4 / RFC 5322. :func:`format_command` refuses all three
before anything is sent, with :class:`CommandInjectionError` (a
:class:`~tether.errors.LocalProtocolError` and a :class:`ValueError`).
"""

from __future__ import annotations

import email.utils
import functools
from collections.abc import Iterable
from typing import Final

from tether.errors import LocalProtocolError

__all__ = [
    "CRLF",
    "CommandInjectionError",
    "addr_only",
    "check_text",
    "encode_command",
    "format_command",
    "mail_arguments",
    "quoteaddr",
    "rcpt_arguments",
]

CRLF: Final = "\r\n"
_BCRLF: Final = b"\r\n"


class CommandInjectionError(LocalProtocolError, ValueError):
    """A command, argument or option contained CR, LF or NUL; nothing was sent."""


def _escaped(text: str) -> str:
    return text.replace("\n", "\\n").replace("\r", "\\r").replace("\0", "\\0")


def check_text(text: str) -> None:
    """Raise :class:`CommandInjectionError` if ``text`` holds CR, LF or NUL.

    The newline message is smtplib's, word for word (programs and tests match it).
    """
    if "\r" in text or "\n" in text:
        raise CommandInjectionError(
            f"command and arguments contain prohibited newline characters: {_escaped(text)}"
        )
    if "\0" in text:
        raise CommandInjectionError(
            f"command and arguments contain prohibited NUL characters: {_escaped(text)}"
        )


def format_command(cmd: str, args: str = "") -> str:
    """The command line as text with its CRLF, as smtplib's ``putcmd`` builds it."""
    line = cmd if args == "" else f"{cmd} {args}"
    check_text(line)
    return line + CRLF


def encode_command(cmd: str, args: str = "", encoding: str = "ascii") -> bytes:
    """The command line as bytes. ``encoding`` is ``"utf-8"`` under SMTPUTF8.

    Raises :class:`CommandInjectionError`, or :class:`UnicodeEncodeError` for a
    non-ASCII argument without SMTPUTF8 (as smtplib does).
    """
    return format_command(cmd, args).encode(encoding)


@functools.lru_cache(maxsize=1024)
def quoteaddr(addrstring: str) -> str:
    """Quote a subset of the email addresses defined by RFC 5321 (smtplib's rules).

    An address :func:`email.utils.parseaddr` can read becomes ``<addr-spec>``; one it
    cannot read is wrapped in angle brackets as given (unless it already starts with
    ``<``), leaving the server to judge it. Results are cached (parsing an address
    costs more than the rest of a pipelined transaction).
    """
    display_name, address = email.utils.parseaddr(addrstring)
    if not display_name and not address:
        if addrstring.strip().startswith("<"):
            return addrstring
        return f"<{addrstring}>"
    return f"<{address}>"


def addr_only(addrstring: str) -> str:
    """The bare address (for VRFY/EXPN), or the input if it cannot be parsed."""
    display_name, address = email.utils.parseaddr(addrstring)
    if not display_name and not address:
        return addrstring
    return address


def _option_suffix(options: Iterable[str]) -> str:
    # CR/LF/NUL in an option is caught by format_command, which sees the whole line.
    opts = list(options)
    return (" " + " ".join(opts)) if opts else ""


def mail_arguments(sender: str, options: Iterable[str] = ()) -> str:
    """Arguments of ``MAIL``: ``FROM:<sender> [options]`` (RFC 5321 §4.1.1.2)."""
    return f"FROM:{quoteaddr(sender)}{_option_suffix(options)}"


def rcpt_arguments(recipient: str, options: Iterable[str] = ()) -> str:
    """Arguments of ``RCPT``: ``TO:<recipient> [options]`` (RFC 5321 §4.1.1.3)."""
    return f"TO:{quoteaddr(recipient)}{_option_suffix(options)}"
