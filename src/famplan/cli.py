"""The `famplan` command: Django's management commands plus a few friendly names.

Usage:
    famplan serve [ADDR]        web server and a background worker together
    famplan worker              the background worker alone
    famplan import-divisions F  load an NBS division table
    famplan demo ...            load demo data
    famplan audit-verify        check the audit log's tamper-evidence chain
    famplan <any django command>
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

ALIASES = {
    "import-divisions": "import_divisions",
    "worker": "db_worker",
    "demo": "demo",
    "audit-verify": "audit_verify",
}


def _serve(args: list[str]) -> None:
    """Serve the site with waitress (a production WSGI server in pure Python, so a
    county machine needs no compiler or proxy to start) and a worker beside it."""
    from waitress import serve

    from famplan.wsgi import application

    addr = args[0] if args else "127.0.0.1:8000"
    host, _, port = addr.rpartition(":")
    # A county runs on one machine: start the worker beside the web server so that
    # imports and reports run without a second terminal.
    worker = subprocess.Popen(
        [sys.executable, "-m", "famplan.cli", "worker", "--interval", "0.5"],
    )
    # A service manager stops us with SIGTERM: leave through `finally`, stopping the worker.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        print(f"famplan serving on http://{host or '127.0.0.1'}:{port} (Ctrl-C to stop)")
        serve(application, host=host or "127.0.0.1", port=int(port), threads=8)
    except KeyboardInterrupt:
        pass
    finally:
        # Ctrl-C reaches this process twice (from the terminal and forwarded by `uv run`):
        # ignore the second one so the worker is stopped cleanly, without a traceback.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        worker.terminate()
        worker.wait(timeout=10)


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "famplan.settings")
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] == "serve":
        import django

        django.setup()
        _serve(argv[2:])
        return
    if len(argv) > 1 and argv[1] in ALIASES:
        argv[1] = ALIASES[argv[1]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
