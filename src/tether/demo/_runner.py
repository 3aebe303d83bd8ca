"""Runs the demo's steps in order, timing and reporting each."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

__all__ = ["DemoContext", "Step", "run_demo"]


@dataclass
class DemoContext:
    """What steps share: the temporary directory, the CA, started servers."""

    workdir: str
    ca_pem: str = ""
    cert_pem: str = ""
    key_pem: str = ""
    servers: dict[str, Any] = field(default_factory=dict)
    cleanups: list[Callable[[], None]] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    title: str
    run: Callable[[DemoContext], str]


def _steps() -> list[Step]:
    from tether.demo import _steps_net

    steps: list[Step] = []
    steps += _steps_net.STEPS
    for name in ("_steps_url", "_steps_http", "_steps_opener", "_steps_mail", "_steps_robots"):
        try:
            module = __import__(f"tether.demo.{name}", fromlist=["STEPS"])
        except ModuleNotFoundError as exc:
            if exc.name != f"tether.demo.{name}":
                raise
            continue
        steps += module.STEPS
    return steps


@contextlib.contextmanager
def _context() -> Iterator[DemoContext]:
    with tempfile.TemporaryDirectory(prefix="tether-demo-") as workdir:
        ctx = DemoContext(workdir=workdir)
        try:
            yield ctx
        finally:
            for cleanup in reversed(ctx.cleanups):
                with contextlib.suppress(Exception):
                    cleanup()


def run_demo(out: TextIO | None = None, debug: bool = False) -> int:
    """Run every step; return 0 if all passed, 1 otherwise."""
    out = out or sys.stdout
    steps = _steps()
    failed = 0
    started = time.perf_counter()
    print(f"tether demo: {len(steps)} steps against embedded loopback servers", file=out)
    with _context() as ctx:
        for number, step in enumerate(steps, 1):
            t0 = time.perf_counter()
            try:
                detail = step.run(ctx)
                status = "ok"
            except Exception as exc:
                failed += 1
                detail = f"{type(exc).__name__}: {exc}"
                status = "FAILED"
                if debug or os.environ.get("TETHER_DEBUG"):
                    traceback.print_exc(file=out)
            ms = (time.perf_counter() - t0) * 1000
            print(f"{number:2d}. {step.title:<52} {status:>6} {ms:8.1f} ms  {detail}",
                  file=out, flush=True)
    total = time.perf_counter() - started
    verdict = "all steps passed" if not failed else f"{failed} step(s) FAILED"
    print(f"tether demo: {verdict} in {total:.2f} s", file=out)
    return 1 if failed else 0
