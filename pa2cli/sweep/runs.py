"""The runs of a sweep before any is trained: the results to continue and the runs left.

`prepare_results` makes the results a sweep starts from (new ones, or the saved ones with the
runs of added seeds), `plan` lists the runs that still need epochs, in training order, and
`data_sizes` is what is saved beside them. The preflight checks and every backend start from
these, so the two never disagree. This module must not train, print or write files.
"""

from __future__ import annotations

from pa2cli.sweep.config import SweepConfig
from pa2cli.sweep.store import RunKey, SweepFolder, SweepResults


def data_sizes(dataset) -> dict:
    """Images per split, saved beside the runs (the findings' binomial errors need n_test)."""
    return {"train": len(dataset.train), "test": len(dataset.test),
            "val": None if dataset.val is None else len(dataset.val)}


def prepare_results(config: SweepConfig, folder: SweepFolder, resume: bool,
                    dataset) -> SweepResults:
    """The results to continue: the saved ones (plus runs for added seeds) or new ones."""
    if not resume:
        return SweepResults.new(config.to_dict(), config.weight_decays, config.seed_list,
                                data_sizes(dataset))
    results = folder.load()
    results.config = config.to_dict()
    results.data = data_sizes(dataset)
    results.add_missing(config.weight_decays, config.seed_list)
    return results


def plan(results: SweepResults, config: SweepConfig) -> list[RunKey]:
    """Runs that still need epochs, in training order; runs already long enough are done."""
    pending = []
    for run in results.runs:
        if run.status == "diverged":
            continue
        if len(run.epochs) >= config.epochs:
            run.status = "done"
        else:
            run.status = "partial"
            pending.append(run.key)
    return pending
