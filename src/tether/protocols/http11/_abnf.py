"""RFC 9110/9112 grammar pieces as compiled regular expressions.

Each pattern quotes the ABNF it implements. They are used with ``fullmatch``.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "CHUNK_SIZE_LINE",
    "CRLF_HEAD",
    "FIELD_LINE",
    "FIELD_PAIRS",
    "FIELD_PAIRS_CRLF",
    "STATUS_LINE",
    "TOKEN",
    "has_value_ctl",
]

# RFC 9110 §5.6.2:  token = 1*tchar
#   tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
#           "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
_TCHAR: Final = rb"[-!#$%&'*+.^_`|~0-9A-Za-z]"
TOKEN: Final = re.compile(_TCHAR + rb"+")

# RFC 9112 §5.1:  field-line = field-name ":" OWS field-value OWS
# No whitespace is allowed between the name and the colon (a smuggling vector: a
# proxy might read "Content-Length :" as a different field than we do). The value
# excludes CR and NUL (RFC 9110 §5.5); a line with either fails to match.
FIELD_LINE: Final = re.compile(
    rb"(" + _TCHAR + rb"+):[ \t]*([^\r\x00]*?)[ \t]*"
)

# FIELD_LINE for a block of field lines, each ended by LF (the head reader's lines
# joined). Anchored at line starts and unable to cross a line end, each match is one
# whole line, so findall returns one pair per line unless a line is malformed. The
# value keeps its trailing OWS (the caller strips it: a greedy value is twice as fast
# as a lazy one).
FIELD_PAIRS: Final = re.compile(rb"^(" + _TCHAR + rb"+):[ \t]*([^\r\n\x00]*)\n", re.MULTILINE)

# RFC 9112 §4:  status-line = HTTP-version SP status-code SP [ reason-phrase ]
#   HTTP-version = "HTTP" "/" DIGIT "." DIGIT ; status-code = 3DIGIT
#   reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )
# Servers that omit the SP before an empty reason are accepted (common in the wild).
STATUS_LINE: Final = re.compile(rb"HTTP/([0-9])\.([0-9]) ([0-9]{3})(?: ([^\r\x00]*))?")

# A whole response head in its common shape, matched at once: an HTTP/1.x status line
# and field lines (STATUS_LINE and FIELD_LINE above), each ended by CRLF, then the empty
# line. Groups: minor version, status code, reason, the field lines. Any other shape
# (bare LF line ends, obs-fold, another major version, a malformed line) does not
# match and is left to the line-by-line reader, which accepts or refuses it precisely.
CRLF_HEAD: Final = re.compile(
    rb"HTTP/1\.([0-9]) ([0-9]{3})(?: ([^\r\n\x00]*))?\r\n((?:" + _TCHAR
    + rb"+:[^\r\n\x00]*\r\n)*)\r\n"
)
# FIELD_PAIRS for CRLF_HEAD's field lines.
FIELD_PAIRS_CRLF: Final = re.compile(rb"^(" + _TCHAR + rb"+):[ \t]*([^\r\n\x00]*)\r\n",
                                     re.MULTILINE)

# RFC 9112 §7.1:  chunk-size [ chunk-ext ] CRLF ;  chunk-size = 1*HEXDIG
#   chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
# The digit count is capped by the caller (group 1 is checked for length); extensions
# are bounded by the line limit and otherwise ignored, as RFC 9112 §7.1.1 allows.
CHUNK_SIZE_LINE: Final = re.compile(rb"([0-9A-Fa-f]+)[ \t]*(?:;[^\r\x00]*)?")

_VALUE_CTL: Final = re.compile(rb"[\r\n\x00]")


def has_value_ctl(value: bytes) -> bool:
    """True if ``value`` holds CR, LF or NUL (never allowed in a field value we send)."""
    return _VALUE_CTL.search(value) is not None
