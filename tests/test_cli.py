"""The ``tether`` entry point: --version, python -m tether, and the demo end to end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import tether

BIN = Path(sys.executable).parent / "tether"


def test_version_entry_point() -> None:
    out = subprocess.run([str(BIN), "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"tether {tether.__version__}"


def test_python_dash_m() -> None:
    out = subprocess.run([sys.executable, "-m", "tether", "--version"], capture_output=True,
                         text=True, check=True)
    assert tether.__version__ in out.stdout


def test_demo_runs_every_step() -> None:
    proc = subprocess.run([str(BIN), "demo"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[-1].startswith("tether demo: all steps passed")
    steps = [line for line in lines if line[:3].strip().rstrip(".").isdigit()]
    assert steps and all(" ok " in line for line in steps)
    assert not any(" FAILED " in line for line in steps)
