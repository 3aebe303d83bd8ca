"""Settings the requests API takes from the environment when ``trust_env`` is true.

- Proxies: ``http_proxy``, ``https_proxy``, ``all_proxy`` (any case, through
  :func:`urllib.request.getproxies`, whose ``all`` key requests honours), and
  ``no_proxy`` (host suffixes, ``host:port``, IPv4 CIDR blocks), with requests'
  matching rules; proxy URLs may be ``http``, ``https``, ``socks4``, ``socks5``,
  ``socks5h``.
- Credentials from ``~/.netrc`` (or ``_netrc``, or the file ``NETRC`` names) for hosts
  without explicit auth.
- CA bundles: ``REQUESTS_CA_BUNDLE``, then ``CURL_CA_BUNDLE``, when ``verify`` is left
  at ``True`` (``SSL_CERT_FILE``/``SSL_CERT_DIR`` are honoured by tether's TLS factory).
"""

from __future__ import annotations

import contextlib
import functools
import os
import socket
import struct
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final
from urllib.parse import unquote, urlparse
from urllib.request import getproxies, proxy_bypass

__all__ = [
    "NETRC_FILES",
    "address_in_network",
    "ca_bundle_from_env",
    "dotted_netmask",
    "get_environ_proxies",
    "get_netrc_auth",
    "is_ipv4_address",
    "is_valid_cidr",
    "resolve_proxies",
    "select_proxy",
    "set_environ",
    "should_bypass_proxies",
]

NETRC_FILES = (".netrc", "_netrc")


def getenv(name: str) -> str | None:
    """``os.environ.get(name)``, without the mapping's per-call key encoding on POSIX
    (each request reads a few variables)."""
    data = getattr(os.environ, "_data", None)
    if _POSIX and type(data) is dict:
        value = data.get(name.encode())
        return None if value is None else value.decode(_FS_ENCODING, "surrogateescape")
    return os.environ.get(name)


_POSIX = os.name == "posix"
_FS_ENCODING = sys.getfilesystemencoding()


@functools.lru_cache(maxsize=8)
def _netrc_candidates(override: str | None, home: str | None) -> tuple[str, ...]:
    """Where a netrc file may be (``home`` is only part of the cache key: expanduser
    reads ``HOME`` itself)."""
    locations = (override,) if override is not None else tuple(f"~/{f}" for f in NETRC_FILES)
    return tuple(os.path.expanduser(location) for location in locations)


@functools.lru_cache(maxsize=8)
def _common_folder(candidates: tuple[str, ...]) -> str:
    """The directory holding every candidate ("" if they are in several)."""
    folders = {os.path.dirname(c) for c in candidates}
    return folders.pop() if len(folders) == 1 else ""


#: Candidate paths -> mtime (ns) of their directory when none of them existed. Creating,
#: removing or renaming a file changes its directory's mtime, so while that stays the
#: same one stat answers "no netrc" (requests' two per request). Only a directory
#: unchanged for :data:`_STABLE_NS` is remembered, so that a file created in the same
#: timestamp tick cannot hide behind it.
_NO_NETRC: dict[tuple[str, ...], int] = {}
_STABLE_NS: Final = 2_000_000_000


def get_netrc_auth(url: str, raise_errors: bool = False) -> tuple[str, str] | None:
    """(login, password) for ``url``'s host from the netrc file, if there is one."""
    candidates = _netrc_candidates(getenv("NETRC"), getenv("HOME"))
    folder = _common_folder(candidates)
    folder_mtime = None
    if folder:
        try:
            folder_mtime = os.stat(folder).st_mtime_ns
        except OSError:
            folder_mtime = None
        if folder_mtime is not None and _NO_NETRC.get(candidates) == folder_mtime:
            return None
    path = None
    for candidate in candidates:
        if os.path.exists(candidate):
            path = candidate
            break
    if path is None:
        if folder_mtime is not None and time.time_ns() - folder_mtime > _STABLE_NS:
            if len(_NO_NETRC) >= 16:
                _NO_NETRC.clear()
            _NO_NETRC[candidates] = folder_mtime
        return None
    from netrc import NetrcParseError, netrc

    host = urlparse(url).hostname
    if host is None:
        return None
    try:
        entry = netrc(path).authenticators(host)
    except (NetrcParseError, OSError):
        if raise_errors:
            raise
        return None
    if entry and any(entry):
        login = entry[0] if entry[0] else entry[1]
        return (login or "", entry[2] or "")
    return None


def is_ipv4_address(string_ip: str) -> bool:
    try:
        socket.inet_aton(string_ip)
    except OSError:
        return False
    return True


def dotted_netmask(mask: int) -> str:
    """``24`` → ``'255.255.255.0'``."""
    bits = 0xFFFFFFFF ^ (1 << 32 - mask) - 1
    return socket.inet_ntoa(struct.pack(">I", bits))


def is_valid_cidr(string_network: str) -> bool:
    if string_network.count("/") != 1:
        return False
    address, _, mask_text = string_network.partition("/")
    try:
        mask = int(mask_text)
    except ValueError:
        return False
    if mask < 1 or mask > 32:
        return False
    return is_ipv4_address(address)


def address_in_network(ip: str, net: str) -> bool:
    """Whether IPv4 ``ip`` lies in ``net`` (``a.b.c.d/n``)."""
    ipaddr = struct.unpack("=L", socket.inet_aton(ip))[0]
    netaddr, bits = net.split("/")
    netmask = struct.unpack("=L", socket.inet_aton(dotted_netmask(int(bits))))[0]
    network = struct.unpack("=L", socket.inet_aton(netaddr))[0] & netmask
    return bool((ipaddr & netmask) == (network & netmask))


@contextlib.contextmanager
def set_environ(env_name: str, value: str | None) -> Iterator[None]:
    """Set an environment variable for the block (nothing if ``value`` is None)."""
    changed = value is not None
    if changed:
        old = os.environ.get(env_name)
        os.environ[env_name] = value  # type: ignore[assignment]
    try:
        yield
    finally:
        if changed:
            if old is None:
                del os.environ[env_name]
            else:
                os.environ[env_name] = old


def _env(key: str) -> str | None:
    return os.environ.get(key) or os.environ.get(key.upper())


def should_bypass_proxies(url: str, no_proxy: str | None,
                          bypass: Callable[[str], Any] = proxy_bypass) -> bool:
    """Whether ``url`` goes direct: its host matches ``no_proxy`` (argument, else the
    environment) by suffix, ``host:port`` suffix, or IPv4 CIDR block."""
    no_proxy_arg = no_proxy
    if no_proxy is None:
        no_proxy = _env("no_proxy")
    parsed = urlparse(url)
    hostname = parsed.hostname
    if hostname is None:
        return True
    if no_proxy:
        entries = [h for h in no_proxy.replace(" ", "").split(",") if h]
        if is_ipv4_address(hostname):
            for entry in entries:
                if is_valid_cidr(entry):
                    if address_in_network(hostname, entry):
                        return True
                elif hostname == entry:
                    return True
        else:
            host_with_port = hostname
            if parsed.port:
                host_with_port += f":{parsed.port}"
            for entry in entries:
                entry = entry.lstrip(".")
                if entry in (hostname, host_with_port):
                    return True
                # Whole labels only: "example.com" covers "a.example.com", not
                # "badexample.com".
                if hostname.endswith("." + entry) or host_with_port.endswith("." + entry):
                    return True
    with set_environ("no_proxy", no_proxy_arg):
        try:
            bypassed = bypass(hostname)
        except (TypeError, socket.gaierror):
            bypassed = False
    return bool(bypassed)


def _proxy_variables() -> tuple[tuple[bytes, bytes], ...]:
    """The ``*_proxy`` variables (any case), read without decoding all of os.environ."""
    data = getattr(os.environ, "_data", None)
    if not isinstance(data, dict):
        return tuple((k.encode(), v.encode()) for k, v in os.environ.items()
                     if k.lower().endswith("_proxy"))
    return tuple((k, v) for k, v in data.items()
                 if isinstance(k, bytes) and k[-6:].lower() == b"_proxy")


def _has_proxy_variables() -> bool:
    """Whether any ``*_proxy`` variable is set (one C-level pass over the names)."""
    global _PROXY_NAMES_SEEN
    data = getattr(os.environ, "_data", None)
    if not isinstance(data, dict):
        return bool(_proxy_variables())
    # Only the set of names matters: while it is the one seen last time, so is the
    # answer (comparing the names is a quarter of the cost of searching them).
    names = tuple(data)
    seen = _PROXY_NAMES_SEEN
    if seen is not None and seen[0] == names:
        return seen[1]
    try:
        found = b"_proxy\0" in b"\0".join(names).lower() + b"\0"
    except TypeError:  # not all bytes: take the slow path
        return bool(_proxy_variables())
    _PROXY_NAMES_SEEN = (names, found)
    return found


#: The environment's variable names when last searched for ``*_proxy``, and the answer.
_PROXY_NAMES_SEEN: tuple[tuple[Any, ...], bool] | None = None


def get_environ_proxies(url: str, no_proxy: str | None = None) -> dict[str, str]:
    """The environment's proxies for ``url`` (empty when it is bypassed)."""
    if not no_proxy and not _has_proxy_variables():
        return {}  # fast path: no proxy variable set at all, nothing to bypass either
    if should_bypass_proxies(url, no_proxy=no_proxy):
        return {}
    return getproxies()


def select_proxy(url: str, proxies: Mapping[str, Any] | None) -> Any:
    """The proxy for ``url``: keys ``scheme://host``, ``scheme``, ``all://host``, ``all``."""
    proxies = proxies or {}
    parts = urlparse(url)
    if parts.hostname is None:
        return proxies.get(parts.scheme, proxies.get("all"))
    for key in (f"{parts.scheme}://{parts.hostname}", parts.scheme,
                f"all://{parts.hostname}", "all"):
        if key in proxies:
            return proxies[key]
    return None


def resolve_proxies(request: Any, proxies: Mapping[str, Any] | None,
                    trust_env: bool = True) -> dict[str, Any]:
    """``proxies`` plus, when trusted, the environment's proxy for the request's scheme."""
    proxies = proxies if proxies is not None else {}
    url = request.url
    scheme = urlparse(url).scheme
    no_proxy = proxies.get("no_proxy")
    resolved = dict(proxies)
    if trust_env and (no_proxy or _has_proxy_variables()) and not should_bypass_proxies(
            url, no_proxy=no_proxy):
        environ = get_environ_proxies(url, no_proxy=no_proxy)
        proxy = environ.get(scheme, environ.get("all"))
        if proxy:
            resolved.setdefault(scheme, proxy)
    return resolved


def ca_bundle_from_env() -> str | None:
    """``REQUESTS_CA_BUNDLE`` or ``CURL_CA_BUNDLE`` (requests' order)."""
    return getenv("REQUESTS_CA_BUNDLE") or getenv("CURL_CA_BUNDLE") or None


def get_auth_from_url(url: str) -> tuple[str, str]:
    """(username, password) percent-decoded from ``url``, or ``('', '')``."""
    parsed = urlparse(url)
    try:
        return (unquote(parsed.username), unquote(parsed.password))  # type: ignore[arg-type]
    except (AttributeError, TypeError):
        return ("", "")
