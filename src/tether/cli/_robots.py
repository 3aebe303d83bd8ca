"""``tether robots URL --agent UA PATH...``: may this crawler fetch these paths?"""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser],
               common: list[argparse.ArgumentParser]) -> None:
    """Registered once tether.robots has landed."""
