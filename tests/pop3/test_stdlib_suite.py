"""CPython's own test_poplib, run against tether.pop3 through ``poplib`` aliasing.

Deliberate differences (also in ``tether.pop3``'s docstring), all for one reason:
tether verifies certificates by default and poplib did not. The suite's dummy server
presents a certificate from CPython's test CA for "localhost" while the tests connect
to 127.0.0.1 without a ``context``, so:

- every test of ``TestPOP3_SSLClass`` errors in ``setUp`` (``POP3_SSL`` with no context);
- every test of ``TestPOP3_TLSClass`` errors in ``setUp`` (``stls()`` with no context);
- ``TestPOP3Class.test_stls`` (``stls()`` with no context).

Each must fail with a certificate-verification error and nothing else. The second run
makes tether's default context unverified (poplib's behaviour) and must pass entirely,
proving verification is the only difference. Runs in a subprocess: the suite's asyncore
servers share global state.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

RUNNER = Path(__file__).with_name("_stdlib_runner.py")

_SHARED = [
    "test_apop_REDOS", "test_apop_normal", "test_capa", "test_dele", "test_exceptions",
    "test_getwelcome", "test_list", "test_noop", "test_pass_", "test_quit", "test_retr",
    "test_rpop", "test_stat", "test_stls", "test_stls_capa", "test_stls_context",
    "test_too_long_lines", "test_top", "test_uidl", "test_user", "test_utf8",
    "test_utf8_raises_if_unsupported",
]
DELIBERATE = (
    {f"TestPOP3_SSLClass.{name}" for name in [*_SHARED, "test__all__", "test_context"]}
    | {f"TestPOP3_TLSClass.{name}" for name in _SHARED}
    | {"TestPOP3Class.test_stls"}
)


def run_suite(mode: str) -> dict[str, object]:
    env = dict(os.environ)
    for var in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
        env.pop(var, None)
    src = str(Path(__file__).resolve().parents[2] / "src")
    env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")])
    proc = subprocess.run([sys.executable, str(RUNNER), mode], capture_output=True, text=True,
                          timeout=240, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def strict() -> dict[str, object]:
    return run_suite("strict")


def test_suite_ran_everything(strict: dict[str, object]) -> None:
    assert strict["run"] == 71
    assert strict["skipped"] == 0


def test_only_deliberate_differences_fail(strict: dict[str, object]) -> None:
    problems = strict["problems"]
    assert isinstance(problems, dict)
    assert set(problems) == DELIBERATE
    for name, last_line in problems.items():
        assert "CERTIFICATE_VERIFY_FAILED" in last_line, (name, last_line)


def test_everything_passes_with_poplib_unverified_tls() -> None:
    result = run_suite("unverified")
    assert result["run"] == 71
    assert result["problems"] == {}
