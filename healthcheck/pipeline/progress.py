"""What a build shows while it runs: one line per chapter (rich, on a terminal) or plain log lines."""

from __future__ import annotations

import sys
import time


class Progress:
    """One line per chapter (rich, on a terminal) or plain log lines; silent when disabled."""

    def __init__(self, names: list[str], enabled: bool):
        self.enabled = enabled
        self.names = names
        self.state = dict.fromkeys(names, "queued")
        self.started: dict[str, float] = {}
        self.seconds: dict[str, float] = {}
        self.live = None
        if enabled and sys.stdout.isatty():
            from rich.console import Console
            from rich.live import Live

            self.live = Live(self._render(), console=Console(), refresh_per_second=4, transient=False)

    def __enter__(self):
        if self.live:
            self.live.start()
        return self

    def __exit__(self, *exc):
        if self.live:
            self.live.update(self._render())
            self.live.stop()
            self.live = None

    def _render(self):
        from rich.table import Table

        table = Table.grid(padding=(0, 2))
        styles = {"queued": "dim", "running": "yellow", "done": "green", "reused": "cyan", "failed": "bold red"}
        for name in self.names:
            state = self.state[name]
            if name in self.seconds:
                secs = f"{self.seconds[name]:.1f} s"
            elif name in self.started:
                secs = f"{time.monotonic() - self.started[name]:.0f} s"
            else:
                secs = ""
            table.add_row(name, f"[{styles[state]}]{state}[/]", secs)
        return table

    def set(self, name: str, state: str, seconds: float | None = None):
        self.state[name] = state
        if state == "running":
            self.started.setdefault(name, time.monotonic())
        if seconds is not None:
            self.seconds[name] = seconds
        if self.live:
            self.live.update(self._render())
        elif self.enabled:
            tail = f" in {seconds:.1f} s" if seconds is not None and state != "reused" else ""
            if state == "reused":
                tail = " (unchanged since the last build)"
            print(f"[healthcheck] {name}: {state}{tail}", flush=True)

    def refresh(self):
        if self.live:
            self.live.update(self._render())

    def log(self, message: str):
        if self.live:
            self.live.console.print(message, markup=False, highlight=False)
        elif self.enabled:
            print(f"[healthcheck] {message}", flush=True)
