"""A batch process that dies with the command that started it, and takes with it everything
it started.

The command (``flows.cli.supervise``) runs the batch in a child process that leads a process
group of its own; the batch's reading processes and its temporary Prefect server are in that
group. When the command dies, however it dies (SIGKILL and the OOM killer included), the
child ends its whole group at once with SIGKILL:

- on Linux the kernel tells it: the child asks for ``PARENT_GONE`` when its parent dies
  (``prctl(PR_SET_PDEATHSIG)``), then checks that its parent is still the process that
  started it, in case that one died before the request was made;
- everywhere, a thread of the child waits on a pipe whose only writing end the parent holds:
  the end of that pipe is the parent's death, whatever the system.

Standard library only: the supervisor uses it without loading any native library.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
from collections.abc import Iterator, MutableMapping

LIFELINE_ENV = "VOUCHER_CHECK_LIFELINE"
"""``PARENT_PID:FD`` in the child's environment: who started it, and its end of the pipe."""
PARENT_GONE = signal.SIGHUP
"""The signal the kernel sends the child when its parent dies (a hang-up: nobody is left to
report to)."""
PR_SET_PDEATHSIG = 1


@contextlib.contextmanager
def lifeline(env: dict[str, str]) -> Iterator[tuple[dict[str, str], tuple[int, ...]]]:
    """In the parent: the environment and the descriptor to start a child with
    (``subprocess.Popen(..., env=env, pass_fds=fds)``). The pipe's writing end stays open in
    this process only, for the ``with`` block, and is never written: the child sees its end
    when this process dies."""
    read, write = os.pipe()
    try:
        yield {**env, LIFELINE_ENV: f"{os.getpid()}:{read}"}, (read,)
    finally:
        os.close(read)
        os.close(write)


def hold(environ: MutableMapping[str, str] | None = None, *, kernel: bool = True, pipe: bool = True) -> bool:
    """In the child, first thing, from its main thread: end this process group when the
    parent named in the environment dies, told by the kernel and by the pipe (either alone
    is enough; both are on unless turned off). False when there is no lifeline (the process
    was not started by ``lifeline``). The variable is removed, so nothing this process
    starts takes it for its own."""
    environ = os.environ if environ is None else environ
    value = environ.pop(LIFELINE_ENV, "")
    try:
        parent, fd = (int(part) for part in value.split(":"))
    except ValueError:
        return False
    if kernel:
        signal.signal(PARENT_GONE, lambda signum, frame: end_group())
        ask_kernel(PARENT_GONE)
    if pipe:
        with contextlib.suppress(OSError):
            os.set_inheritable(fd, False)
            threading.Thread(target=_watch, args=(fd,), name="lifeline", daemon=True).start()
    if os.getppid() != parent:  # it died before the kernel was asked
        end_group()
    return True


def ask_kernel(signum: int) -> bool:
    """Linux: have ``signum`` sent to this process when its parent dies. False elsewhere."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch(fd: int) -> None:
    """Wait for the end of the parent's pipe (nothing is ever written to it)."""
    try:
        while os.read(fd, 1):
            pass
    except OSError:
        return
    end_group()


def end_group() -> None:
    """SIGKILL to this process's group when it leads it (the batch, its reading processes, its
    temporary server), else to this process alone: a process that does not lead its group
    must not take its neighbours with it."""
    if os.getpgrp() == os.getpid():
        os.killpg(os.getpid(), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)
