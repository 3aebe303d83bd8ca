"""Sans-I/O SMTP engine: reply parsing, command writing, message encoding, SASL.

No sockets, clocks or event loops here; :mod:`tether.smtp` drives it. Modules:

- :mod:`.replies`: ``Reply`` and the incremental ``ReplyParser`` (limits, RFC 2034 codes);
- :mod:`.commands`: command lines, address quoting, CR/LF/NUL refusal;
- :mod:`.message`: line-ending normalisation, dot-stuffing, BDAT chunks;
- :mod:`.extensions`: the EHLO reply as a feature dict;
- :mod:`.sasl`: AUTH mechanism responses;
- :mod:`.connection`: ``SMTPEngine`` (pending-reply bookkeeping for pipelining) and
  the transaction plan/outcome.
"""

from tether.protocols.smtp.commands import (
    CRLF,
    CommandInjectionError,
    addr_only,
    check_text,
    encode_command,
    format_command,
    mail_arguments,
    quoteaddr,
    rcpt_arguments,
)
from tether.protocols.smtp.connection import (
    MAX_PIPELINED_COMMANDS,
    MAX_RECIPIENTS_PER_TRANSACTION,
    SMTPEngine,
    TransactionOutcome,
    TransactionPlan,
)
from tether.protocols.smtp.extensions import (
    auth_mechanisms,
    max_message_size,
    parse_ehlo,
)
from tether.protocols.smtp.message import (
    BDAT_CHUNK_SIZE,
    bdat_chunks,
    data_payload,
    fix_eols,
    fix_eols_text,
    quote_periods,
    quotedata,
)
from tether.protocols.smtp.replies import (
    MAX_LINE_LENGTH,
    MAX_REPLY_LINES,
    Reply,
    ReplyParser,
)

__all__ = [
    "BDAT_CHUNK_SIZE",
    "CRLF",
    "MAX_LINE_LENGTH",
    "MAX_PIPELINED_COMMANDS",
    "MAX_RECIPIENTS_PER_TRANSACTION",
    "MAX_REPLY_LINES",
    "CommandInjectionError",
    "Reply",
    "ReplyParser",
    "SMTPEngine",
    "TransactionOutcome",
    "TransactionPlan",
    "addr_only",
    "auth_mechanisms",
    "bdat_chunks",
    "check_text",
    "data_payload",
    "encode_command",
    "fix_eols",
    "fix_eols_text",
    "format_command",
    "mail_arguments",
    "max_message_size",
    "parse_ehlo",
    "quote_periods",
    "quoteaddr",
    "quotedata",
    "rcpt_arguments",
]
