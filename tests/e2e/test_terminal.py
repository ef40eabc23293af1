"""The server started by hand on a terminal: Ctrl-C stops it, as the banner says, with no traceback.

The server runs in a pseudo-terminal, the way a person's shell runs it: Ctrl-C there is the terminal's
interrupt character, which the terminal turns into SIGINT for the foreground process.
"""

from __future__ import annotations

import fcntl
import os
import select
import signal
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

ROOT = Path(__file__).parents[2]
BANNER_END = b"Press Ctrl-D or Ctrl-C to stop."
PING = b'{"jsonrpc":"2.0","id":7,"method":"ping"}\r'
PONG = b'{"jsonrpc":"2.0","id":7,"result":{}}'
# Generous bounds for a busy machine; before the fix the server never stopped at all on Ctrl-C.
START_SECONDS = 60.0
STOP_SECONDS = 10.0


class Terminal:
    def __init__(self, process: subprocess.Popen[bytes], fd: int) -> None:
        self.process = process
        self.fd = fd
        self.output = b""

    def read_until(self, marker: bytes, seconds: float) -> bool:
        """Collect output until `marker` shows or `seconds` pass (or the process has closed the pty)."""
        deadline = time.monotonic() + seconds
        while marker not in self.output and time.monotonic() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if not ready:
                continue
            try:
                chunk = os.read(self.fd, 4096)
            except OSError:  # EIO: every writer has closed the pty
                return marker in self.output
            if not chunk:
                break
            self.output += chunk
        return marker in self.output

    def type(self, data: bytes) -> None:
        os.write(self.fd, data)

    def wait(self, seconds: float) -> int | None:
        """The exit code, reading the pty meanwhile so the server never blocks on a full buffer."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:
                self.read_until(b"\x00never", 0.2)
                return code
            self.read_until(b"\x00never", 0.1)
        return None


def take_the_terminal() -> None:
    """In the child, after setsid: make the pty on fd 0 its controlling terminal (Ctrl-C -> SIGINT)."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


@contextmanager
def on_a_terminal(*args: str) -> Iterator[Terminal]:
    controller, child = os.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOURSMITH_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "hoursmith_mcp", *args],
        stdin=child,
        stdout=child,
        stderr=child,
        env=env,
        start_new_session=True,  # its own session, with the pty as controlling terminal
        preexec_fn=take_the_terminal,
    )
    os.close(child)
    terminal = Terminal(process, controller)
    try:
        yield terminal
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        os.close(controller)


def test_ctrl_c_on_a_terminal_stops_the_stdio_server_at_once_without_a_traceback() -> None:
    with on_a_terminal("--sandbox") as terminal:
        assert terminal.read_until(BANNER_END, START_SECONDS), terminal.output.decode(errors="replace")
        banner = terminal.output.decode(errors="replace").replace("\r\n", "\n")
        assert (
            f"from {ROOT / 'tools.yaml'} (the tools.yaml of the checkout this command runs from)," in banner
        )
        # One request answered: the server is now waiting for the next line, the state a person sees.
        terminal.type(PING)
        assert terminal.read_until(PONG, START_SECONDS), terminal.output.decode(errors="replace")
        typed = time.monotonic()
        terminal.type(b"\x03")  # the terminal's interrupt character: SIGINT to the foreground group
        code = terminal.wait(STOP_SECONDS)
        stopped_after = time.monotonic() - typed
        text = terminal.output.decode(errors="replace")
        assert code is not None, f"still running {STOP_SECONDS:g} s after Ctrl-C:\n{text}"
        assert code == 128 + signal.SIGINT, text  # the shell's convention for "ended by Ctrl-C"
        assert "Traceback" not in text and "Error" not in text, text
        print(f"stopped {stopped_after:.2f} s after Ctrl-C")  # the figure, for the report (-s shows it)


def test_ctrl_d_on_a_terminal_still_ends_the_server() -> None:
    with on_a_terminal("--sandbox") as terminal:
        assert terminal.read_until(BANNER_END, START_SECONDS), terminal.output.decode(errors="replace")
        terminal.type(b"\x04")  # end of input at the start of a line
        code = terminal.wait(STOP_SECONDS)
        text = terminal.output.decode(errors="replace")
        assert code == 0, text
        assert "Traceback" not in text, text
