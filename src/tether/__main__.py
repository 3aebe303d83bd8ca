"""``python -m tether``: the command line."""

from tether.cli import main

raise SystemExit(main())
