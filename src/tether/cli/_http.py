"""``tether get|head|delete|post|put|patch``."""

from __future__ import annotations

import argparse


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser],
                common: list[argparse.ArgumentParser]) -> None:
    pass
