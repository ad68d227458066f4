"""A process's end in a reviewer's words. Standard library only, so the command line's
supervisor can use it without loading the reader or any native library."""

from __future__ import annotations

import signal


def signal_name(number: int) -> str:
    """``SIGSEGV`` for 11; ``信号 N`` for a number that names no signal."""
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"信号 {number}"


def exit_reason(code: int | None) -> str:
    """How a process ended, in words: a negative exit code is the signal that killed it."""
    if code is not None and code < 0:
        return f"被 {signal_name(-code)} 终止" + ("，多为内存不足" if -code == signal.SIGKILL else "")
    return f"退出码 {code}"
