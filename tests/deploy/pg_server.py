"""A real PostgreSQL server (Debian's package) that tests start, stop and restart on 127.0.0.1: a new
cluster in a temporary folder, trust authentication on loopback. PostgreSQL refuses to run as root, so
under root the server runs as the `postgres` user the package creates."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def _binary(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), ""
    )
    if not found:
        raise RuntimeError(f"{name} not found: install Debian's postgresql package (.ci/run does)")
    return found


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PostgresServer:
    """A cluster in its own folder under the system's temporary directory (the server's user must be
    able to reach it, which pytest's per-user folders do not allow)."""

    def __init__(self, port: int) -> None:
        self.path, self.port = Path(tempfile.mkdtemp(prefix="speechqa-postgres-")), port
        if os.geteuid() == 0:
            shutil.chown(self.path, "postgres", "postgres")
        subprocess.run(
            _as_server_user(
                [
                    _binary("initdb"),
                    "-D",
                    str(self.path / "cluster"),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            capture_output=True,
        )

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            _as_server_user([_binary("pg_ctl"), "-D", str(self.path / "cluster"), "-w", "-t", "60", *args]),
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        socket = f"unix_socket_directories={self.path}"
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c {socket} -c fsync=off"
        self._ctl("-o", options, "-l", str(self.path / "server.log"), "start")

    def stop(self) -> None:
        """A fast shutdown (what a restart of the service does): sessions are cut."""
        self._ctl("-m", "fast", "stop")

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def listening(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False
