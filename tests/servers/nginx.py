"""nginx on free loopback ports (HTTP and HTTPS), as a session-scoped fixture.

The document root holds a few files tests rely on; ``extra_locations`` lets other test
modules add locations before the server starts (see ``NGINX_EXTRA_LOCATIONS``).
"""

from __future__ import annotations

import dataclasses
import gzip
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from servers._harness import ServerProcess, TLSFiles, find_program, free_port, run_dir
from servers._harness import server_unavailable as _unavailable

#: Extra ``location`` blocks (nginx syntax) added inside both server blocks.
#: Append strings to this list at import time from another ``tests/servers/*.py``.
NGINX_EXTRA_LOCATIONS: list[str] = [
    # HTTP transport tests (tests/http/test_transport.py): keep-alive limits. Each serves
    # the docroot under a prefix with its own keep-alive settings.
    "location /ka2/ { keepalive_requests 2; rewrite ^/ka2/(.*)$ /$1 break; }",
    "location /ka-short/ { keepalive_timeout 1s; rewrite ^/ka-short/(.*)$ /$1 break; }",
    "location /no-ka/ { keepalive_timeout 0; rewrite ^/no-ka/(.*)$ /$1 break; }",
    # Streamed multipart uploads (tests/http/test_multipart.py): PUT stores the body as
    # sent under the docroot's upload/ (so a test can compare it byte for byte);
    # /discard reads and drops a body of any size.
    "location /upload/ { dav_methods PUT; create_full_put_path on; "
    "client_max_body_size 0; }",
    "location = /discard { client_max_body_size 0; return 200 \"discarded\\n\"; }",
]

SMALL_BODY = b"x" * 100


@dataclasses.dataclass(frozen=True)
class Nginx:
    host: str
    port: int
    tls_port: int
    docroot: Path
    pid: int
    tls: TLSFiles

    @property
    def http_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def https_url(self) -> str:
        return f"https://localhost:{self.tls_port}"


_CONF = """
daemon off;
master_process on;
worker_processes 1;
user root;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {run}/client_body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    default_type application/octet-stream;
    types {{ text/html html; text/plain txt; application/json json; }}
    keepalive_requests 100000;
    keepalive_timeout 60s;
    sendfile on;
    tcp_nodelay on;
    gzip on;
    gzip_types text/plain application/json;
    gzip_min_length 1000;
    server {{
        listen 127.0.0.1:{port};
        listen [::1]:{port};
        server_name localhost;
        root {docroot};
        location = /status/204 {{ return 204; }}
        location = /status/404 {{ return 404; }}
        location = /redirect {{ return 302 /small.txt; }}
        {extra}
    }}
    server {{
        listen 127.0.0.1:{tls_port} ssl;
        listen [::1]:{tls_port} ssl;
        server_name localhost;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
        root {docroot};
        location = /status/204 {{ return 204; }}
        location = /status/404 {{ return 404; }}
        location = /redirect {{ return 302 /small.txt; }}
        {extra}
    }}
}}
"""


def _write_docroot(docroot: Path) -> None:
    docroot.mkdir(parents=True, exist_ok=True)
    (docroot / "small.txt").write_bytes(SMALL_BODY)
    (docroot / "index.html").write_bytes(b"<!doctype html><title>tether</title>hello\n")
    text = b"".join(b"line %06d of a compressible text file\n" % i for i in range(20000))
    (docroot / "text.txt").write_bytes(text)
    (docroot / "data.json").write_bytes(b'{"hello": "world", "n": [1, 2, 3]}')
    (docroot / "robots.txt").write_bytes(b"User-agent: *\nDisallow: /private/\n")
    (docroot / "text.txt.gz").write_bytes(gzip.compress(text))
    (docroot / "random-1m.bin").write_bytes(os.urandom(1024 * 1024))


def start_nginx(tls: TLSFiles, extra: str = "") -> tuple[ServerProcess, Nginx]:
    binary = find_program("nginx")
    if binary is None:
        raise FileNotFoundError("nginx binary not found (apt-get install nginx-light)")
    run = run_dir("nginx")
    docroot = run / "www"
    _write_docroot(docroot)
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (run / sub).mkdir()
    port, tls_port = free_port(), free_port()
    conf = run / "nginx.conf"
    conf.write_text(_CONF.format(run=run, port=port, tls_port=tls_port, docroot=docroot,
                                 cert=tls.cert_pem, key=tls.key_pem, extra=extra))
    proc = ServerProcess(
        [binary, "-p", str(run), "-c", str(conf), "-e", str(run / "error.log")],
        name="nginx", ready=[("127.0.0.1", port), ("127.0.0.1", tls_port)],
        log=run / "stdout.log",
    )
    return proc, Nginx("127.0.0.1", port, tls_port, docroot, proc.pid, tls)


@pytest.fixture(scope="session")
def nginx(tls_ca: TLSFiles) -> Iterator[Nginx]:
    """A running nginx: ``.http_url``, ``.https_url`` (trust ``.tls.ca_pem``), ``.docroot``."""
    try:
        proc, server = start_nginx(tls_ca, "\n".join(NGINX_EXTRA_LOCATIONS))
    except (OSError, RuntimeError) as exc:
        _unavailable("nginx", str(exc))
    try:
        yield server
    finally:
        proc.stop()
