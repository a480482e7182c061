"""Sets up a sweep from the parsed options and shows what it produced; the commands' one call.

`start_sweep` picks the results folder (new, or the saved one with --resume, checking that
the options given agree with the saved config), resolves the device, loads the data, checks
the model once before anything is written, runs the sweep and prints the report. `show_saved`
is `pa2 plot`. This module must not train or draw by itself (runner, report and plots do).
"""

from __future__ import annotations

import time
from dataclasses import fields
from pathlib import Path

from rich.console import Console

from pa2cli.errors import UserError
from pa2cli.sweep.config import RESUMABLE_CHANGES, SweepConfig, wd_label
from pa2cli.sweep.store import SweepFolder

# config field -> the Click parameters that set it (when they differ from the field name)
_PARAMETERS_OF = {"weight_decays": ("wd", "no_baseline"),
                  "decay_bias_norm": ("no_decay_bias_norm",)}
INTERRUPTED_EXIT = 130


def default_out() -> Path:
    base = Path("runs") / time.strftime("%Y%m%d-%H%M%S")
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


def _show_value(value) -> str:
    if isinstance(value, tuple):
        return " ".join(wd_label(v) for v in value)
    return str(value)


def merge_resumed(saved: SweepConfig, given: SweepConfig, explicit: set[str]) -> SweepConfig:
    """The saved config, with the explicitly given options that a resume may change."""
    changes = {}
    for field in fields(SweepConfig):
        name = field.name
        parameters = _PARAMETERS_OF.get(name, (name,))
        if not explicit.intersection(parameters):
            continue
        old, new = getattr(saved, name), getattr(given, name)
        if old == new:
            continue
        option = "--" + parameters[0].replace("_", "-")
        if name not in RESUMABLE_CHANGES:
            raise UserError(f"{_show_value(new)} differs from the saved sweep's "
                            f"{_show_value(old)}", where=option,
                            fix="Leave it out to continue the saved sweep, or start a new one "
                                "with another --out.")
        if name in ("epochs", "seeds") and new < old:
            raise UserError(f"{new} is fewer than the saved sweep's {old}", where=option,
                            fix=f"Give {old} or more, or leave it out.")
        changes[name] = new
    return saved.with_changes(**changes)


def _folder_and_config(config: SweepConfig, out: str | None, resume: bool,
                       explicit: set[str]) -> tuple[SweepFolder, SweepConfig]:
    if resume:
        if out is None:
            raise UserError("needs the folder of the sweep to continue", where="--resume",
                            fix="Add --out DIR (the folder that holds its results.json).")
        folder = SweepFolder(Path(out))
        saved = SweepConfig.from_dict(folder.load().config)
        return folder, merge_resumed(saved, config, explicit)
    folder = SweepFolder(Path(out) if out is not None else default_out())
    if folder.exists():
        raise UserError("already holds a sweep", where=str(folder.path),
                        fix="Add --resume to continue it, or choose another --out.")
    return folder, config


def prepare(config: SweepConfig, out: str | None, resume: bool, explicit: set[str]):
    """(folder, config, device, dataset), every user mistake raised before anything is written."""
    from pa2cli.sweep.data import load_dataset
    from pa2cli.sweep.models import build_model
    from pa2cli.sweep.point import resolve_device

    folder, config = _folder_and_config(config, out, resume, explicit)
    device = resolve_device(config.device)
    data_dir = Path(config.data_dir) if config.data_dir else None
    dataset = load_dataset(config.dataset, data_dir, config.download, config.val_split,
                           config.seed, config.train_size)
    build_model(config.model, dataset, config.seed)  # a bad --model fails here, not mid-sweep
    try:
        folder.path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the results folder ({exc.strerror or exc})",
                        where=f"--out {folder.path}", fix="Give a writable folder.") from None
    return folder, config, device, dataset


def start_sweep(config: SweepConfig, *, out: str | None, resume: bool, jobs: int, plot: bool,
                explicit: set[str], baseline_added: bool, threads: int | None = None,
                console: Console | None = None, vectorize: str = "off",
                ray_options=None) -> int:
    from pa2cli.sweep import report
    from pa2cli.sweep.runner import run_sweep
    from pa2cli.sweep.threads import apply_threads, default_threads

    threads = threads or default_threads()
    apply_threads(threads)
    console = console or Console(highlight=False)
    if ray_options is not None:
        from pa2cli.sweep.ray_backend import check_options, import_ray

        import_ray()  # a missing Ray is said before anything is written
        check_options(config, ray_options)
    folder, config, device, dataset = prepare(config, out, resume, explicit)
    disconnect = None
    if ray_options is not None:  # the cluster's resources are checked before results.json
        from pa2cli.sweep.ray_backend import connect_cluster

        disconnect = connect_cluster(ray_options)
    report.header(console, config, dataset, device, str(folder.path),
                  baseline_added and not resume)
    if resume:
        report.resumed_from(console, folder.load(), config.epochs)
    try:
        results, _ = run_sweep(config, folder, dataset, device, resume=resume, jobs=jobs,
                               console=console, threads=threads, vectorize=vectorize,
                               ray_options=ray_options)
    except KeyboardInterrupt:
        console.print(f"\n[bold]Interrupted.[/bold] Every finished epoch is saved in "
                      f"{folder.path}; continue with: pa2 sweep --out {folder.path} --resume",
                      highlight=False)
        return INTERRUPTED_EXIT
    finally:
        if disconnect is not None:
            disconnect()
    console.print()
    report.show(console, results, with_plots=plot)
    console.print(f"\nResults: {folder.results_path} and results.csv beside it "
                  f"(redraw with: pa2 plot {folder.path}).", highlight=False)
    return 0


def show_saved(folder: str, *, save_to: str | None, plot: bool, as_json: bool = False,
               console: Console | None = None) -> None:
    from pa2cli.sweep import report
    from pa2cli.sweep.store import load_results

    console = console or Console(highlight=False)
    results = load_results(Path(folder))
    if as_json:
        import click

        click.echo(report.findings_json(results))
        return
    if save_to and not Path(save_to).expanduser().parent.is_dir():
        raise UserError("its folder does not exist", where=f"--save {save_to}",
                        fix="Create the folder first, or give a path in an existing one.")
    report.show(console, results, with_plots=plot)
    if save_to:
        from pa2cli.sweep.plots import save_plots

        try:
            if Path(save_to).suffix.lower() in (".png", ".pdf", ".svg"):
                from pa2cli.sweep import figures

                figures.save(figures.overview_figure(results), Path(save_to))
            else:
                save_plots(results, Path(save_to))
        except OSError as exc:
            raise UserError(f"could not write the plots ({exc.strerror or exc})",
                            where=str(save_to), fix="Give a writable file path.") from None
        console.print(f"Plots saved to {save_to}.", highlight=False)
