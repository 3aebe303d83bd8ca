"""``tether demo``: every protocol tether has, exercised against embedded loopback servers.

The demo needs nothing outside the package and its runtime dependencies: it makes a
throw-away certificate authority, starts small servers in-process on free loopback
ports, uses tether's public APIs against them, and prints each step with its timing. It
exits non-zero if any step failed.
"""

from tether.demo._runner import run_demo as run_demo

__all__ = ["run_demo"]
