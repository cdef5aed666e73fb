"""The installed ``tinhso`` script's entry point: loads the command, then runs it.

Loading the command imports every service's code (a few seconds on a busy machine). A Ctrl-C
in that time, or anywhere outside the subcommands' own handling (``console.run_or_exit``),
ends the command the way the rest of the CLI does: exit 130, no traceback.
"""

from __future__ import annotations

import sys

INTERRUPTED = 130


def main() -> None:
    try:
        from services.cli.main import main as run  # noqa: PLC0415 - imported here to catch Ctrl-C while it loads

        run()
    except KeyboardInterrupt:
        sys.exit(INTERRUPTED)


if __name__ == "__main__":
    main()
