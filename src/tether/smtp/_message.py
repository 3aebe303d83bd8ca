"""``send_message``: envelope from headers, Bcc stripping, header-injection refusal.

The rules are smtplib's: with ``Resent-Date`` present (exactly once) the ``Resent-*``
fields give the envelope; the sender is ``Sender`` if present, else ``From``;
recipients are To, Bcc and Cc; ``Bcc`` and ``Resent-Bcc`` are removed from the copy
that is transmitted; non-ASCII addresses need SMTPUTF8 and switch the serialisation
to UTF-8 with ``SMTPUTF8`` and ``BODY=8BITMIME``.

On top of that, a header value containing CR or LF that is not folding whitespace is
refused before anything is sent (CVE-2024-6923: such a value would let the caller's
data add headers, or end the header block early).
"""

from __future__ import annotations

import copy
import email.generator
import email.utils
import io
import re
from collections.abc import Sequence
from email.message import Message
from typing import Any, Final

from tether.smtp._errors import SMTPHeaderInjection, SMTPNotSupportedError

__all__ = ["check_headers", "prepare_message"]

# A line break not followed by a space or tab (i.e. not folding, RFC 5322 §2.2.3).
_BAD_BREAK: Final = re.compile(r"(?:\r\n|\r(?!\n)|\n)(?![ \t])")
_BAD_NAME: Final = re.compile(r"[\x00-\x20\x7f:]")


def check_headers(msg: Message) -> None:
    """Raise :class:`SMTPHeaderInjection` for a header that would break the header block."""
    for name, value in msg.items():
        if _BAD_NAME.search(name):
            raise SMTPHeaderInjection(f"header name {name!r} contains prohibited characters")
        text = str(value)
        if _BAD_BREAK.search(text):
            raise SMTPHeaderInjection(
                f"header {name!r} contains a newline that is not folding whitespace: {text!r}"
            )


def prepare_message(
    c: Any,
    msg: Message,
    from_addr: str | None,
    to_addrs: str | Sequence[str] | None,
    mail_options: Sequence[str],
) -> tuple[str, Any, bytes, Any]:
    """``(from_addr, to_addrs, flattened bytes, mail_options)`` for ``sendmail``."""
    check_headers(msg)
    resent = msg.get_all("Resent-Date")
    if resent is None:
        prefix = ""
    elif len(resent) == 1:
        prefix = "Resent-"
    else:
        raise ValueError("message has more than one 'Resent-' header block")
    if from_addr is None:
        # RFC 5322 §3.6.2: Sender, when present, is the one responsible.
        field = msg[prefix + "Sender"] if (prefix + "Sender") in msg else msg[prefix + "From"]
        from_addr = email.utils.getaddresses([field])[0][1]
    if to_addrs is None:
        fields = [
            f
            for f in (msg[prefix + "To"], msg[prefix + "Bcc"], msg[prefix + "Cc"])
            if f is not None
        ]
        to_addrs = [a[1] for a in email.utils.getaddresses(fields)]
    msg_copy = copy.copy(msg)
    del msg_copy["Bcc"]
    del msg_copy["Resent-Bcc"]
    international = False
    recipients = [to_addrs] if isinstance(to_addrs, str) else list(to_addrs)
    try:
        "".join([from_addr, *recipients]).encode("ascii")
    except UnicodeEncodeError:
        if not c.has_extn("smtputf8"):
            raise SMTPNotSupportedError(
                "One or more source or delivery addresses require"
                " internationalized email support, but the server"
                " does not advertise the required SMTPUTF8 capability"
            ) from None
        international = True
    options: Any = mail_options
    with io.BytesIO() as out:
        if international:
            gen = email.generator.BytesGenerator(out, policy=msg.policy.clone(utf8=True))  # type: ignore[call-arg]
            options = (*mail_options, "SMTPUTF8", "BODY=8BITMIME")
        else:
            gen = email.generator.BytesGenerator(out)
        gen.flatten(msg_copy, linesep="\r\n")
        flat = out.getvalue()
    return from_addr, to_addrs, flat, options
