"""``kg.publish.files.in_two_processes``: pages written from this process and a forked one.

Every item is written exactly once whichever process takes it, and a failure in the forked
writer comes back to the caller as the error it was (a full disk stays an ``OSError`` with its
errno), or as a ``PublishError`` when the child dies without answering.
"""

from __future__ import annotations

import errno
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kg.errors import PublishError
from kg.publish.files import CHUNK, in_two_processes

ITEMS = [f"page-{i}" for i in range(CHUNK * 6 + 7)]


def _writer(folder: Path, fail_in_child: BaseException | None = None,
            die_in_child: bool = False) -> Callable[[list[str]], int]:
    parent = os.getpid()

    def write(chunk: list[str]) -> int:
        if os.getpid() != parent:
            if die_in_child:
                os.kill(os.getpid(), signal.SIGKILL)
            if fail_in_child is not None:
                raise fail_in_child
        for name in chunk:
            (folder / name).write_text(f"{os.getpid()}\n", encoding="utf-8")
        return len(chunk)

    return write


def _until_the_child_wrote(folder: Path) -> None:
    """``first``: this process's other work; here it waits until the forked writer has written a page."""
    me = f"{os.getpid()}\n"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(p.read_text(encoding="utf-8") not in ("", me) for p in list(folder.iterdir())):
            return
        time.sleep(0.01)


def test_every_item_is_written_once_by_one_of_the_two_processes(tmp_path: Path) -> None:
    done = in_two_processes(ITEMS, _writer(tmp_path), first=lambda: _until_the_child_wrote(tmp_path))
    assert done == len(ITEMS)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(ITEMS)
    writers = {p.read_text(encoding="utf-8") for p in tmp_path.iterdir()}
    assert len(writers) == 2  # both processes took chunks


def test_a_full_disk_in_the_forked_writer_is_an_oserror_with_its_errno(tmp_path: Path) -> None:
    full = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x.html"))
    with pytest.raises(OSError) as err:
        in_two_processes(ITEMS, _writer(tmp_path, fail_in_child=full))
    assert err.value.errno == errno.ENOSPC and err.value.filename == str(tmp_path / "x.html")


def test_any_other_failure_in_the_forked_writer_is_a_publish_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(PublishError, match="the second process writing pages failed: ValueError: bad page"):
        in_two_processes(ITEMS, _writer(tmp_path, fail_in_child=ValueError("bad page")))


def test_a_forked_writer_killed_without_answering_is_a_publish_error(tmp_path: Path) -> None:
    with pytest.raises(PublishError, match="ended without answering"):
        in_two_processes(ITEMS, _writer(tmp_path, die_in_child=True))


def test_one_item_at_a_time_each_is_written_once_and_the_counts_add_up(tmp_path: Path) -> None:
    """As ``kg publish`` uses it: tasks of unequal size (a dump, the pages of some resources), one at a time."""
    tasks = [[f"dump-{i}"] for i in range(5)] + [[f"page-{i}-{j}" for j in range(3)] for i in range(40)]
    done = in_two_processes(tasks, lambda batch: sum(_writer(tmp_path)(t) for t in batch), chunk=1)
    assert done == 5 + 40 * 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(n for t in tasks for n in t)
