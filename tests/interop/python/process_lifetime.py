"""How the peer servers learn that they should stop.

The C# tests and benchmark harness start peers as child processes. A peer stops on SIGTERM or
SIGINT, and also when its stdin is a pipe that reaches EOF, so a parent that dies without
cleaning up still takes its children with it. A terminal or /dev/null stdin is ignored, so the
servers also run fine by hand or in the background.
"""

import os
import signal
import stat
import sys
import threading


def stdin_is_pipe():
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def watch_for_stop(on_stop):
    """Arranges for on_stop() to be called on SIGTERM/SIGINT, or on EOF of a piped stdin.
    Must run on the main thread (Python only installs signal handlers there)."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: on_stop())
    if stdin_is_pipe():
        def watch_stdin():
            while sys.stdin.buffer.read1(65536):
                pass
            on_stop()
        threading.Thread(target=watch_stdin, name="stdin-eof", daemon=True).start()


def wait_for_stop_request():
    """Blocks the main thread until SIGTERM/SIGINT, or EOF on a piped stdin."""
    stop = threading.Event()
    watch_for_stop(stop.set)
    while not stop.wait(0.5):  # a timed wait keeps the main thread responsive to signals
        pass
