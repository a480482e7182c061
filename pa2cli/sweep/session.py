"""Sets up a sweep from the parsed options and shows what it produced; the commands' one call.

`start_sweep` picks the results folder (new, or the saved one with --resume, checking that
the options given agree with the saved config), resolves the device, loads the data, checks
the model once before anything is written, runs the sweep and prints the report. `show_saved`
is `pa2 plot`. This module must not train or draw by itself (runner, report and plots do).
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from dataclasses import fields
from pathlib import Path

from rich.console import Console

from pa2cli.errors import UserError
from pa2cli.sweep.config import RESUMABLE_CHANGES, SweepConfig, config_from_saved, wd_label
from pa2cli.sweep.datasets import is_own
from pa2cli.sweep.store import SweepFolder

# config field -> the Click parameter that sets it (when it differs from the field name); with
# --resume, --no-baseline alone changes nothing (the saved weight decays are kept)
_PARAMETERS_OF = {"weight_decays": "wd", "decay_bias_norm": "no_decay_bias_norm"}
INTERRUPTED_EXIT = 130


def default_out() -> Path:
    base = Path("runs") / time.strftime("%Y%m%d-%H%M%S")
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


def as_written(name: str, value) -> str:
    """A config value as the option a user writes for it: `--wd 0 1e-3`, `--no-decay-bias-norm`."""
    if name == "weight_decays":
        return "--wd " + " ".join(wd_label(v) for v in value)
    if name == "decay_bias_norm":
        return "without --no-decay-bias-norm" if value else "--no-decay-bias-norm"
    option = "--" + name.replace("_", "-")
    if name == "train_size" and value is None:
        return "--train-size all"
    if isinstance(value, bool):
        return option if value else f"without {option}"
    return f"without {option}" if value is None else f"{option} {value}"


def _with(option_text: str) -> str:
    return option_text if option_text.startswith("without ") else f"with {option_text}"


def merge_resumed(saved: SweepConfig, given: SweepConfig, explicit: set[str]) -> SweepConfig:
    """The saved config, with the explicitly given options that a resume may change.

    Options not given are taken from the saved sweep; one given with another value than the
    saved one is refused (unless it is in RESUMABLE_CHANGES), named as the user writes it.
    """
    changes = {}
    for field in fields(SweepConfig):
        name = field.name
        parameter = _PARAMETERS_OF.get(name, name)
        if parameter not in explicit:
            continue
        old, new = getattr(saved, name), getattr(given, name)
        if old == new:
            continue
        option = "--" + parameter.replace("_", "-")
        own_data = name == "data_dir" and is_own(saved.dataset)
        if name not in RESUMABLE_CHANGES or own_data:  # your own split's folder is its data
            raise UserError(f"given {as_written(name, new)}, but the saved sweep was started "
                            f"{_with(as_written(name, old))}", where=option,
                            fix="Leave it out to continue the saved sweep, or start a new one "
                                "with another --out.")
        if name == "epochs" and saved.lr_schedule == "cosine":
            raise UserError(f"given {new}, but the saved sweep's cosine schedule runs over its "
                            f"{old} epochs (more epochs would change the learning rate of "
                            "those already trained)", where=option,
                            fix="Leave it out to continue the saved sweep, or start a new one "
                                "with another --out.")
        if name in ("epochs", "seeds") and new < old:
            raise UserError(f"{new} is fewer than the saved sweep's {old}", where=option,
                            fix=f"Give {old} or more, or leave it out.")
        changes[name] = new
    return saved.with_changes(**changes)


def _folder_and_config(config: SweepConfig, out: str | None, resume: bool,
                       explicit: set[str]):
    """(folder, config, saved results or None): results.json is read here, once."""
    if resume:
        if out is None:
            raise UserError("needs the folder of the sweep to continue", where="--resume",
                            fix="Add --out DIR (the folder that holds its results.json).")
        folder = SweepFolder(Path(out))
        results = folder.load()
        saved = config_from_saved(results.config, str(folder.results_path))
        return folder, merge_resumed(saved, config, explicit), results
    folder = SweepFolder(Path(out) if out is not None else default_out())
    if folder.exists():
        raise UserError("already holds a sweep", where=str(folder.path),
                        fix="Add --resume to continue it, or choose another --out.")
    return folder, config, None


def prepare(config: SweepConfig, out: str | None, resume: bool, explicit: set[str]):
    """(folder, config, device, dataset, saved results or None, models), every user mistake
    raised before anything is written; `models` holds the model checked here, which the
    runs of its seed then copy instead of building it again."""
    from pa2cli.sweep.data import load_for
    from pa2cli.sweep.devices import resolve_device
    from pa2cli.sweep.failures import check_trainable
    from pa2cli.sweep.runs import Models

    folder, config, saved = _folder_and_config(config, out, resume, explicit)
    device = resolve_device(config.device)
    dataset = load_for(config)
    models = Models(config, dataset)
    model, _ = models.build(config.seed)  # a bad --model fails here
    check_trainable(model, config, len(dataset.train))
    try:
        folder.path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the results folder ({exc.strerror or exc})",
                        where=f"--out {folder.path}", fix="Give a writable folder.") from None
    return folder, config, device, dataset, saved, models


def _is_dir(path: Path) -> bool:
    """Whether `path` is a folder; a path the system refuses (too long, say) is not one, and
    creating it later says why in one line."""
    try:
        return path.is_dir()
    except OSError:
        return False


def start_sweep(config: SweepConfig, *, out: str | None, resume: bool, jobs: int, plot: bool,
                explicit: set[str], baseline_added: bool, threads: int | None = None,
                console: Console | None = None, vectorize: str = "off",
                ray_options=None) -> int:
    from pa2cli.sweep import report
    from pa2cli.sweep.interrupts import interrupts_handled
    from pa2cli.sweep.lock import SweepLock
    from pa2cli.sweep.preflight import check_folder
    from pa2cli.sweep.devices import wants_vectorized
    from pa2cli.sweep.runner import run_sweep
    from pa2cli.sweep.threads import apply_threads, default_threads

    console = console or Console(highlight=False)
    if ray_options is not None:
        from pa2cli.sweep.ray_backend import check_options, import_ray

        import_ray()  # a missing Ray is said before anything is written
        check_options(config, ray_options)
    with ExitStack() as stack:
        early = out is not None and _is_dir(Path(out))
        if early:  # locked first, so that a sweep running there is named at once
            stack.enter_context(SweepLock(Path(out)))
        folder, config, device, dataset, saved, models = prepare(config, out, resume, explicit)
        if not early:
            stack.enter_context(SweepLock(folder.path))
        prepared = check_folder(folder, config, dataset, resume=resume, jobs=jobs, saved=saved,
                                models=models)
        if threads is None:  # measured: a vectorised pass gains from a second thread
            threads = default_threads(vectorized=jobs == 1 and ray_options is None and
                                      wants_vectorized(vectorize, device, config))
        apply_threads(threads)
        if ray_options is not None:  # the cluster's resources are checked before results.json
            from pa2cli.sweep.ray_backend import connect_cluster

            stack.callback(connect_cluster(ray_options))
        report.header(console, config, dataset, device, str(folder.path),
                      baseline_added and not resume)
        if resume:
            report.resumed_from(console, saved, config.epochs)
            for note in prepared.notes:
                console.print(note, highlight=False)
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            with interrupts_handled():
                results, _ = run_sweep(config, folder, dataset, device, resume=resume,
                                       jobs=jobs, console=console, threads=threads,
                                       vectorize=vectorize, ray_options=ray_options,
                                       prepared=prepared)
        except KeyboardInterrupt:
            console.print(f"\n[bold]Interrupted.[/bold] Every finished epoch is saved in "
                          f"{folder.path}; continue with: pa2 sweep --out {folder.path} "
                          "--resume", highlight=False)
            return INTERRUPTED_EXIT
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    report.took(console, len(results.runs), config.epochs, wall,
                cpu if jobs == 1 and ray_options is None else None)
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

                figures.save(figures.overview_with_norms(results), Path(save_to))
            else:
                save_plots(results, Path(save_to))
        except OSError as exc:
            raise UserError(f"could not write the plots ({exc.strerror or exc})",
                            where=str(save_to), fix="Give a writable file path.") from None
        console.print(f"Plots saved to {save_to}.", highlight=False)
