"""Work done meanwhile in a forked copy of this process, such as the emails rendered and checked while the site is
gathered and checked: each takes a small build a few tenths of a second, and on two cores they overlap.

Only where a fork is cheap and safe, on Linux and the BSDs, from a process with no other thread (a command, not
`serve`). Elsewhere the work is done at once, in this process, and its result (or what it raised) kept for when it
is asked for. From a fork, whatever it returns or raises comes back pickled; what it writes it writes itself.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from typing import Any, Callable, Generic, TypeVar

T = TypeVar("T")


def can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")) \
        and threading.active_count() == 1


class Meanwhile(Generic[T]):
    """`work` started in a forked process (when `fork` and a fork is safe), else done at once; `result()` waits for
    what it returned and raises what it raised; `cancel()` stops it. A caller that does not ask for the result
    cancels it.

    `then`: more work for a forked process, done after it has answered, which nobody waits for until `settle()`
    (where no fork is made, it is not done)."""

    def __init__(self, work: Callable[[], T], fork: bool = True, then: Callable[[], object] | None = None):
        self.pid: int | None = None
        self.fd: int | None = None
        self.done: tuple[str, object] | None = None
        self.then = then
        if not (fork and can_fork()):
            try:  # here and now, alongside whatever else this process has started
                self.done = ("done", work())
            except Exception as exc:  # noqa: BLE001 - raised again when the result is asked for
                self.done = ("raised", exc)
        else:
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # the copy: do the work, answer, and end without running anything of the original's
                os.close(read)
                _answer(work, write, then)
            os.close(write)
            self.pid, self.fd = pid, read

    def result(self) -> T:
        if self.done is None:
            self.done = self._received()
        kind, value = self.done
        if kind == "raised":
            raise value  # type: ignore[misc]
        return value  # type: ignore[return-value]

    def _received(self) -> tuple[str, object]:
        """What the forked process sent back, once it has ended."""
        fd, self.fd = self.fd, None
        try:
            with os.fdopen(fd, "rb") as answer:
                data = answer.read()
        except BaseException:
            self.cancel()
            raise
        if self.then is None:
            self._reap()
        if not data:
            raise RuntimeError("the process working meanwhile ended without an answer")
        return pickle.loads(data)

    def cancel(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._reap()

    def settle(self) -> None:
        """Wait until the forked process has done its work and `then` too, and ended."""
        if self.fd is not None:
            self.cancel()  # its answer was never asked for
        self._reap()

    def _reap(self) -> None:
        pid, self.pid = self.pid, None
        if pid is not None:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass


class Awaiting(Meanwhile[T]):
    """Work whose process is forked before its input exists: it gets `ready` first (imports what the work needs,
    on the other core, while this process loads what the input is made of), then waits to be handed the input
    (`hand`, pickled), does `work(input)`, and answers as `Meanwhile` does. Where no fork is made, nothing happens
    until the input is handed, and the work is then done at once, here."""

    def __init__(self, ready: Callable[[], object], work: Callable[[Any], T], fork: bool = True):
        self.work = work
        self.given: int | None = None  # where the input is written
        if not (fork and can_fork()):
            self.pid, self.fd, self.done, self.then = None, None, None, None
            return
        given, give = os.pipe()

        def handed() -> object:  # in the forked process
            os.close(give)
            return _when_handed(ready, work, given)

        super().__init__(handed)
        os.close(given)
        self.given = give

    def hand(self, data: Any) -> None:
        """The input: to the forked process, or (none, or the input will not pickle) for the work to be done here."""
        if self.given is not None:
            try:
                payload = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # noqa: BLE001 - not to be handed over: done here instead
                self.cancel()
            else:
                give, self.given = self.given, None
                try:
                    with os.fdopen(give, "wb") as out:
                        out.write(payload)
                except OSError:  # it ended before taking it (what it raised getting ready is its answer)
                    pass
                return
        try:
            self.done = ("done", self.work(data))
        except Exception as exc:  # noqa: BLE001 - raised again when the result is asked for
            self.done = ("raised", exc)

    def cancel(self) -> None:
        if self.given is not None:
            os.close(self.given)
            self.given = None
        super().cancel()


def _when_handed(ready: Callable[[], object], work: Callable[[Any], object], given: int) -> object:
    ready()
    with os.fdopen(given, "rb") as handed:
        data = handed.read()
    if not data:  # never handed anything: the original stopped, or went on without it
        os._exit(0)
    return work(pickle.loads(data))


def _answer(work: Callable[[], object], fd: int, then: Callable[[], object] | None = None) -> None:
    try:
        try:
            data = pickle.dumps(("done", work()), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # noqa: BLE001 - whatever it raised is the original's to raise
            data = pickle.dumps(("raised", exc))
            try:
                pickle.loads(data)
            except Exception:  # noqa: BLE001 - an exception that does not survive pickling: its type and text
                data = pickle.dumps(("raised", RuntimeError(f"{type(exc).__name__}: {exc}")))
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        if then is not None:  # answered (the pipe is closed): the original goes on meanwhile
            then()
    finally:
        os._exit(0)
