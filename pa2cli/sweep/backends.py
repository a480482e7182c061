"""Where a sweep's runs train, behind one interface: `backend.run(prepared, recorder)`.

`Local` trains in this process, one run at a time or, where `devices.wants_vectorized` says
so, every run in one vectorised pass (`vectorized.py`; a model vmap cannot train falls back
to one at a time with one line saying why). `parallel.Processes` (--jobs) and
`ray_backend.Ray` (--backend ray) train elsewhere. Every backend starts from the same
prepared runs (`runs.prepare`: built and restored once), runs the same epoch loop
(`loop.train_epochs`) and feeds the same typed events (`events.py`) to the one `Recorder`.
`choose` picks the backend from the options. This module must not render or record.
"""

from __future__ import annotations

from typing import Protocol

from pa2cli.sweep.store import RunKey


class Backend(Protocol):
    def run(self, prepared, recorder) -> None:
        """Train `prepared.pending`, every event to `recorder`; the states are handed over."""


class Local:
    """This process, on `device`: one run at a time, or all together (`vectorize`)."""

    def __init__(self, device, vectorize: str, console):
        self.device, self.vectorize, self.console = device, vectorize, console

    def run(self, prepared, recorder) -> None:
        from pa2cli.sweep.devices import wants_vectorized
        from pa2cli.sweep.loop import OneModel, to_device, train_epochs
        from pa2cli.sweep.runs import drive, started

        config, pending = prepared.config, list(prepared.pending)
        data = to_device(prepared.dataset, self.device)
        if len(pending) > 1 and wants_vectorized(self.vectorize, self.device, config):
            pending = self._together(prepared, data, pending, recorder)
        for key in pending:
            state = prepared.take(key, self.device)
            recorder(started(key, state))
            events = train_epochs(OneModel.of(state, config), [state], [key], data, config)
            drive(events, {key: state}, prepared.identities, prepared.folder, recorder)

    def _together(self, prepared, data, pending: list[RunKey], recorder) -> list[RunKey]:
        """Train the pending runs in one vectorised pass; the runs left to train one at a time."""
        from pa2cli.sweep.vectorized import train_vectorized

        console = self.console
        reason = train_vectorized(
            prepared.config, prepared.dataset, data, pending, self.device, prepared.folder,
            True, recorder, prepared=prepared,
            on_ready=lambda: console.print(
                f"Training the {len(pending)} runs together in one vectorised pass "
                "(--vectorize off trains them one at a time).", highlight=False))
        if reason is None:
            for key in pending:
                prepared.states.pop(key)
            return []
        console.print(f"Training one run at a time, not vectorised: {reason}.", highlight=False)
        return pending


def choose(prepared, device, *, jobs: int, threads: int | None, vectorize: str, ray_options,
           console) -> Backend:
    """Ray with ray_options, worker processes with jobs > 1 (and 2+ runs), else `Local`."""
    if ray_options is not None:
        from pa2cli.sweep.ray_backend import Ray

        return Ray(ray_options, console)
    if jobs > 1 and len(prepared.pending) > 1:
        from pa2cli.sweep.parallel import Processes

        return Processes(jobs, str(device), threads, console)
    return Local(device, vectorize, console)
