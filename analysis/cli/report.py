"""`python -m analysis report`: build the report, print where it is or why it failed."""

from __future__ import annotations

import logging
import re
import sys
import time
from typing import Any

from analysis.cli.output import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK
from analysis.report import BuildLog, NotebookError, ReportError, build_report


def run(args: Any) -> int:
    """``python -m analysis report``: build the report, print where it is or why it failed."""
    log = BuildLog()
    started = time.perf_counter()
    # After a kernel dies (Ctrl-C reaches it too) nbclient's background tasks log their
    # tracebacks through asyncio; the build reports what happened in one line instead.
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    try:
        out = build_report(
            args.corpus,
            args.out,
            show_code=args.show_code,
            workers=args.workers,
            timeout=args.timeout,
            keep_duplicates=getattr(args, "keep_duplicates", False),
            text_field=getattr(args, "text_field", None),
            labels=getattr(args, "labels", None),
            lexicon=getattr(args, "lexicon", None),
            notebooks_dir=getattr(args, "notebooks", None),
            log=log,
        )
    except NotebookError as error:
        print(f"report failed in {error}", file=sys.stderr)
        if error.traceback:
            print(_strip_ansi(error.traceback), file=sys.stderr)
        print("the previous report, if any, was left as it was", file=sys.stderr)
        return EXIT_FAILED
    except ReportError as error:
        print(f"report failed: {error}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as error:  # not foreseen by build_report; still one line, no traceback
        print(f"report failed: {error}; the previous report, if any, was kept", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("report interrupted; the previous report, if any, was kept", file=sys.stderr)
        return EXIT_INTERRUPTED
    for step, seconds in log.seconds.items():
        print(f"{seconds:7.1f} s  {step}")
    total = time.perf_counter() - started
    print(f"report written to {out / 'index.html'} in {total:.1f} s")
    return EXIT_OK


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)
