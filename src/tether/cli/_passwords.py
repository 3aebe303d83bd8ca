"""Where passwords come from: a prompt, an environment variable, or a command.

A password is never echoed, never printed, never written to a log: every secret this
module hands out is remembered in :data:`SECRETS`, and the error printer replaces each
of them with ``***`` in whatever message it shows. Sources, in order:

1. ``--password-command CMD``: CMD is split like a shell would (no shell runs it) and
   its standard output, without the trailing newline, is the password (for ``pass``,
   ``secret-tool``, ``op read`` and the like);
2. ``--password-env NAME``: the environment variable NAME;
3. a password written in the URL or in ``user:password`` (accepted, but visible to
   other users of the machine in the process list, so a warning is printed);
4. a prompt on the terminal (``/dev/tty``), without echo, when there is one.
"""

from __future__ import annotations

import argparse
import getpass
import os
import shlex
import subprocess
import sys

from tether.cli._errors import CLIError, ExitCode

#: Every secret handed out in this process, for redaction of messages.
SECRETS: set[str] = set()

#: Seconds a ``--password-command`` may run.
PASSWORD_COMMAND_TIMEOUT = 60.0


def add_password_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("password (never echoed)")
    group.add_argument("--password-env", metavar="NAME",
                       help="read the password from environment variable NAME")
    group.add_argument("--password-command", metavar="CMD",
                       help="run CMD (no shell) and use its output as the password")


def remember(secret: str) -> str:
    if secret:
        SECRETS.add(secret)
    return secret


def redact(text: str) -> str:
    for secret in sorted(SECRETS, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def _from_command(command: str) -> str:
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise CLIError(f"--password-command: {exc}") from None
    if not argv:
        raise CLIError("--password-command is empty")
    try:
        # stderr is left to the terminal, so a helper such as gpg can ask for a passphrase.
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              timeout=PASSWORD_COMMAND_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CLIError(f"--password-command could not run: {exc}") from None
    if done.returncode != 0:
        raise CLIError(f"--password-command exited with status {done.returncode}")
    text = done.stdout.decode("utf-8", "replace")
    return text[:-1] if text.endswith("\n") else text


def get_password(args: argparse.Namespace, user: str, where: str,
                 given: str | None = None) -> str:
    """The password for ``user`` at ``where`` from the first source that has one."""
    command = getattr(args, "password_command", None)
    env_name = getattr(args, "password_env", None)
    if command:
        return remember(_from_command(command))
    if env_name:
        value = os.environ.get(env_name)
        if value is None:
            raise CLIError(f"--password-env: environment variable {env_name} is not set")
        return remember(value)
    if given is not None:
        remember(given)
        print("tether: warning: a password on the command line is visible to other users; "
              "prefer --password-env or --password-command", file=sys.stderr)
        return given
    try:
        if os.name != "nt":
            with open("/dev/tty", "r+b", buffering=0):
                pass
        elif not sys.stdin.isatty():
            raise OSError("no console")
    except OSError:
        raise CLIError(f"a password is needed for {user} at {where}: no terminal to ask "
                       "on; use --password-env or --password-command",
                       ExitCode.USAGE) from None
    return remember(getpass.getpass(f"Password for {user} at {where}: "))
