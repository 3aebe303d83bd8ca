"""Terminal rules, checked under a pseudo-terminal: progress bars on a TTY only, colour
on a TTY only, binary bodies never written to a terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import termios
from pathlib import Path

from cli._run import BIN, tether
from servers.nginx import Nginx

BAR = "\u2501"  # rich's bar glyph


def _run_on_pty(*args: str, cwd: Path, stdout_tty: bool, stderr_tty: bool,
                timeout: float = 60) -> tuple[int, str, bytes]:
    """Run tether with the chosen streams on a 120x40 pseudo-terminal; returns the exit
    code, what the terminal showed, and whatever went to the non-terminal stream."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {k: v for k, v in os.environ.items()
           if k not in ("NO_COLOR", "FORCE_COLOR", "TETHER_NO_PROGRESS", "TERM")}
    env.update(TERM="xterm-256color", COLUMNS="120", LINES="40")
    proc = subprocess.Popen([str(BIN), *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=slave if stdout_tty else subprocess.PIPE,
                            stderr=slave if stderr_tty else subprocess.PIPE)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    piped = proc.stdout.read() if proc.stdout else proc.stderr.read() if proc.stderr else b""
    code = proc.wait(timeout)
    return code, shown.decode("utf-8", "replace"), piped


def test_progress_bar_on_a_terminal_only(nginx: Nginx, tmp_path: Path) -> None:
    url = nginx.http_url + "/random-1m.bin"
    code, shown, _ = _run_on_pty("get", url, "-o", "on-tty.bin", cwd=tmp_path,
                                 stdout_tty=False, stderr_tty=True)
    assert code == 0
    assert BAR in shown
    assert "1.0/1.0 MB" in shown  # rich's DownloadColumn: bytes done / total
    assert "saved on-tty.bin" in shown
    piped = tether("get", url, "-o", "piped.bin", cwd=tmp_path)
    assert piped.returncode == 0
    assert piped.stderr.decode() == "saved piped.bin (1048576 bytes)\n"  # no bar at all
    assert (tmp_path / "piped.bin").read_bytes() == (tmp_path / "on-tty.bin").read_bytes()


def test_binary_body_is_not_written_to_a_terminal(nginx: Nginx, tmp_path: Path) -> None:
    code, shown, _ = _run_on_pty("get", nginx.http_url + "/random-1m.bin", cwd=tmp_path,
                                 stdout_tty=True, stderr_tty=True)
    assert code == 0
    assert "binary data not shown" in shown
    assert len(shown) < 4096


def test_json_is_indented_and_coloured_on_a_terminal(nginx: Nginx, tmp_path: Path) -> None:
    code, shown, _ = _run_on_pty("get", nginx.http_url + "/data.json", cwd=tmp_path,
                                 stdout_tty=True, stderr_tty=True)
    assert code == 0
    assert "\x1b[" in shown  # ANSI colour
    plain = "".join(part.split("m", 1)[-1] for part in shown.split("\x1b["))
    assert 'HTTP/1.1 200 OK' in plain
    assert '"hello": "world"' in plain
    assert '\r\n    1,\r\n' in plain  # indented (the tty turns \n into \r\n)
    piped = tether("get", nginx.http_url + "/data.json")
    assert b"\x1b[" not in piped.stdout
