"""A real Chroma server (`chroma run`, shipped with chromadb) that tests start, stop, kill and restart
on 127.0.0.1."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from evaluation.soak import free_port

__all__ = ["ChromaServer", "free_port"]

# the chroma of the environment running the tests, whichever it is (scripts/upgrade-lock runs them in a
# scratch one)
CHROMA = Path(sys.executable).parent / "chroma"
if not CHROMA.exists():
    CHROMA = Path(shutil.which("chroma") or "chroma")


class ChromaServer:
    def __init__(self, path: Path, port: int) -> None:
        self.path, self.port = path, port
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert CHROMA.exists(), "the chroma command ships with the chromadb package"
        self.process = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("chroma server did not start")

    def kill(self) -> None:
        """As a crash would: no shutdown, no flush."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None
