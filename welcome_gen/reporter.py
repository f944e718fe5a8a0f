"""Progress reporting kept apart from the work: the terminal, quiet mode and tests each plug in their own."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, Protocol


class Reporter(Protocol):
    """What a long-running stage tells the outside world."""

    def task(self, label: str, total: int | None) -> "Task": ...

    def note(self, message: str) -> None: ...


class Task(Protocol):
    def advance(self, n: int = 1) -> None: ...


class _NullTask:
    def advance(self, n: int = 1) -> None:
        pass


class NullReporter:
    """Says nothing: for tests and `--quiet`."""

    def __init__(self) -> None:
        self.notes: list[str] = []

    @contextmanager
    def task(self, label: str, total: int | None) -> Iterator[Task]:
        yield _NullTask()

    def note(self, message: str) -> None:
        self.notes.append(message)


class RichReporter:
    """A rich progress bar on stderr; silent when stderr is not a terminal."""

    def __init__(self) -> None:
        from rich.console import Console

        # Labels name the author's sequences and steps: printed as written, never read as markup or emoji.
        self.console = Console(stderr=True, markup=False, emoji=False, highlight=False)

    @contextmanager
    def task(self, label: str, total: int | None) -> Iterator[Task]:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=self.console, transient=True, disable=not self.console.is_terminal) as progress:
            task_id = progress.add_task(label, total=total)

            class _Task:
                def advance(self, n: int = 1) -> None:
                    progress.advance(task_id, n)

            yield _Task()

    def note(self, message: str) -> None:
        self.console.print(message, markup=False)
