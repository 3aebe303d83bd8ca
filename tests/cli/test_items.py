"""HTTPie-style request items: separators, precedence, escapes, files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tether.cli._errors import CLIError
from tether.cli._items import parse_items, split_item


@pytest.mark.parametrize(("text", "expected"), [
    ("X-Token:abc", ("X-Token", ":", "abc")),
    ("Accept:", ("Accept", ":", "")),
    ("X-Empty;", ("X-Empty", ";", "")),
    ("q==tether demo", ("q", "==", "tether demo")),
    ("name=value=more", ("name", "=", "value=more")),
    ("n:=42", ("n", ":=", "42")),              # ':=' beats ':' at the same place
    ("doc@/tmp/f.txt", ("doc", "@", "/tmp/f.txt")),
    ("text=@notes.txt", ("text", "=@", "notes.txt")),
    ("obj:=@data.json", ("obj", ":=@", "data.json")),
    ("q==@query.txt", ("q", "==@", "query.txt")),
    ("url=http://x:1/", ("url", "=", "http://x:1/")),  # leftmost separator wins
    ("Host:a=b", ("Host", ":", "a=b")),
    (r"a\=b=c", ("a=b", "=", "c")),             # escaped separator is part of the key
    (r"path\:x==1", ("path:x", "==", "1")),
    (r"back\\slash=1", ("back\\slash", "=", "1")),
])
def test_split_item(text: str, expected: tuple[str, str, str]) -> None:
    assert split_item(text) == expected


def test_item_without_separator_is_a_usage_error() -> None:
    with pytest.raises(CLIError, match="not a request item"):
        split_item("justaword")


def test_parse_items_sorts_kinds(tmp_path: Path) -> None:
    upload = tmp_path / "up.bin"
    upload.write_bytes(b"\x00\x01")
    notes = tmp_path / "notes.txt"
    notes.write_text("from a file")
    items = parse_items(["A:1", "B:", "C;", "p==1", "p==2", "s=x", "n:=[1, 2]",
                         f"t=@{notes}", f"f@{upload};type=image/png"])
    assert items.headers == [("A", "1"), ("B", None), ("C", "")]
    assert items.params == [("p", "1"), ("p", "2")]
    assert items.data == {"s": "x", "n": [1, 2], "t": "from a file"}
    assert items.raw_json_used
    assert items.files == [("f", str(upload), "image/png")]


def test_bad_raw_json_and_missing_file_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(CLIError, match="not valid JSON"):
        parse_items(["n:={broken"])
    with pytest.raises(CLIError, match="no such file"):
        parse_items([f"f@{tmp_path / 'missing'}"])
