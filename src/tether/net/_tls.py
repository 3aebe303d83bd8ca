"""One factory for ``ssl.SSLContext`` objects, cached by configuration.

Defaults: certificate verification and host-name checking on, TLS 1.2 or newer, SNI
(through ``server_hostname`` at wrap time), optional ALPN and client certificate.

Trust store, in order:

1. a CA file or directory the caller passes (``verify="/path"``);
2. ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` from the environment when ``trust_env`` is true
   (OpenSSL's own variables, honoured explicitly so their effect does not depend on the
   OpenSSL build);
3. the operating system's bundle, found by OpenSSL's default verify paths (on Debian
   ``/etc/ssl/certs``); measured at about 10 ms per context with the Debian bundle;
4. ``certifi``'s bundle when the system has none (minimal containers).

Building a context costs milliseconds (OpenSSL parses the whole bundle), so contexts are
cached by every input that shapes them, including the environment variables read; a
thousand clients share one. Cached contexts are shared: callers must not mutate them.
"""

from __future__ import annotations

import functools
import os
import ssl
import threading
from typing import Final

__all__ = ["CertSpec", "clear_context_cache", "create_ssl_context", "default_ca_source"]

#: Oldest protocol version tether negotiates.
MINIMUM_TLS_VERSION: Final = ssl.TLSVersion.TLSv1_2

CertSpec = str | tuple[str, str] | tuple[str, str, str | None] | None

_lock = threading.Lock()


def _system_paths_usable() -> bool:
    paths = ssl.get_default_verify_paths()
    if paths.cafile and os.path.isfile(paths.cafile):
        return True
    return bool(paths.capath and os.path.isdir(paths.capath) and os.listdir(paths.capath))


@functools.lru_cache(maxsize=1)
def _system_has_bundle() -> bool:
    return _system_paths_usable()


def default_ca_source(trust_env: bool = True) -> tuple[str, str | None]:
    """Where default trust comes from: ("file"|"dir"|"system"|"certifi", path)."""
    if trust_env:
        cafile = os.environ.get("SSL_CERT_FILE")
        if cafile:
            return ("file", cafile)
        capath = os.environ.get("SSL_CERT_DIR")
        if capath:
            return ("dir", capath)
    if _system_has_bundle():
        return ("system", None)
    import certifi

    return ("file", certifi.where())


def _load_ca(ctx: ssl.SSLContext, source: tuple[str, str | None]) -> None:
    kind, path = source
    if kind == "system":
        ctx.set_default_verify_paths()
    elif kind == "dir":
        ctx.load_verify_locations(capath=path)
    else:
        ctx.load_verify_locations(cafile=path)


def _check_path(path: str, what: str) -> None:
    if not os.path.exists(path):
        raise OSError(f"Could not find a suitable TLS {what}, invalid path: {path}")


@functools.lru_cache(maxsize=64)
def _build(
    verify: bool,
    ca_source: tuple[str, str | None] | None,
    cert: tuple[str, str | None, str | None] | None,
    alpn: tuple[str, ...] | None,
    mtimes: tuple[float, ...],
) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = MINIMUM_TLS_VERSION
    if verify:
        ctx.check_hostname = True
        ctx.verify_mode = ssl.CERT_REQUIRED
        if ca_source is not None:
            _load_ca(ctx, ca_source)
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if cert is not None:
        certfile, keyfile, password = cert
        ctx.load_cert_chain(certfile, keyfile, password)
    if alpn:
        ctx.set_alpn_protocols(list(alpn))
    # Session tickets and OP_NO_COMPRESSION are on by default in OpenSSL 3.
    return ctx


def _mtime(path: str | None) -> float:
    if not path:
        return 0.0
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


def create_ssl_context(
    verify: bool | str | os.PathLike[str] | ssl.SSLContext = True,
    cert: CertSpec = None,
    alpn: tuple[str, ...] | list[str] | None = None,
    trust_env: bool = True,
) -> ssl.SSLContext:
    """Return a (cached, shared) client ``SSLContext``.

    - ``verify``: ``True`` (default trust, see module docstring), ``False`` (no
      verification at all: only for tests), a path to a CA bundle file or a directory of
      hashed certificates, or an ``SSLContext`` which is returned unchanged.
    - ``cert``: client certificate: a path (certificate and key in one file), a
      ``(cert, key)`` pair, or ``(cert, key, password)``.
    - ``alpn``: protocols to offer, e.g. ``("http/1.1",)``.
    - ``trust_env``: read ``SSL_CERT_FILE``/``SSL_CERT_DIR``.

    Raises ``OSError`` naming the path if a CA or certificate file does not exist.
    """
    if isinstance(verify, ssl.SSLContext):
        return verify
    ca_source: tuple[str, str | None] | None
    if verify is True:
        ca_source = default_ca_source(trust_env)
    elif verify is False:
        ca_source = None
    else:
        path = os.fspath(verify)
        _check_path(path, "CA certificate bundle")
        ca_source = ("dir", path) if os.path.isdir(path) else ("file", path)
    cert_key: tuple[str, str | None, str | None] | None = None
    if cert is not None:
        if isinstance(cert, str):
            cert_key = (cert, None, None)
        elif len(cert) == 2:
            cert_key = (cert[0], cert[1], None)
        else:
            cert_key = (cert[0], cert[1], cert[2])
        _check_path(cert_key[0], "certificate file")
        if cert_key[1]:
            _check_path(cert_key[1], "key file")
    mtimes = (
        _mtime(ca_source[1]) if ca_source else 0.0,
        _mtime(cert_key[0]) if cert_key else 0.0,
    )
    with _lock:
        return _build(bool(verify), ca_source, cert_key, tuple(alpn) if alpn else None, mtimes)


def clear_context_cache() -> None:
    """Forget every cached context (e.g. after the system trust store changed)."""
    with _lock:
        _build.cache_clear()
        _system_has_bundle.cache_clear()
