"""requests' own test suite, run against tether through an import alias (issue 12).

The sdist of the installed requests version is downloaded from PyPI with pip into the
git-ignored ``run/`` directory (never committed); its ``tests/`` run in a subprocess
with ``tests/servers/_requests_suite_plugin.py``, which maps ``requests`` to ``tether``
and serves httpbin. Every failure must be in one of the two lists below, and every
listed deliberate difference must still fail (so the list stays honest).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
from importlib.metadata import version
from pathlib import Path

from servers._harness import REPO, RUN_ROOT, server_unavailable

#: Tests tether fails on purpose, with the reason.
DELIBERATE = {
    # A response head cut off by EOF is a broken head for tether (ConnectionError);
    # http.client takes EOF as the end of the headers and then fails in the body.
    "tests/test_lowlevel.py::test_chunked_encoding_error",
    # Imports requests.packages / requests.help (urllib3 vendoring shims, not provided).
    "tests/test_requests.py::TestRequests::test_entry_points",
    # Mock urllib3's exception classes inside Response.raw.stream: tether's raw is its own.
    "tests/test_requests.py::TestRequests::test_iter_content_wraps_exceptions"
    "[ProtocolError-args0-ChunkedEncodingError]",
    "tests/test_requests.py::TestRequests::test_iter_content_wraps_exceptions"
    "[DecodeError-args1-ContentDecodingError]",
    "tests/test_requests.py::TestRequests::test_iter_content_wraps_exceptions"
    "[ReadTimeoutError-args2-ConnectionError]",
    "tests/test_requests.py::TestRequests::test_iter_content_wraps_exceptions"
    "[SSLError-args3-SSLError]",
    # Inspect urllib3 PoolManager internals (proxy_manager, poolmanager.pools).
    "tests/test_requests.py::TestRequests::test_session_close_proxy_clear",
    "tests/test_requests.py::TestPreparingURLs::"
    "test_different_connection_pool_for_tls_settings_verify_True",
    "tests/test_requests.py::TestPreparingURLs::"
    "test_different_connection_pool_for_tls_settings_verify_bundle_expired_cert",
    "tests/test_requests.py::TestPreparingURLs::"
    "test_different_connection_pool_for_tls_settings_verify_bundle_unexpired_cert",
    # Expects the wrapped urllib3 exception as args[0]; tether's message is a string.
    "tests/test_requests.py::TestTimeout::test_stream_timeout",
}

#: Tests that fail for requests itself on machines like this one (checked by running
#: the suite against requests: REQUESTS_SUITE_TARGET=requests): the SOCKS extra is not
#: installed, and the network answers the "unroutable" tarpit address.
ENVIRONMENTAL = {
    *(f"tests/test_lowlevel.py::test_use_proxy_from_environment[{v}]" for v in (
        "http_proxy-http", "https_proxy-https", "all_proxy-http", "all_proxy-https",
        "HTTP_PROXY-http", "HTTPS_PROXY-https", "ALL_PROXY-http", "ALL_PROXY-https")),
    "tests/test_requests.py::TestTimeout::test_connect_timeout[timeout0]",
    "tests/test_requests.py::TestTimeout::test_connect_timeout[timeout1]",
    "tests/test_requests.py::TestTimeout::test_total_timeout_connect[timeout0]",
    "tests/test_requests.py::TestTimeout::test_total_timeout_connect[timeout1]",
}

#: requests.help and requests.packages are not provided (see DELIBERATE).
IGNORED_FILES = ("tests/test_help.py", "tests/test_packages.py")


def _suite_dir() -> Path:
    wanted = version("requests")
    target = RUN_ROOT / "requests-sdist"
    tree = target / f"requests-{wanted}"
    if (tree / "tests").is_dir():
        return tree
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps",
         f"requests=={wanted}", "-d", str(target)],
        capture_output=True, text=True, timeout=300)
    archive = target / f"requests-{wanted}.tar.gz"
    if done.returncode != 0 or not archive.exists():
        server_unavailable("requests sdist", done.stderr[-500:])
    with tarfile.open(archive) as tf:
        tf.extractall(target, filter="data")
    return tree


def test_requests_own_suite_against_tether() -> None:
    tree = _suite_dir()
    env = {"PYTHONPATH": f"{REPO / 'src'}:{REPO / 'tests'}", "REQUESTS_SUITE_TARGET": "tether",
           "PATH": "/usr/bin:/bin"}
    args = [sys.executable, "-m", "pytest", "-p", "servers._requests_suite_plugin",
            "-p", "no:cacheprovider", "-q", "-rfE", "tests",
            *(f"--ignore={f}" for f in IGNORED_FILES)]
    done = subprocess.run(args, cwd=tree, env=env, capture_output=True, text=True,
                          timeout=900)
    out = done.stdout
    failed = set(re.findall(r"^(?:FAILED|ERROR) (\S+)", out, re.M))
    summary = re.findall(r"^=*\s*(.*(?:passed|failed).*?)\s*=*$", out, re.M)
    print(summary[-1] if summary else out[-2000:])
    assert failed - DELIBERATE - ENVIRONMENTAL == set(), out[-5000:]
    assert failed >= DELIBERATE, f"now passing, drop from DELIBERATE: {DELIBERATE - failed}"
    passed = int(re.search(r"(\d+) passed", out).group(1))  # type: ignore[union-attr]
    assert passed >= 580  # 587 on 2026-11-25 with requests 2.34.2
