"""Runs a sweep: one training run per (weight decay, seed), recorded in the sweep folder as it goes.

`run_sweep` takes the prepared sweep (`runs.prepare`: the results to continue, the runs left
and each one's state, built and restored once; the preflight hands it over, else it is made
here), picks the backend (`backends.choose`: in this process one at a time or vectorised,
`--jobs` worker processes, or Ray) and gives it the one `events.Recorder`, the only writer of
results.json. Each run's checkpoint (which holds its epoch rows) is saved after every epoch;
results.json and results.csv are rewritten when a run starts or ends, at most every
SAVE_SECONDS in between, and once more when the sweep stops for any reason (Ctrl-C included),
so their cost does not grow with runs x epochs, while a resume still loses no finished epoch.
Runs go seed by seed (every weight decay of the first seed, then of the next), so an
interrupted sweep has complete pairs to compare. A diverged run is recorded as such and the
sweep goes on. This module must not render plots or findings.
"""

from __future__ import annotations

import math

from pa2cli.sweep.config import SweepConfig
from pa2cli.sweep.devices import resolve_device, wants_vectorized  # noqa: F401 (the API's)
from pa2cli.sweep.events import AfterEpoch, Recorder
from pa2cli.sweep.store import SweepFolder, SweepResults


def run_sweep(config: SweepConfig, folder: SweepFolder, dataset, device, *, resume: bool = False,
              jobs: int = 1, console=None, show_progress: bool = True,
              after_epoch: AfterEpoch | None = None, threads: int | None = None,
              vectorize: str = "off", ray_options=None,
              prepared=None) -> tuple[SweepResults, list[str]]:
    """Run (or continue) the sweep; return its results (as saved) and the divergence messages.

    `prepared` (`runs.Prepared`, from the preflight): the results and run states to continue,
    so nothing is read or built again; without it they are prepared here."""
    from rich.console import Console

    from pa2cli.sweep.backends import choose
    from pa2cli.sweep.progress import SweepProgress
    from pa2cli.sweep.runs import prepare

    console = console or Console()
    if prepared is None:
        prepared = prepare(config, folder, dataset, folder.load() if resume else None)
    results = prepared.results
    folder.save(results)
    n_batches = math.ceil(len(dataset.train) / config.batch_size)
    totals = {key: (config.epochs - len(results.run(*key).epochs)) * n_batches
              for key in prepared.pending}
    backend = choose(prepared, device, jobs=jobs, threads=threads, vectorize=vectorize,
                     ray_options=ray_options, console=console)
    with SweepProgress(console, totals, config.epochs, enabled=show_progress) as progress:
        recorder = Recorder(results, folder, progress, config.epochs, after_epoch)
        try:
            backend.run(prepared, recorder)
        finally:
            recorder.flush()  # the epochs recorded since the last save, even on Ctrl-C
    return results, recorder.messages
