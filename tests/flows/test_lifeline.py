"""A child on a lifeline dies with its parent and takes its process group with it: told by
the kernel, by the pipe, or (its parent gone before it asked) by its parent's id."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import psutil
import pytest

from flows.lifeline import hold

MARK = "VOUCHER_CHECK_TEST_MARK"

PARENT = """
import os, subprocess, sys, time
from flows.lifeline import lifeline
with lifeline(dict(os.environ)) as (env, fds):
    subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2]], env=env, pass_fds=fds,
                     process_group=0)
    time.sleep(600)
"""

CHILD = """
import subprocess, sys, time
mode = sys.argv[1]
if mode == "late":
    time.sleep(1.5)  # the parent is killed before this child asks the kernel
from flows.lifeline import hold
assert hold(kernel=mode != "pipe", pipe=mode not in ("kernel", "late"))
subprocess.Popen(["sleep", "600"])
time.sleep(600)
"""


def marked(mark: str) -> list[psutil.Process]:
    """Every live process carrying ``mark`` in its environment (zombies are dead)."""
    found = []
    for p in psutil.process_iter(["environ", "status"], ad_value=None):
        if (p.info["environ"] or {}).get(MARK) == mark and p.info["status"] != psutil.STATUS_ZOMBIE:
            found.append(p)
    return found


def wait_for(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.parametrize("mode", ["kernel", "pipe", "both", "late"])
def test_the_child_and_what_it_started_die_with_the_parent(mode: str) -> None:
    mark = uuid.uuid4().hex
    env = {**os.environ, MARK: mark}
    parent = subprocess.Popen([sys.executable, "-c", PARENT, CHILD, mode], env=env)
    try:
        if mode == "late":
            assert wait_for(lambda: len(marked(mark)) == 2, 30)  # the parent and its child
        else:
            assert wait_for(lambda: len(marked(mark)) == 3, 30)  # and the child's child
        parent.kill()
        parent.wait()
        assert wait_for(lambda: not marked(mark), 5 + (1.5 if mode == "late" else 0)), marked(mark)
    finally:
        for p in marked(mark):
            p.kill()


def test_without_a_lifeline_nothing_is_held() -> None:
    assert hold({}) is False
    assert hold({"VOUCHER_CHECK_LIFELINE": "nonsense"}) is False


def test_a_process_that_does_not_lead_its_group_ends_only_itself() -> None:
    """The child shares this test's process group: ending it must not end the test."""
    child = subprocess.run([sys.executable, "-c", "from flows.lifeline import end_group; end_group()"],
                           check=False, timeout=60)
    assert child.returncode == -9
