"""Request preparation as requests does it: URL, query parameters, headers, bodies.

Every function here reproduces requests' observable result (the prepared URL string, the
body bytes, the ``Content-Length``/``Content-Type``/``Transfer-Encoding`` headers, the
exception type and message for bad input), because programs sign, cache and compare
those. Multipart bodies follow urllib3's ``encode_multipart_formdata`` layout (RFC 7578):
one part per field, ``Content-Disposition: form-data; name="..."; filename="..."``,
optional ``Content-Type`` and per-part headers, a random hex boundary; forms with more
than 1 MiB of binary files are streamed instead of built in memory
(:mod:`tether.http._multipart`).
"""

from __future__ import annotations

import binascii
import io
import json as _json
import os
import re
import warnings
from collections.abc import Iterable, Mapping
from typing import Any, Final
from urllib.parse import urlencode

import idna

from tether.exceptions import FileModeWarning, InvalidHeader, InvalidURL, MissingSchema
from tether.http._multipart import STREAM_THRESHOLD, MultipartBody, Part, build_body
from tether.http._urlprep import LocationParseError, join_prepared, parse_url, requote_uri

__all__ = [
    "check_header_validity",
    "encode_files",
    "encode_params",
    "guess_filename",
    "json_body",
    "prepare_url",
    "super_len",
    "to_key_val_list",
    "to_native_string",
]

_HEADER_NAME_STR = re.compile(r"^[^:\s][^:\r\n]*$")
_HEADER_VALUE_STR = re.compile(r"^\S[^\r\n]*$|^$")
_HEADER_NAME_BYTES = re.compile(rb"^[^:\s][^:\r\n]*$")
_HEADER_VALUE_BYTES = re.compile(rb"^\S[^\r\n]*$|^$")


def to_native_string(string: str | bytes, encoding: str = "ascii") -> str:
    """``str`` as is; ``bytes`` decoded (ASCII by default)."""
    if isinstance(string, str):
        return string
    return string.decode(encoding)


def to_key_val_list(value: Any) -> list[Any] | None:
    """A mapping or iterable of pairs as a list of pairs (requests' helper).

    Raises ``ValueError("cannot encode objects that are not 2-tuples")`` for scalars.
    """
    if value is None:
        return None
    if isinstance(value, (str, bytes, bool, int)):
        raise ValueError("cannot encode objects that are not 2-tuples")
    if isinstance(value, Mapping):
        value = value.items()
    return list(value)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (str, bytes)) or not hasattr(value, "__iter__")


def encode_params(data: Any) -> Any:
    """Form-encode a mapping or list of pairs (values may be lists); strings, bytes and
    files are returned unchanged."""
    if isinstance(data, (str, bytes)) or hasattr(data, "read"):
        return data
    if hasattr(data, "__iter__"):
        pairs: list[tuple[Any, Any]] = []
        for key, values in to_key_val_list(data) or []:
            if _is_scalar(values):
                values = [values]
            for value in values:
                if value is None:
                    continue
                pairs.append((
                    key.encode("utf-8") if isinstance(key, str) else key,
                    value.encode("utf-8") if isinstance(value, str) else value,
                ))
        return urlencode(pairs, doseq=True)
    return data


def guess_filename(obj: Any) -> Any:
    """The base name of a file object's ``name``, unless it is a pseudo name (``<stdin>``)."""
    name = getattr(obj, "name", None)
    if isinstance(name, bytes) and name and name[:1] != b"<" and name[-1:] != b">":
        return os.path.basename(name)
    if name and isinstance(name, str) and name[0] != "<" and name[-1] != ">":
        return os.path.basename(name)
    return None


def super_len(obj: Any) -> int:
    """How many bytes are left to read from ``obj`` (requests' ``super_len``)."""
    total: int | None = None
    position = 0
    if isinstance(obj, str):
        obj = obj.encode("utf-8")
    if hasattr(obj, "__len__"):
        total = len(obj)
    elif hasattr(obj, "len"):
        total = obj.len
    elif hasattr(obj, "fileno"):
        try:
            fileno = obj.fileno()
        except (io.UnsupportedOperation, AttributeError):
            pass
        else:
            total = os.fstat(fileno).st_size
            if "b" not in getattr(obj, "mode", "b"):
                warnings.warn(
                    "Requests has determined the content-length for this request using "
                    "the binary size of the file: however, the file has been opened in "
                    "text mode (i.e. without the 'b' flag in the mode). This may lead to "
                    "an incorrect content-length. In Requests 3.0, support will be "
                    "removed for files in text mode.",
                    FileModeWarning,
                    stacklevel=4,
                )
    if hasattr(obj, "tell"):
        try:
            position = obj.tell()
        except OSError:
            if total is not None:
                position = total
        else:
            if hasattr(obj, "seek") and total is None:
                try:
                    obj.seek(0, 2)
                    total = obj.tell()
                    obj.seek(position or 0)
                except OSError:
                    total = 0
    if total is None:
        total = 0
    return max(0, total - position)


def _header_part(header: tuple[Any, Any], part: Any, index: int) -> None:
    if isinstance(part, str):
        pattern: re.Pattern[Any] = _HEADER_NAME_STR if index == 0 else _HEADER_VALUE_STR
    elif isinstance(part, bytes):
        pattern = _HEADER_NAME_BYTES if index == 0 else _HEADER_VALUE_BYTES
    else:
        raise InvalidHeader(
            f"Header part ({part!r}) from {header} must be of type str or bytes, "
            f"not {type(part)}"
        )
    if not pattern.match(part):
        kind = "name" if index == 0 else "value"
        raise InvalidHeader(
            "Invalid leading whitespace, reserved character(s), or return character(s) "
            f"in header {kind}: {part!r}"
        )


#: Header pairs already found valid (the session's defaults come with every request);
#: cleared when it grows past this many entries.
_VALID_HEADERS: set[tuple[Any, Any]] = set()
_VALID_HEADERS_MAX = 512


def check_header_validity(header: tuple[Any, Any]) -> None:
    """Refuse header names/values that are not str/bytes or contain CR, LF (and, in
    names, ``:`` or leading whitespace) with :class:`~tether.exceptions.InvalidHeader`."""
    name, value = header
    if type(value) is str and type(name) is str:
        pair = (name, value)
        if pair in _VALID_HEADERS:
            return
        _header_part(header, name, 0)
        _header_part(header, value, 1)
        if len(_VALID_HEADERS) >= _VALID_HEADERS_MAX:
            _VALID_HEADERS.clear()
        _VALID_HEADERS.add(pair)
        return
    _header_part(header, name, 0)
    _header_part(header, value, 1)


def _idna_host(host: str) -> str:
    try:
        return idna.encode(host, uts46=True).decode("utf-8")
    except idna.IDNAError:
        raise UnicodeError from None


#: Prepared URLs of recent calls without ``params`` (a pure function of the URL string:
#: programs call the same few URLs again and again); cleared past this many entries.
_PREPARED_URLS: dict[str, str] = {}
_PREPARED_URLS_MAX = 256


def prepare_url(url: Any, params: Any) -> str:
    """``PreparedRequest.url`` for ``url`` and ``params``, as requests computes it."""
    if params or type(url) is not str:
        return _prepare_url(url, params)
    prepared = _PREPARED_URLS.get(url)
    if prepared is None:
        prepared = _prepare_url(url, params)
        if len(_PREPARED_URLS) >= _PREPARED_URLS_MAX:
            _PREPARED_URLS.clear()
        _PREPARED_URLS[url] = prepared
    return prepared


def _prepare_url(url: Any, params: Any) -> str:
    url = url.decode("utf8") if isinstance(url, bytes) else str(url)
    url = url.lstrip()
    # Non-HTTP schemes (mailto:, data:, custom adapters) are left for adapters to handle.
    if ":" in url and not url.lower().startswith("http"):
        return url  # type: ignore[no-any-return]
    try:
        parsed = parse_url(url)
    except LocationParseError as exc:
        raise InvalidURL(*exc.args) from None
    if not parsed.scheme:
        raise MissingSchema(
            f"Invalid URL {url!r}: No scheme supplied. Perhaps you meant https://{url}?"
        )
    host = parsed.host
    if not host:
        raise InvalidURL(f"Invalid URL {url!r}: No host supplied")
    if not host.isascii():
        try:
            host = _idna_host(host)
        except UnicodeError:
            raise InvalidURL("URL has an invalid label.") from None
    elif host.startswith(("*", ".")):
        raise InvalidURL("URL has an invalid label.")
    netloc = (parsed.auth + "@") if parsed.auth else ""
    netloc += host
    if parsed.port:
        netloc += f":{parsed.port}"
    path = parsed.path or "/"
    if isinstance(params, (str, bytes)):
        params = to_native_string(params)
    encoded = encode_params(params)
    query = parsed.query
    if encoded:
        query = f"{query}&{encoded}" if query else encoded
    return requote_uri(join_prepared(parsed, netloc, path, query))


def json_body(value: Any) -> bytes:
    """``json=`` as UTF-8 bytes; NaN and infinities are refused (``ValueError``)."""
    text = _json.dumps(value, allow_nan=False)
    return text.encode("utf-8")


# -- multipart/form-data ------------------------------------------------------------------


def encode_files(files: Any, data: Any, boundary: str | None = None,
                 stream_threshold: int = STREAM_THRESHOLD) -> tuple[bytes | MultipartBody, str]:
    """Build a multipart/form-data body from ``data`` fields and ``files``.

    ``files`` maps (or lists) field names to a file object, bytes/str, or a tuple
    ``(filename, fileobj_or_bytes[, content_type[, headers]])``.
    Returns ``(body, content_type)``: ``body`` is ``bytes`` (as requests builds it)
    unless binary files of more than ``stream_threshold`` bytes in total make it a
    streamed :class:`~tether.http._multipart.MultipartBody` (see that module).
    """
    if not files:
        raise ValueError("Files must be provided.")
    if isinstance(data, (str, bytes)):
        raise ValueError("Data must not be a string.")
    parts: list[Part] = []
    for field, values in to_key_val_list(data or {}) or []:
        if _is_scalar(values):
            values = [values]
        for value in values:
            if value is None:
                continue
            if not isinstance(value, bytes):
                value = str(value)
            name = field.decode("utf-8") if isinstance(field, bytes) else field
            parts.append((name, None, None, None, value))
    for field, spec in to_key_val_list(files or {}) or []:
        content_type: str | None = None
        extra: Mapping[str, Any] | None = None
        if isinstance(spec, (tuple, list)):
            if len(spec) == 2:
                filename, source = spec
            elif len(spec) == 3:
                filename, source, content_type = spec
            else:
                filename, source, content_type, extra = spec
        else:
            filename = guess_filename(spec) or field
            source = spec
        if source is None:
            continue
        # File objects stay unread here: build_body reads or streams them.
        parts.append((field, filename, content_type, extra, source))
    boundary = boundary or binascii.hexlify(os.urandom(16)).decode()
    return (build_body(parts, boundary, stream_threshold),
            f"multipart/form-data; boundary={boundary}")


#: Body types that are never streamed (the common ones, answered by type).
_NOT_STREAMS: Final = frozenset({dict, str, bytes, list, tuple, type(None)})


def is_stream_body(data: Any) -> bool:
    """requests' test for "send this as a stream": iterable, but not str/bytes/list/
    tuple/mapping."""
    if type(data) in _NOT_STREAMS:
        return False  # the usual bodies, without the Mapping ABC check
    return hasattr(data, "__iter__") and not isinstance(
        data, (str, bytes, list, tuple, Mapping)
    )


def iter_text_as_bytes(body: Iterable[Any]) -> Iterable[bytes]:
    """A streamed body's chunks as bytes (str chunks are UTF-8 encoded)."""
    for chunk in body:
        if isinstance(chunk, str):
            yield chunk.encode("utf-8")
        elif chunk:
            yield bytes(chunk)
