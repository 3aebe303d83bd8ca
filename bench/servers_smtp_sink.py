"""Registers the ``smtp_sink`` bench server: Postfix's smtp-sink on a free port.

env["smtp_sink"] = (host, port). Imported by bench/servers.py when a case NEEDS it.
"""

from __future__ import annotations

import sys
from typing import Any

from servers._harness import TLSFiles, free_port


def _smtp_sink(tls: TLSFiles) -> tuple[Any, dict[str, Any]]:
    from servers.smtp import start_smtp_sink

    port = free_port()
    proc = start_smtp_sink(port)
    return proc.stop, {"smtp_sink": ("127.0.0.1", port)}


# bench/run.py loads bench/servers.py as the module "bench_servers".
sys.modules["bench_servers"].register("smtp_sink", _smtp_sink)
