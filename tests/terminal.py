"""Run speechgen with its standard output on a pseudo-terminal, as a person at a terminal would."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def on_a_terminal(*args: str, timeout: float = 60) -> tuple[int, bytes, bytes]:
    """(exit code, what reached the screen, stderr). The screen is read while the command
    runs: a terminal holds only a few kilobytes, and a writer to a full one waits."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "generator", *args], stdout=slave,
                            stderr=subprocess.PIPE, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    os.close(slave)
    screen = bytearray()
    try:
        while True:
            ready, _, _ = select.select([master], [], [], timeout)
            if not ready:
                raise TimeoutError(f"speechgen {' '.join(args)} printed nothing for {timeout} s")
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the other end closed: everything was read
                break
            if not chunk:
                break
            screen += chunk
        err = proc.stderr.read()
        code = proc.wait(timeout=timeout)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()
    return code, bytes(screen), err
