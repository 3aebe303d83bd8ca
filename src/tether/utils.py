"""The helpers programs import from ``requests.utils``, with requests' results."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator, Mapping
from http.cookiejar import CookieJar
from typing import Any
from urllib.parse import quote, unquote, urlparse, urlunparse
from urllib.request import proxy_bypass

from tether._version import __version__
from tether.cookies import cookiejar_from_dict
from tether.exceptions import UnrewindableBodyError
from tether.http._content import TextDecoder, iter_slices
from tether.http._decoders import SUPPORTED_CODINGS
from tether.http._environment import (
    NETRC_FILES,
    address_in_network,
    dotted_netmask,
    get_auth_from_url,
    get_environ_proxies,
    get_netrc_auth,
    is_ipv4_address,
    is_valid_cidr,
    resolve_proxies,
    select_proxy,
    set_environ,
)
from tether.http._environment import should_bypass_proxies as _should_bypass_proxies
from tether.http._headerutil import (
    get_encoding_from_headers,
    get_encodings_from_content,
    guess_json_utf,
    parse_dict_header,
    parse_header_links,
    parse_list_header,
    unquote_header_value,
)
from tether.http._headerutil import parse_content_type as _parse_content_type_header
from tether.http._prepare import (
    check_header_validity,
    guess_filename,
    super_len,
    to_key_val_list,
    to_native_string,
)
from tether.http._urlprep import requote_uri, unquote_unreserved
from tether.structures import CaseInsensitiveDict

__all__ = [
    "DEFAULT_ACCEPT_ENCODING",
    "DEFAULT_CA_BUNDLE_PATH",
    "DEFAULT_PORTS",
    "NETRC_FILES",
    "_parse_content_type_header",
    "add_dict_to_cookiejar",
    "address_in_network",
    "check_header_validity",
    "default_headers",
    "default_user_agent",
    "dict_from_cookiejar",
    "dict_to_sequence",
    "dotted_netmask",
    "extract_zipped_paths",
    "from_key_val_list",
    "get_auth_from_url",
    "get_encoding_from_headers",
    "get_encodings_from_content",
    "get_environ_proxies",
    "get_netrc_auth",
    "get_unicode_from_response",
    "guess_filename",
    "guess_json_utf",
    "is_ipv4_address",
    "is_valid_cidr",
    "iter_slices",
    "parse_dict_header",
    "parse_header_links",
    "parse_list_header",
    "prepend_scheme_if_needed",
    "proxy_bypass",
    "quote",
    "requote_uri",
    "resolve_proxies",
    "rewind_body",
    "select_proxy",
    "set_environ",
    "should_bypass_proxies",
    "stream_decode_response_unicode",
    "super_len",
    "to_key_val_list",
    "to_native_string",
    "unquote",
    "unquote_header_value",
    "unquote_unreserved",
    "urldefragauth",
]


def _ca_bundle() -> str:
    import certifi

    return str(certifi.where())


DEFAULT_CA_BUNDLE_PATH = _ca_bundle()
DEFAULT_PORTS = {"http": 80, "https": 443}
#: Every content coding tether decodes.
DEFAULT_ACCEPT_ENCODING = ", ".join(SUPPORTED_CODINGS)


def default_user_agent(name: str = "python-tether") -> str:
    """``python-tether/<version>`` (requests sends ``python-requests/<version>``)."""
    return f"{name}/{__version__}"


def default_headers() -> CaseInsensitiveDict[str]:
    return CaseInsensitiveDict({
        "User-Agent": default_user_agent(),
        "Accept-Encoding": DEFAULT_ACCEPT_ENCODING,
        "Accept": "*/*",
        "Connection": "keep-alive",
    })


def should_bypass_proxies(url: str, no_proxy: str | None) -> bool:
    """Whether ``url`` should go direct (``no_proxy`` rules, then this module's
    ``proxy_bypass``, which tests may patch as they patch requests.utils')."""
    return _should_bypass_proxies(url, no_proxy, bypass=proxy_bypass)


def dict_from_cookiejar(cj: CookieJar) -> dict[str, Any]:
    return {cookie.name: cookie.value for cookie in cj}


def add_dict_to_cookiejar(cj: CookieJar, cookie_dict: Mapping[str, Any]) -> Any:
    return cookiejar_from_dict(cookie_dict, cj)


def dict_to_sequence(d: Any) -> Any:
    return d.items() if hasattr(d, "items") else d


def from_key_val_list(value: Any) -> Any:
    """An ordered dict from a mapping or pairs (``ValueError`` for scalars)."""
    from collections import OrderedDict

    if value is None:
        return None
    if isinstance(value, (str, bytes, bool, int)):
        raise ValueError("cannot encode objects that are not 2-tuples")
    return OrderedDict(value)


def stream_decode_response_unicode(iterator: Iterator[bytes], r: Any) -> Iterator[Any]:
    """Decode chunks with ``r.encoding`` (pass them through when it is ``None``)."""
    decoder = TextDecoder(r.encoding)
    for chunk in iterator:
        text = decoder.decode(chunk)
        if text:
            yield text
    if not decoder.passthrough:
        rest = decoder.decode(b"", final=True)
        if rest:
            yield rest


def get_unicode_from_response(r: Any) -> Any:
    """The body as text with the header's encoding (deprecated in requests too)."""
    encoding = get_encoding_from_headers(r.headers)
    if encoding:
        try:
            return str(r.content, encoding)
        except UnicodeError:
            pass
    try:
        return str(r.content, encoding or "utf-8", errors="replace")
    except (TypeError, LookupError):
        return r.content


def prepend_scheme_if_needed(url: str, new_scheme: str) -> str:
    """``example.com:8080`` → ``http://example.com:8080`` (keeps an existing scheme)."""
    from tether.http._urlprep import parse_url

    parsed = parse_url(url)
    scheme, auth, host, port, path, query, fragment = parsed
    netloc = host or ""
    if port:
        netloc += f":{port}"
    if auth:
        netloc = f"{auth}@{netloc}"
    if scheme is None:
        scheme = new_scheme
    return urlunparse((scheme, netloc, path or "", "", query or "", fragment or ""))


def urldefragauth(url: str) -> str:
    """``url`` without fragment and credentials."""
    parsed = urlparse(url)
    netloc, path = parsed.netloc, parsed.path
    if not netloc:
        netloc, path = path, netloc
    netloc = netloc.rsplit("@", 1)[-1]
    return urlunparse((parsed.scheme, netloc, path, parsed.params, parsed.query, ""))


def rewind_body(prepared_request: Any) -> None:
    """Seek a file-like body back to where it was when the request was prepared."""
    seek = getattr(prepared_request.body, "seek", None)
    if seek is not None and isinstance(prepared_request._body_position, int):
        try:
            seek(prepared_request._body_position)
        except OSError as exc:
            raise UnrewindableBodyError(
                "An error occurred when rewinding request body for redirect.") from exc
    else:
        raise UnrewindableBodyError("Unable to rewind request body for redirect.")


def extract_zipped_paths(path: str) -> str:
    """A path inside a zip archive (e.g. a CA bundle in a zipapp) extracted to a
    temporary file; other paths unchanged."""
    if os.path.exists(path):
        return path
    archive, member = os.path.split(path)
    while archive and not os.path.exists(archive):
        archive, prefix = os.path.split(archive)
        if not prefix:
            break
        member = "/".join([prefix, member])
    if not zipfile.is_zipfile(archive):
        return path
    with zipfile.ZipFile(archive) as zf:
        if member not in zf.namelist():
            return path
        import tempfile

        target = os.path.join(tempfile.gettempdir(), *member.split("/"))
        if not os.path.exists(target):
            target = zf.extract(member, path=tempfile.gettempdir())
        return target

