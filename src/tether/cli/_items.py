"""HTTPie-style request items: ``Header:value``, ``param==value``, ``field=value``...

=====================  ==========================================================
item                   meaning
=====================  ==========================================================
``Name:value``         request header (``Name:`` removes a default header)
``Name;``              request header with an empty value
``name==value``        query-string parameter (``name==@file``: value from a file)
``name=value``         data field: a JSON string, or a form field with ``--form``
``name=@file``         data field whose value is the text of a file
``name:=json``         raw JSON value (``name:=@file``: JSON read from a file)
``name@file``          file upload (multipart/form-data); ``name@file;type=MIME``
=====================  ==========================================================

A backslash escapes a separator character (``a\\=b=c`` is the field ``a=b``). When
several separators could apply, the leftmost wins, and of those starting at the same
place, the longest (so ``a:=1`` is raw JSON, not a header).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from tether.cli._errors import CLIError

#: Every separator, longest first (ties at one position go to the longest).
SEPARATORS = (":=@", "==@", "=@", "==", ":=", "=", "@", ":", ";")
_ESCAPABLE = set("=:@;\\")


@dataclass
class Items:
    headers: list[tuple[str, str | None]] = field(default_factory=list)  # None: remove
    params: list[tuple[str, str]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    raw_json_used: bool = False
    files: list[tuple[str, str, str | None]] = field(default_factory=list)  # name, path, type

    @property
    def has_body(self) -> bool:
        return bool(self.data or self.files)


def split_item(text: str) -> tuple[str, str, str]:
    """``(key, separator, value)`` of one item; CLIError if it has no separator."""
    chars: list[tuple[str, bool]] = []  # (character, escaped)
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in _ESCAPABLE:
            chars.append((text[i + 1], True))
            i += 2
        else:
            chars.append((text[i], False))
            i += 1
    plain = "".join("\0" if escaped else ch for ch, escaped in chars)
    for index in range(len(plain)):
        for sep in SEPARATORS:
            if plain.startswith(sep, index):
                key = "".join(ch for ch, _ in chars[:index])
                value = "".join(ch for ch, _ in chars[index + len(sep):])
                return key, sep, value
    raise CLIError(f"{text!r} is not a request item (Header:value, name==value, "
                   "name=value, name:=json or name@file)")


def _read_text(path: str, what: str) -> str:
    try:
        with open(os.path.expanduser(path), encoding="utf-8") as f:
            return f.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise CLIError(f"{what}: cannot read {path}: {exc}") from None


def _raw_json(text: str, item: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise CLIError(f"{item!r}: not valid JSON: {exc}") from None


def parse_items(texts: list[str]) -> Items:
    items = Items()
    for text in texts:
        key, sep, value = split_item(text)
        if sep == ":":
            if not key:
                raise CLIError(f"{text!r}: empty header name")
            items.headers.append((key, value if value else None))
        elif sep == ";":
            if value:
                raise CLIError(f"{text!r}: 'Name;' takes no value (use Name:value)")
            items.headers.append((key, ""))
        elif sep == "==":
            items.params.append((key, value))
        elif sep == "==@":
            items.params.append((key, _read_text(value, text)))
        elif sep == "=":
            items.data[key] = value
        elif sep == "=@":
            items.data[key] = _read_text(value, text)
        elif sep == ":=":
            items.data[key] = _raw_json(value, text)
            items.raw_json_used = True
        elif sep == ":=@":
            items.data[key] = _raw_json(_read_text(value, text), text)
            items.raw_json_used = True
        else:  # "@": a file upload
            path, _, mime = value.partition(";type=")
            if not os.path.isfile(os.path.expanduser(path)):
                raise CLIError(f"{text!r}: no such file: {path}")
            items.files.append((key, os.path.expanduser(path), mime or None))
    return items
