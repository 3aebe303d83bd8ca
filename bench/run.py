"""Benchmark runner: tether against its peers, same servers, one run, printed as ratios.

Each case module ``bench/cases/<name>.py`` defines

    NEEDS = ["nginx", ...]          # servers from bench/servers.py (optional)
    GROUPS = {"group title": {"tether": fn, "peer": fn, ...}, ...}

where tether's implementation comes first and each ``fn(env) -> float`` returns the
seconds of its measured part (setup happens before the clock starts). Every repetition
of every implementation runs in a fresh subprocess; implementations are interleaved and
their order rotates between repetitions, so warm caches and a VM that reclaims idle
memory do not favour one side. The table shows medians, min-max and, for each peer, how
many times as fast tether is (peer median / tether median: above 1 means tether wins).

    .venv/bin/python bench/run.py                 # every case
    .venv/bin/python bench/run.py url -r 7        # only bench/cases/url.py, 7 repetitions
    .venv/bin/python bench/run.py -k "TLS"        # groups whose title contains "TLS"
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
# tests/servers/ holds the server start-up code the bench shares with the test suite.
sys.path.insert(0, str(HERE.parent / "tests"))

Fn = Callable[[dict[str, Any]], float]


def load_case(name: str) -> ModuleType:
    path = CASES / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"bench_case_{name}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def vm_hwm_kib() -> int:
    """Peak resident memory of this process (VmHWM), in KiB."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def worker(case: str, group: str, impl: str, warmup: int) -> None:
    env = json.loads(os.environ.get("TETHER_BENCH_ENV", "{}"))
    module = load_case(case)
    fn: Fn = module.GROUPS[group][impl]
    for _ in range(warmup):
        fn(env)
    seconds = fn(env)
    print(json.dumps({"seconds": seconds, "vmhwm_kib": vm_hwm_kib()}))


def run_one(case: str, group: str, impl: str, env: dict[str, Any], warmup: int,
            timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", case, group, impl,
           "--warmup", str(warmup)]
    child_env = dict(os.environ, TETHER_BENCH_ENV=json.dumps(env))
    proc = subprocess.run(cmd, capture_output=True, text=True, env=child_env, timeout=timeout)
    if proc.returncode != 0:
        return {"error": (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["failed"]}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


@contextlib.contextmanager
def servers(needed: set[str]) -> Iterator[dict[str, Any]]:
    spec = importlib.util.spec_from_file_location("bench_servers", HERE / "servers.py")
    assert spec and spec.loader
    bench_servers = importlib.util.module_from_spec(spec)
    sys.modules["bench_servers"] = bench_servers
    spec.loader.exec_module(bench_servers)

    with bench_servers.started(needed) as env:
        yield env


def fmt_s(v: float) -> str:
    return f"{v * 1000:9.1f} ms" if v < 10 else f"{v:9.2f} s "


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="*", help="case modules (default: all)")
    parser.add_argument("-r", "--reps", type=int, default=5)
    parser.add_argument("-k", "--keyword", default="", help="only groups containing this")
    parser.add_argument("--warmup", type=int, default=0, help="unmeasured runs per process")
    parser.add_argument("--timeout", type=float, default=600.0, help="per process, seconds")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--worker", nargs=3, metavar=("CASE", "GROUP", "IMPL"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(*args.worker, args.warmup)
        return 0

    names = args.cases or sorted(p.stem for p in CASES.glob("*.py") if not p.stem.startswith("_"))
    modules = {n: load_case(n) for n in names}
    needed: set[str] = set()
    for m in modules.values():
        needed.update(getattr(m, "NEEDS", []))

    rows: list[tuple[str, str, list[float], dict[str, Any]]] = []
    with servers(needed) as env:
        for name, module in modules.items():
            for group, impls in module.GROUPS.items():
                if args.keyword and args.keyword.lower() not in group.lower():
                    continue
                order = list(impls)
                samples: dict[str, list[float]] = {i: [] for i in order}
                extra: dict[str, dict[str, Any]] = {i: {} for i in order}
                for rep in range(args.reps):
                    shift = rep % len(order)
                    for impl in order[shift:] + order[:shift]:
                        res = run_one(name, group, impl, env, args.warmup, args.timeout)
                        if "error" in res:
                            extra[impl]["error"] = res["error"]
                            continue
                        samples[impl].append(res["seconds"])
                        extra[impl]["vmhwm_kib"] = max(extra[impl].get("vmhwm_kib", 0),
                                                       res["vmhwm_kib"])
                for impl in order:
                    rows.append((f"{name}: {group}", impl, samples[impl], extra[impl]))
                print_group(f"{name}: {group}", order, samples, extra, args.markdown)
    return 0


def print_group(title: str, order: list[str], samples: dict[str, list[float]],
                extra: dict[str, dict[str, Any]], markdown: bool) -> None:
    base = statistics.median(samples[order[0]]) if samples[order[0]] else None
    if markdown:
        print(f"\n**{title}**\n\n| implementation | median | min-max "
              "| tether is x as fast | peak RSS |")
        print("| --- | ---: | ---: | ---: | ---: |")
    else:
        print(f"\n== {title}")
    for impl in order:
        vals = samples[impl]
        rss = extra[impl].get("vmhwm_kib", 0) / 1024
        if not vals:
            err = " ".join(extra[impl].get("error", ["no result"]))
            print(f"| {impl} | error: {err} | | | |" if markdown else f"  {impl:<28} ERROR {err}")
            continue
        med = statistics.median(vals)
        ratio = "" if impl == order[0] or base is None else f"{med / base:.2f}x"
        if markdown:
            print(f"| {impl} | {fmt_s(med).strip()} | {fmt_s(min(vals)).strip()}-"
                  f"{fmt_s(max(vals)).strip()} | {ratio} | {rss:.0f} MiB |")
        else:
            print(f"  {impl:<28}{fmt_s(med)}  [{fmt_s(min(vals)).strip()} - "
                  f"{fmt_s(max(vals)).strip()}]  {ratio:>8}  peak {rss:6.0f} MiB")
    sys.stdout.flush()


if __name__ == "__main__":
    print(f"# tether bench, {time.strftime('%Y-%m-%d %H:%M')}, Python "
          f"{platform.python_version()}, {platform.machine()}", flush=True) \
        if "--worker" not in sys.argv else None
    raise SystemExit(main())
