"""Writing output the safe way: modes from the umask, a site built beside the old one and swapped in.

``kg publish`` never writes into an existing folder: a symlink planted there (``person/x.html ->
~/.bashrc``) would be followed and its target overwritten, and pages of resources the data no
longer has would stay. It builds the site in a fresh folder next to the target and swaps the
two (in one step where Linux allows, ``renameat2(RENAME_EXCHANGE)``), then deletes the old one
(``shutil.rmtree`` removes links, never what they point to). A folder that is not empty and
was not written by ``kg publish`` is never replaced: it might be anything.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from kg.errors import PublishError
from kg.workers import die_with_parent

T = TypeVar("T")
#: bytes of the child's answer (under PIPE_BUF: one atomic write)
PIPE_MAX = 4000

#: the file that marks a folder as a site ``kg publish`` wrote (and may replace)
MARKER = ".kg-site"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def umask() -> int:
    """The process umask, read without changing it where the system allows (threads may be writing)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def usual_mode(fd: int, directory: bool = False) -> None:
    """Give a file made by ``mkstemp`` (0600) or a folder made by ``mkdtemp`` (0700) the mode any file gets."""
    os.fchmod(fd, (0o777 if directory else 0o666) & ~umask())


def is_site(folder: Path) -> bool:
    """Was ``folder`` written by ``kg publish`` (the marker, or the layout of versions before it)?"""
    return (folder / MARKER).is_file() or ((folder / "void.ttl").is_file() and (folder / "dumps").is_dir())


def check_target(target: Path) -> None:
    """Refuse a target that is a file, or a folder of other things than a site."""
    if not os.path.lexists(target):
        return
    if not target.is_dir():
        raise PublishError("not a folder", where=target, fix="give a folder for the site")
    if any(target.iterdir()) and not is_site(target):
        raise PublishError("the folder is not empty and holds no site written by kg publish; it is left alone",
                           where=target, fix="give a new or empty folder, or remove this one first")


def fresh_folder(target: Path) -> Path:
    """An empty folder beside ``target`` (same file system: it can be renamed into place), usual mode."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    fd = os.open(tmp, os.O_RDONLY)
    try:
        usual_mode(fd, directory=True)
    finally:
        os.close(fd)
    return tmp


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); False where that is not possible."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    return int(fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)) == 0


def swap_in(new: Path, target: Path) -> None:
    """Put the folder ``new`` at ``target``, replacing (and then deleting) what was there."""
    (new / MARKER).write_text("written by kg publish: this whole folder is replaced by the next run\n",
                              encoding="utf-8")
    if not os.path.lexists(target):
        os.rename(new, target)
        return
    if _exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)  # now the old site
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    os.rename(target, old / "site")
    os.rename(new, target)
    shutil.rmtree(old, ignore_errors=True)


#: items a process takes at a time (the two share one counter, so neither waits for the other)
CHUNK = 256


def in_two_processes(items: list[T], write: Callable[[list[T]], int], first: Callable[[], None] | None = None,
                     chunk: int = CHUNK) -> int:
    """``write`` ``items`` from this process and a forked one, a chunk at a time; the sum of their counts.

    Rendering and writing tens of thousands of small files is the bulk of ``kg publish``, and it
    is pure Python on data already in memory, so a fork on a 2-core machine halves it. This
    process runs ``first`` (the work that reads the store), then helps with what is left. The
    child must never touch the store (RocksDB's threads are not copied by ``fork``); it dies with
    this process, ignores Ctrl-C (this process stops it) and leaves with ``os._exit`` (no
    buffers flushed twice).
    """
    if not hasattr(os, "fork"):
        if first is not None:
            first()
        return write(items)
    import multiprocessing

    taken = multiprocessing.get_context("fork").Value("q", 0)  # shared memory: the next item to take

    def work() -> int:
        done = 0
        while True:
            with taken.get_lock():
                start = taken.value
                taken.value = start + chunk
            if start >= len(items):
                return done
            done += write(items[start:start + chunk])

    read_fd, write_fd = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        code, answer = 1, ""
        try:
            os.close(read_fd)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            die_with_parent(parent)
            answer = f"ok\t{work()}"
            code = 0
        except BaseException as exc:
            errno = getattr(exc, "errno", None) or 0
            answer = f"{type(exc).__name__}\t{errno}\t{getattr(exc, 'strerror', None) or exc}\t" \
                     f"{getattr(exc, 'filename', None) or ''}"
        finally:
            with contextlib.suppress(BaseException):
                os.write(write_fd, answer.encode("utf-8", "replace")[:PIPE_MAX])
            os._exit(code)
    os.close(write_fd)
    try:
        if first is not None:
            first()
        done = work()
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        raise
    finally:
        with os.fdopen(read_fd, "rb") as pipe:
            reply = pipe.read().decode("utf-8", "replace")
        os.waitpid(pid, 0)
    kind, _, rest = reply.partition("\t")
    if kind == "ok":
        return done + int(rest)
    if not kind:
        raise PublishError("the second process writing pages ended without answering (killed, out of memory?)",
                           fix="check memory and run kg publish again")
    errno, strerror, filename = [*rest.split("\t"), "", "", ""][:3]
    if int(errno or 0):
        raise OSError(int(errno), strerror, filename or None)
    raise PublishError(f"the second process writing pages failed: {kind}: {strerror}",
                       fix="report this as a bug, with the store it happened on")
