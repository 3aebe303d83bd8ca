"""Printing HTTP messages, and saving response bodies to files.

Message heads are coloured on a terminal; credentials in ``Authorization`` and
``Proxy-Authorization`` are never printed. A body is written raw when stdout is not a
terminal; on a terminal, JSON is indented and coloured, text is decoded, and binary
data is replaced by a note.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from rich.text import Text

from tether.cli._console import Output, looks_binary
from tether.cli._download import (
    AtomicFile,
    name_from_disposition,
    name_from_url,
    parse_content_range,
    partial_path,
    unique_path,
)
from tether.cli._errors import CLIError, ExitCode

CHUNK = 64 * 1024
_SECRET_HEADERS = ("authorization", "proxy-authorization")
_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript",
               "+json", "+xml", "application/x-www-form-urlencoded")


def _head_text(first_line: str, headers: Any) -> Text:
    text = Text()
    text.append(first_line + "\n", style="bold")
    for name, value in headers.items():
        if name.lower() in _SECRET_HEADERS:
            scheme = str(value).split(" ", 1)[0]
            value = f"{scheme} <hidden>"
        text.append(name, style="cyan")
        text.append(f": {value}\n")
    return text


def print_request(out: Output, request: Any, head: bool, body: bool, err: bool) -> None:
    from tether.url import urlsplit

    parts = urlsplit(request.url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    headers = dict(request.headers)
    if not any(k.lower() == "host" for k in headers):
        headers = {"Host": parts.netloc.rpartition("@")[2], **headers}
    if head:
        out.text(_head_text(f"{request.method} {target} HTTP/1.1", headers), err=err)
    if body and request.body is not None:
        data = request.body
        if isinstance(data, str):
            data = data.encode("utf-8")
        if isinstance(data, bytes) and not looks_binary(data):
            out.text(data.decode("utf-8", "replace") + "\n", err=err)
        elif isinstance(data, bytes):
            out.text(f"<binary request body: {len(data)} bytes not shown>\n", err=err)
        else:
            out.text("<streamed request body not shown>\n", err=err)


def print_response_head(out: Output, response: Any, err: bool) -> None:
    version = {10: "HTTP/1.0", 11: "HTTP/1.1", 20: "HTTP/2"}.get(
        getattr(response.raw, "version", 11), "HTTP/1.1")
    status = f"{version} {response.status_code} {response.reason}"
    out.text(_head_text(status, response.headers), err=err)


def _is_text_type(content_type: str) -> bool:
    ctype = content_type.split(";")[0].strip().lower()
    return any(marker in ctype for marker in _TEXT_TYPES)


def print_response_body(out: Output, response: Any) -> None:
    chunks = response.iter_content(CHUNK)
    if not out.out_is_tty:
        for chunk in chunks:
            out.write_bytes(chunk)
        out.flush()
        return
    content_type = response.headers.get("Content-Type", "")
    first = b""
    for chunk in chunks:
        first += chunk
        if len(first) >= CHUNK:
            break
    if not first:
        return
    if looks_binary(first) and not _is_text_type(content_type):
        out.text(Text(f"+{'-' * 60}+\n| NOTE: binary data not shown in terminal."
                      f"{' ' * 19}|\n| Save it with -o FILE or --download.{' ' * 24}|\n"
                      f"+{'-' * 60}+", style="yellow"))
        return
    encoding = response.encoding or "utf-8"
    if "json" in content_type.lower():
        data = first + b"".join(chunks)
        try:
            out.json(json.loads(data.decode(encoding, "replace")))
            return
        except ValueError:
            out.text(data.decode(encoding, "replace"))
            return
    import codecs

    decoder = codecs.getincrementaldecoder(encoding)("replace")
    out.stdout.write(decoder.decode(first))
    for chunk in chunks:
        out.stdout.write(decoder.decode(chunk))
    tail = decoder.decode(b"", final=True)
    out.stdout.write(tail)
    out.stdout.write("\n")
    out.stdout.flush()


def prepare_download(args: argparse.Namespace, url: str,
                     headers: dict[str, Any]) -> tuple[str | None, int]:
    """The target known before the request (``-o`` or, to resume, the URL's name), and
    the offset to resume from; sets ``Range`` and ``Accept-Encoding: identity``."""
    headers["Accept-Encoding"] = "identity"  # the file holds the resource's own bytes
    target = args.output
    if args.resume and target is None:
        target = name_from_url(url)
        if not target:
            raise CLIError("--continue needs -o FILE: the URL has no file name")
    offset = 0
    if args.resume and target and os.path.exists(partial_path(target)):
        offset = os.path.getsize(partial_path(target))
        if offset:
            headers["Range"] = f"bytes={offset}-"
    return target, offset


def download(args: argparse.Namespace, out: Output, response: Any, progress: Any,
             target: str | None, offset: int) -> int:
    """Save the body (atomically); a non-zero exit code if nothing usable was saved."""
    status = int(response.status_code)
    if status == 416 and offset:
        found = parse_content_range(response.headers.get("Content-Range"))
        if target and found is None and response.headers.get("Content-Range", "").endswith(
                f"/{offset}"):
            os.replace(partial_path(target), target)
            out.text(f"{target}: already complete ({offset} bytes)", err=True)
            return ExitCode.OK
    if status >= 300:
        out.text(f"tether: error: HTTP {status} {response.reason}: nothing saved", err=True)
        return ExitCode.HTTP_3XX if status < 400 else (
            ExitCode.HTTP_4XX if status < 500 else ExitCode.HTTP_5XX)
    append = False
    if offset and status == 206:
        found = parse_content_range(response.headers.get("Content-Range"))
        if found is None or found[0] != offset:
            raise CLIError(f"the server answered the resume request with a different range "
                           f"({response.headers.get('Content-Range')}); nothing appended",
                           ExitCode.PROTOCOL)
        append = True
    if target is None:
        target = (name_from_disposition(response.headers.get("Content-Disposition"))
                  or name_from_url(response.url, response.headers.get("Content-Type"))
                  or "download")
        target = unique_path(target)
    length = response.headers.get("Content-Length")
    expected = int(length) if length and length.isdigit() else None
    encoded = response.headers.get("Content-Encoding", "identity").lower() != "identity"
    file = AtomicFile(target, append)
    start = file.written
    total = start + expected if expected is not None else None
    bar = progress.add(os.path.basename(target), total, completed=start)
    try:
        for chunk in response.iter_content(CHUNK):
            file.write(chunk)
            bar.advance(len(chunk))
        received = file.written - start
        if expected is not None and not encoded and received != expected:
            raise CLIError(f"download cut short: {received} of {expected} bytes",
                           ExitCode.PROTOCOL)
    except BaseException:
        file.keep_partial()
        out.text(f"tether: the partial download is kept in {file.partial}; "
                 f"rerun with --continue{'' if args.output else ' -o ' + target} to resume",
                 err=True)
        raise
    file.commit()
    resumed = f", resumed at byte {start}" if append else ""
    out.text(f"saved {target} ({file.written} bytes{resumed})", err=True)
    return ExitCode.OK
