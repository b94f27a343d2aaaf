"""Progress: a tqdm bar on a terminal, plain lines in logs and CI."""

from __future__ import annotations

import sys
import time

from tqdm import tqdm

from forestlab.core.messages import Message


class Progress:
    """Counts finished units; draws a bar on a TTY, else prints a line every ~10%."""

    def __init__(self, total: int, label, stream=None):
        """`label`: text or a Message, shown in the run's language."""
        label = str(label)
        self.total, self.label, self.done = total, label, 0
        self.stream = stream or sys.stderr
        self.bar = (
            tqdm(total=total, desc=label, unit="family", file=self.stream, leave=False)
            if self.stream.isatty() and total
            else None
        )
        self._next_line = 0
        self.start = time.monotonic()

    def update(self, n: int = 1) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
        elif self.done >= self._next_line or self.done == self.total:
            pct = 100 * self.done // max(self.total, 1)
            elapsed = time.monotonic() - self.start
            # the longest units go first, so this estimate errs on the long side
            left = elapsed / self.done * (self.total - self.done)
            times = Message(
                "cli.progress.times",
                elapsed=tqdm.format_interval(elapsed),
                left=tqdm.format_interval(left),
            )
            print(
                f"{self.label}: {self.done}/{self.total} ({pct}%), {times.render()}",
                file=self.stream,
                flush=True,
            )
            self._next_line = self.done + max(1, self.total // 10)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
