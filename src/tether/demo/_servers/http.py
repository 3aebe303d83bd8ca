"""A small asyncio HTTP/1.1 server for the demo: pages, JSON, redirects, downloads.

Theory of operation: one coroutine per connection reads a request head (bounded by
``MAX_HEAD``), then a body framed by ``Content-Length`` or ``chunked`` (RFC 9112 §6,
§7.1; bounded by ``MAX_BODY``), answers it, and loops while the connection is persistent
(RFC 9112 §9.3: HTTP/1.1 unless ``Connection: close``; HTTP/1.0 always closes). The same
handler serves plain TCP and TLS listeners.

Routes (everything else is 404):

- ``/`` an HTML page; ``/json`` a JSON document; ``/robots.txt`` a small robots file;
- ``/redirect/N`` a chain of N ``302`` redirects ending at ``/json``;
- ``/download/N`` N bytes (``byte i == i % 256``) streamed in 64 KiB writes, with
  ``Content-Disposition`` and single ``Range`` support (RFC 9110 §14);
- ``/status/CODE`` that status; ``/anything`` echoes the request as JSON (method, args,
  headers, body as text, JSON or form fields, multipart file sizes) for every method.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import email.utils
import json
import ssl
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Final
from urllib.parse import parse_qsl, urlsplit

#: Request line plus header section, as most servers (nginx: 8 KiB per line by default).
MAX_HEAD: Final = 16 * 1024
#: Header fields in one request.
MAX_HEADERS: Final = 100
#: A request body the echo endpoint accepts in memory.
MAX_BODY: Final = 16 * 1024 * 1024
#: The largest ``/download/N``: big enough to show a progress bar, small enough for a demo.
MAX_DOWNLOAD: Final = 1 << 30
#: Bytes per write of a download.
CHUNK: Final = 64 * 1024
#: Seconds an idle keep-alive connection is kept open.
IDLE_TIMEOUT: Final = 30.0
#: Hex digits of one chunk size (2**64 needs 16).
MAX_CHUNK_DIGITS: Final = 16

_PATTERN: Final = bytes(range(256)) * (CHUNK // 256)

ROBOTS_TXT: Final = (
    "# robots.txt of the tether demo server\n"
    "User-agent: *\n"
    "Disallow: /private/\n"
    "Allow: /private/press/\n"
    "Crawl-delay: 2\n"
    "\n"
    "User-agent: badbot\n"
    "Disallow: /\n"
    "\n"
    "Sitemap: https://localhost/sitemap.xml\n"
)

PAGE: Final = (
    "<!doctype html>\n<html lang=en>\n<head><meta charset=utf-8>"
    "<title>tether demo</title></head>\n"
    "<body><h1>Hello from the tether demo</h1>\n"
    "<p>Try <a href=/json>/json</a>, <a href=/redirect/2>/redirect/2</a>, "
    "<a href=/download/1048576>/download/1048576</a>.</p></body>\n</html>\n"
)


class BadRequest(Exception):
    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status


@dataclass
class Request:
    method: str
    target: str
    version: str
    headers: list[tuple[str, str]]
    body: bytes = b""
    path: str = field(init=False)
    args: list[tuple[str, str]] = field(init=False)

    def __post_init__(self) -> None:
        parts = urlsplit(self.target)
        self.path = parts.path or "/"
        self.args = parse_qsl(parts.query, keep_blank_values=True)

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None

    @property
    def keep_alive(self) -> bool:
        connection = (self.header("connection") or "").lower()
        return self.version == "HTTP/1.1" and "close" not in connection


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""
    download: tuple[int, int] | None = None  # (start, end) of the pattern, streamed


async def _read_head(reader: asyncio.StreamReader) -> Request | None:
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), IDLE_TIMEOUT)
    except asyncio.IncompleteReadError as exc:
        if exc.partial.strip():
            raise BadRequest(400, "incomplete request head") from None
        return None
    except asyncio.LimitOverrunError:
        raise BadRequest(431, "request head too large") from None
    lines = head.decode("latin-1").split("\r\n")[:-2]
    try:
        method, target, version = lines[0].split(" ")
    except ValueError:
        raise BadRequest(400, "malformed request line") from None
    if version not in ("HTTP/1.0", "HTTP/1.1") or not method.isalpha():
        raise BadRequest(400, "unsupported request line")
    if len(lines) - 1 > MAX_HEADERS:
        raise BadRequest(431, "too many header fields")
    headers = []
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise BadRequest(400, "malformed header field")
        headers.append((name, value.strip(" \t")))
    return Request(method, target, version, headers)


async def _read_body(reader: asyncio.StreamReader, req: Request) -> bytes:
    coding = req.header("transfer-encoding")
    length = req.header("content-length")
    if coding is not None:
        if coding.lower() != "chunked" or length is not None:
            raise BadRequest(400, "unsupported transfer coding")
        return await _read_chunked(reader)
    if length is None:
        return b""
    if not length.isdigit():
        raise BadRequest(400, "bad Content-Length")
    if int(length) > MAX_BODY:
        raise BadRequest(413, "request body too large")
    return await reader.readexactly(int(length))


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        line = (await reader.readuntil(b"\r\n"))[:-2]
        size_text = line.split(b";", 1)[0].strip()
        if not size_text or len(size_text) > MAX_CHUNK_DIGITS:
            raise BadRequest(400, "bad chunk size")
        try:
            size = int(size_text, 16)
        except ValueError:
            raise BadRequest(400, "bad chunk size") from None
        if len(body) + size > MAX_BODY:
            raise BadRequest(413, "request body too large")
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailer fields, ignored
                pass
            return bytes(body)
        body += await reader.readexactly(size)
        if await reader.readexactly(2) != b"\r\n":
            raise BadRequest(400, "chunk not followed by CRLF")


def _json(status: int, value: Any) -> Response:
    body = (json.dumps(value, indent=2, sort_keys=True) + "\n").encode()
    return Response(status, [("Content-Type", "application/json")], body)


def _text(status: int, text: str, ctype: str = "text/plain; charset=utf-8") -> Response:
    return Response(status, [("Content-Type", ctype)], text.encode())


def _describe_body(req: Request) -> dict[str, Any]:
    ctype = req.header("content-type") or ""
    out: dict[str, Any] = {"data": "", "json": None, "form": {}, "files": {}}
    if ctype.startswith("multipart/form-data"):
        parser = email.parser.BytesParser(policy=email.policy.HTTP)
        message = parser.parsebytes(b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + req.body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if not isinstance(payload, bytes):
                payload = b""
            if part.get_filename() is not None:
                out["files"][str(name)] = {"filename": part.get_filename(), "size": len(payload)}
            else:
                out["form"][str(name)] = payload.decode("utf-8", "replace")
        return out
    if ctype.startswith("application/x-www-form-urlencoded"):
        out["form"] = dict(parse_qsl(req.body.decode("latin-1"), keep_blank_values=True))
        return out
    try:
        out["data"] = req.body.decode("utf-8")
    except UnicodeDecodeError:
        out["data"] = f"<{len(req.body)} bytes of binary data>"
        return out
    if "json" in ctype and req.body:
        try:
            out["json"] = json.loads(req.body)
        except ValueError:
            pass
    return out


def _download(req: Request, size_text: str) -> Response:
    if not size_text.isdigit() or int(size_text) > MAX_DOWNLOAD:
        return _text(400, f"size must be an integer up to {MAX_DOWNLOAD}\n")
    size = int(size_text)
    headers = [("Content-Type", "application/octet-stream"), ("Accept-Ranges", "bytes"),
               ("Content-Disposition", f'attachment; filename="tether-demo-{size}.bin"')]
    spec = req.header("range")
    if spec is None or req.method not in ("GET", "HEAD"):
        return Response(200, headers, download=(0, size))
    unit, _, ranges = spec.partition("=")
    first, dash, last = ranges.strip().partition("-")
    if unit.strip().lower() != "bytes" or not dash or "," in ranges or not first.isdigit():
        return Response(200, headers, download=(0, size))  # RFC 9110 §14.2: may ignore
    start = int(first)
    end = min(int(last) + 1, size) if last.isdigit() else size
    if start >= size or start >= end:
        headers.append(("Content-Range", f"bytes */{size}"))
        return Response(416, headers)
    headers.append(("Content-Range", f"bytes {start}-{end - 1}/{size}"))
    return Response(206, headers, download=(start, end))


def route(req: Request, scheme: str) -> Response:
    """The response for one request (downloads are streamed by the caller)."""
    path = req.path
    if path == "/anything" or path.startswith("/anything/"):
        value = {"method": req.method, "url": f"{scheme}://{req.header('host')}{req.target}",
                 "args": dict(req.args), "headers": dict(req.headers), **_describe_body(req)}
        return _json(200, value)
    if req.method not in ("GET", "HEAD"):
        return _text(405, "method not allowed here; try /anything\n")
    if path == "/":
        return _text(200, PAGE, "text/html; charset=utf-8")
    if path == "/json":
        return _json(200, {"server": "tether demo", "scheme": scheme,
                           "protocols": ["http", "https", "smtp", "pop3"],
                           "args": dict(req.args)})
    if path == "/robots.txt":
        return _text(200, ROBOTS_TXT)
    if path.startswith("/redirect/"):
        hops = path.removeprefix("/redirect/")
        if not hops.isdigit() or int(hops) > 100:
            return _text(400, "hops must be an integer up to 100\n")
        target = "/json" if int(hops) <= 1 else f"/redirect/{int(hops) - 1}"
        return Response(302, [("Location", target)], b"")
    if path.startswith("/download/"):
        return _download(req, path.removeprefix("/download/"))
    if path.startswith("/status/"):
        code = path.removeprefix("/status/")
        if code.isdigit() and 200 <= int(code) <= 599:
            try:
                reason = HTTPStatus(int(code)).phrase
            except ValueError:
                reason = "Status"
            return _text(int(code), f"{code} {reason}\n")
        return _text(400, "status must be 200-599\n")
    return _text(404, "not found\n")


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


async def _send(writer: asyncio.StreamWriter, req: Request | None, resp: Response,
                keep_alive: bool) -> None:
    length = resp.download[1] - resp.download[0] if resp.download else len(resp.body)
    no_body = status_has_no_body(resp.status)
    lines = [f"HTTP/1.1 {resp.status} {_reason(resp.status)}",
             f"Date: {email.utils.formatdate(usegmt=True)}", "Server: tether-demo",
             *(f"{k}: {v}" for k, v in resp.headers)]
    if not no_body:
        lines.append(f"Content-Length: {length}")
    if not keep_alive:
        lines.append("Connection: close")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    if (req is not None and req.method == "HEAD") or no_body:
        await writer.drain()
        return
    if resp.download is None:
        writer.write(resp.body)
        await writer.drain()
        return
    position, end = resp.download
    while position < end:
        offset = position % 256
        piece = _PATTERN[offset:offset + min(CHUNK - 256, end - position)]
        writer.write(piece)
        position += len(piece)
        await writer.drain()


def status_has_no_body(status: int) -> bool:
    return status < 200 or status in (204, 304)


class DemoHTTPServer:
    """Listens on 127.0.0.1; ``tls`` makes it an HTTPS server. Start with ``await start()``."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.tls = tls
        self.scheme = "https" if tls else "http"
        self.port = 0
        self.requests = 0

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> asyncio.AbstractServer:
        server = await asyncio.start_server(self._client, host, port, ssl=self.tls,
                                            limit=MAX_HEAD)
        self.port = server.sockets[0].getsockname()[1]
        return server

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    req = await _read_head(reader)
                    if req is None:
                        return
                    req.body = await _read_body(reader, req)
                except BadRequest as exc:
                    await _send(writer, None, _text(exc.status, f"{exc}\n"), keep_alive=False)
                    return
                self.requests += 1
                keep_alive = req.keep_alive
                await _send(writer, req, route(req, self.scheme), keep_alive)
                if not keep_alive:
                    return
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                asyncio.TimeoutError, ssl.SSLError):
            return
        except asyncio.CancelledError:
            # Only ServerLoop.close() cancels: finish quietly, since asyncio (3.11) logs
            # a cancelled connection handler as an error in a callback.
            return
        finally:
            writer.close()
