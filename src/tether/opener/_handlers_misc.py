"""``file:``, ``data:``, ``ftp:`` (placeholder) and unknown schemes.

``file:`` URLs are opened only when the caller asks for one: a server's redirect can
never lead here (see :class:`~tether.opener.HTTPRedirectHandler`). Only local files
are served: the host must be empty, ``localhost`` or an address of this machine; other
host names are refused without a DNS lookup.

``data:`` URLs follow RFC 2397 (``data:[<mediatype>][;base64],<data>``, percent-encoded
or base64); a malformed one raises :class:`URLError`.

``ftp:`` keeps urllib's :class:`FTPHandler` interface (``connect_ftp`` is the hook a
subclass may implement), but tether's FTP client has not landed yet: opening an FTP URL
raises ``URLError("FTP is not yet supported")``.
"""

from __future__ import annotations

import base64
import binascii
import email
import email.utils
import io
import mimetypes
import os
import socket
import sys
from typing import Any

from tether.opener._director import BaseHandler
from tether.opener._errors import URLError
from tether.opener._response import FileSource, OpenerResponse
from tether.url import (
    _splitattr,
    _splitpasswd,
    _splitport,
    _splituser,
    _splitvalue,
    quote,
    unquote,
    unquote_to_bytes,
)

__all__ = [
    "CacheFTPHandler",
    "DataHandler",
    "FTPHandler",
    "FileHandler",
    "UnknownHandler",
    "pathname2url",
    "url2pathname",
]

FTP_NOT_SUPPORTED = "FTP is not yet supported"


def url2pathname(pathname: str) -> str:
    """The local path named by the path of a ``file:`` URL (percent-decoded with the
    file system encoding)."""
    if pathname[:3] == "///":
        pathname = pathname[2:]
    elif pathname[:12] == "//localhost/":
        pathname = pathname[11:]
    return unquote(pathname, encoding=sys.getfilesystemencoding(),
                   errors=sys.getfilesystemencodeerrors())


def pathname2url(pathname: str) -> str:
    """The URL path for a local path (percent-encoded with the file system encoding)."""
    if pathname[:2] == "//":
        pathname = "//" + pathname  # keep a path that starts with "//" a path
    return quote(pathname, encoding=sys.getfilesystemencoding(),
                 errors=sys.getfilesystemencodeerrors())


def _addinfourl(fp: Any, headers: Any, url: str, code: int | None = None) -> OpenerResponse:
    return OpenerResponse(FileSource(fp), headers, url, code)


class UnknownHandler(BaseHandler):
    """Raises :class:`URLError` for a scheme no handler opens."""

    def unknown_open(self, req: Any) -> Any:
        raise URLError(f"unknown url type: {req.type}")


class FileHandler(BaseHandler):
    """Opens local files named by ``file:`` URLs."""

    names: tuple[str, ...] | None = None

    def file_open(self, req: Any) -> Any:
        url = req.selector
        if url[:2] == "//" and url[2:3] != "/" and req.host and req.host != "localhost":
            if req.host not in self.get_names():
                raise URLError("file:// scheme is supported only on localhost")
            return None
        return self.open_local_file(req)

    def get_names(self) -> tuple[str, ...]:
        """The addresses of this machine (of ``localhost`` and of its host name)."""
        if FileHandler.names is None:
            try:
                FileHandler.names = tuple(
                    socket.gethostbyname_ex("localhost")[2]
                    + socket.gethostbyname_ex(socket.gethostname())[2])
            except OSError:
                FileHandler.names = ("127.0.0.1",)
        return FileHandler.names

    def _is_local(self, host: str) -> bool:
        if host.lower() in ("localhost", socket.gethostname().lower()):
            return True
        # Only literal addresses are compared: no DNS lookup for a name in a URL.
        return host in self.get_names()

    def open_local_file(self, req: Any) -> Any:
        host = req.host
        filename = req.selector
        localfile = url2pathname(filename)
        try:
            stats = os.stat(localfile)
            modified = email.utils.formatdate(stats.st_mtime, usegmt=True)
            mtype = mimetypes.guess_type(filename)[0]
            headers = email.message_from_string(
                f"Content-type: {mtype or 'text/plain'}\nContent-length: {stats.st_size}\n"
                f"Last-modified: {modified}\n")
            port = None
            if host:
                host, port = _splitport(host)
            if not host or (not port and self._is_local(host)):
                origurl = f"file://{host}{filename}" if host else f"file://{filename}"
                return _addinfourl(open(localfile, "rb"), headers, origurl)
        except OSError as exc:
            raise URLError(exc, exc.filename) from exc
        raise URLError("file not on local host")


class DataHandler(BaseHandler):
    """Opens ``data:`` URLs (RFC 2397)."""

    def data_open(self, req: Any) -> Any:
        url = req.full_url
        _scheme, _, rest = url.partition(":")
        mediatype, comma, payload = rest.partition(",")
        if not comma:
            raise URLError("invalid data URL: no ',' before the data")
        if "\r" in mediatype or "\n" in mediatype:
            raise URLError("invalid data URL: line break in the media type")
        data = unquote_to_bytes(payload)  # base64 data may be percent-encoded too
        if mediatype.lower().endswith(";base64"):
            try:
                data = base64.decodebytes(data)
            except (binascii.Error, ValueError) as exc:
                raise URLError(f"invalid data URL: {exc}") from exc
            mediatype = mediatype[:-7]
        if not mediatype:
            mediatype = "text/plain;charset=US-ASCII"
        headers = email.message_from_string(
            f"Content-type: {mediatype}\nContent-length: {len(data)}\n")
        return _addinfourl(io.BytesIO(data), headers, url)


class FTPHandler(BaseHandler):
    """``ftp:`` URLs (urllib's interface); tether's own FTP client is not there yet."""

    def ftp_open(self, req: Any) -> Any:
        host = req.host
        if not host:
            raise URLError("ftp error: no host given")
        host, port_text = _splitport(host)
        port = 21 if port_text is None else int(port_text)
        userinfo, host = _splituser(host)
        passwd = None
        user = None
        if userinfo:
            user, passwd = _splitpasswd(userinfo)
        host = unquote(host)
        user = user or ""  # req.host is already percent-decoded
        passwd = passwd or ""
        try:
            host = socket.gethostbyname(host)
        except OSError as exc:
            raise URLError(exc) from exc
        path, attrs = _splitattr(req.selector)
        dirs = [unquote(part) for part in path.split("/")]
        dirs, file = dirs[:-1], dirs[-1]
        if dirs and not dirs[0]:
            dirs = dirs[1:]
        fw = self.connect_ftp(user, passwd, host, port, dirs, req.timeout)
        try:
            kind = "I" if file else "D"
            for attr in attrs:
                name, value = _splitvalue(attr)
                if name.lower() == "type" and value in ("a", "A", "i", "I", "d", "D"):
                    kind = value.upper()
            fp, retrlen = fw.retrfile(file, kind)
        except URLError:
            raise
        except (OSError, EOFError) as exc:
            raise URLError(f"ftp error: {exc}") from exc
        lines = ""
        mtype = mimetypes.guess_type(req.full_url)[0]
        if mtype:
            lines += f"Content-type: {mtype}\n"
        if retrlen is not None and retrlen >= 0:
            lines += f"Content-length: {retrlen}\n"
        return _addinfourl(fp, email.message_from_string(lines), req.full_url)

    def connect_ftp(self, user: str, passwd: str, host: str, port: int, dirs: list[str],
                    timeout: Any) -> Any:
        """Return an object with ``retrfile(file, type) -> (fp, length)``."""
        raise URLError(FTP_NOT_SUPPORTED)


class CacheFTPHandler(FTPHandler):
    """:class:`FTPHandler` that would keep FTP connections for reuse (same interface)."""

    def __init__(self) -> None:
        self.cache: dict[Any, Any] = {}
        self.timeout: dict[Any, float] = {}
        self.soonest = 0.0
        self.delay = 60
        self.max_conns = 16

    def setTimeout(self, t: float) -> None:
        self.delay = int(t)

    def setMaxConns(self, m: int) -> None:
        self.max_conns = m

    def clear_cache(self) -> None:
        for conn in self.cache.values():
            conn.close()
        self.cache.clear()
        self.timeout.clear()
