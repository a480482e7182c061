"""The `pa2 sweep` and `pa2 plot` Click commands: parse the options, call one function.

Only click (and the plain-data `config` module) are imported here at module level: torch and
the rest of the sweep are imported inside the command bodies, so `pa2 --help` stays fast.
`--wd` takes several values the way argparse's nargs="+" does (`--wd 1e-4 1e-3`), also
comma-separated (`--wd 1e-4,1e-3`); `WeightDecayCommand` rewrites `--wd a b` into
`--wd a --wd b` before Click parses, and `parse_weight_decays` validates the values.
"""

from __future__ import annotations

import math

import click

from pa2cli.errors import UserError
from pa2cli.options import CPUS_PER_RUN, GPUS_PER_RUN, LEARNING_RATE, MOMENTUM, VAL_SPLIT
from pa2cli.sweep.config import (AUGMENT_CHOICES, DATASET_NAMES, DEFAULT_LR, DEFAULT_WDS,
                                 DEVICES, INT_MAX, LR_SCHEDULES, NORMALIZE_CHOICES, OPTIMIZER_NAMES,
                                 PRECISION_CHOICES, WD_MAX, SweepConfig, wd_label)
from pa2cli.sweep.datasets import dataset_help
from pa2cli.sweep.devices import device_help
from pa2cli.sweep.optim import OPTIMIZERS
from pa2cli.sweep.threads import MAX_THREADS

DEFAULTS = SweepConfig()
WD_OPTION = "--wd"
WD_FIX = "Give numbers such as --wd 1e-4 1e-3 (0 allowed)."
# Size before work: one run held about 50 MB in the sweep's process (5 vs 40 values, default
# model, 1 epoch: 1.0 GB vs 2.8 GB peak RSS; docs/limits.md), and the figures grow with the
# values. 30 values (the baseline included) x the default 5 seeds = 150 runs, about 8 GB.
MAX_WEIGHT_DECAYS = 30
MAX_RUNS = 150


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def spread_multi_value_option(args: list[str], option: str = WD_OPTION) -> list[str]:
    """`--wd a b --lr 1` -> `--wd a --wd b --lr 1`: values run to the next option-like token.

    Negative numbers count as values (so that they are rejected with a clear message rather
    than mistaken for options); `--` ends option parsing as usual; an option with no value is
    a `UserError` naming it.
    """
    out: list[str] = []
    i = 0
    while i < len(args):
        token = args[i]
        if token == "--":
            return out + args[i:]
        if token != option:
            out.append(token)
            i += 1
            continue
        i += 1
        values = []
        while i < len(args) and (not args[i].startswith("-") or _is_number(args[i])):
            values.append(args[i])
            i += 1
        if not values:
            raise UserError("needs one or more values", where=option, fix=WD_FIX)
        for value in values:
            out += [option, value]
    return out


class TrainSize(click.ParamType):
    """--train-size: a whole number >= 1, or "all" (None: the whole training split)."""

    name = "N|all"

    def convert(self, value, param, ctx):
        if value is None or isinstance(value, int):
            return value
        text = str(value).strip().lower()
        if text == "all":
            return None
        try:
            number = int(text)
        except ValueError:
            number = 0
        if number < 1:
            raise UserError(f"{value!r} is not a number of images", where="--train-size",
                            fix="Give a whole number such as 150, or 'all' for the whole split.")
        return number


class WeightDecayCommand(click.Command):
    """A command whose `--wd` option accepts several space-separated values."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, spread_multi_value_option(list(args)))


def parse_weight_decays(tokens: tuple[str, ...], add_baseline: bool,
                        optimizer: str = DEFAULTS.optimizer) -> tuple[float, ...]:
    """The --wd tokens (each may hold commas) -> sorted distinct values, 0 added if asked;
    no tokens: `optimizer`'s default weight decays."""
    values: list[float] = []
    for token in tokens:
        for part in token.split(","):
            part = part.strip()
            if not part:
                continue
            try:
                value = float(part)
            except ValueError:
                raise UserError(f"{part!r} is not a number", where=WD_OPTION,
                                fix=WD_FIX) from None
            if not math.isfinite(value) or value < 0:
                raise UserError(f"{part} is not a weight decay (it must be a finite number "
                                ">= 0)", where=WD_OPTION, fix="Give values such as 0, 1e-4, 1e-3.")
            if value > WD_MAX:
                raise UserError(f"{part} is too large a weight decay (at most {WD_MAX:.1e}, the "
                                "largest float32)", where=WD_OPTION,
                                fix="Give values such as 0, 1e-4, 1e-3.")
            values.append(value + 0.0)  # -0.0 -> 0.0
    if tokens and not values:  # --wd "" or --wd ,
        raise UserError("needs one or more values", where=WD_OPTION, fix=WD_FIX)
    if not values:
        values = list(DEFAULT_WDS[optimizer])
    if add_baseline:
        values.append(0.0)
    values = sorted(set(values))
    if len(values) > MAX_WEIGHT_DECAYS:
        raise UserError(f"{len(values)} weight decays are more than the {MAX_WEIGHT_DECAYS} one "
                        "sweep trains and plots" + (" (0 is added as the baseline)"
                                                    if add_baseline else ""),
                        where=WD_OPTION, fix="Give fewer values (a log grid such as 0 1e-5 1e-4 "
                                             "1e-3 1e-2 is usually enough), or split the sweep.")
    return tuple(values)


SWEEP_HELP = """Train the model per weight decay and seed; plot and compare (Part A).

\b
  pa2 sweep                         # AdamW, wd 0 1e-1 1 20, 6 seeds each
  pa2 sweep --wd 1e-4 1e-3          # your own values (0 is added)
  pa2 sweep --optimizer sgd --lr 1e-3 --wd 5e-4,5e-3 --epochs 30   # the course's SGD
  pa2 sweep --dataset mnist --download --model my_net.py:Net --train-size all

Weight decay 0 is always added as the baseline the findings compare against
(--no-baseline leaves it out). Each weight decay is trained once per seed (--seeds); the
same seed gives every weight decay the same initial weights and batch order, so the
findings compare each value with wd 0 seed by seed and call a difference an effect only
when its 95 % interval excludes 0. By default only a small, stratified part of the training
split is used (--train-size), because a small training set makes overfitting, and so what
weight decay does, visible; the test split is always whole. Losses shown are the
cross-entropy data loss, without the weight-decay penalty. Results go to --out
(results.json, results.csv, checkpoints); an interrupted sweep continues with --out DIR
--resume.

\b
{wd_help}
"""


def _sweep_help() -> str:
    from pa2cli.sweep.optim import WEIGHT_DECAY_HELP

    return SWEEP_HELP.format(wd_help=WEIGHT_DECAY_HELP)


@click.command(cls=WeightDecayCommand, help=_sweep_help(),
               context_settings={"help_option_names": ["-h", "--help"]})  # also when run alone (pa2cli.sweep)
@click.option("--wd", "wd", multiple=True, metavar="VALUE...",
              help="Weight decays to try, space- or comma-separated (default: " + ", ".join(
                  f"{' '.join(wd_label(wd) for wd in s.default_wds)} for {s.name}"
                  for s in OPTIMIZERS.values()) + ").")
@click.option("--no-baseline", is_flag=True, help="Do not add weight decay 0 automatically.")
@click.option("--dataset", type=click.Choice(DATASET_NAMES), default=DEFAULTS.dataset,
              show_default=True,
              help=dataset_help())
@click.option("--data-dir", type=click.Path(file_okay=False),
              help="Your own Assignment-1A split: an ImageFolder tree (DIR/train/, DIR/test/, "
                   "optional DIR/val/, one folder per class) or the course's DIR/train.pth, "
                   "test.pth and optional val.pth; or the root folder of torchvision datasets "
                   "(default: pa2's cache folder).")
@click.option("--download", is_flag=True, help="Download the dataset if it is not there.")
@click.option("--image-size", type=click.IntRange(1, 4096), metavar="N",
              help="Resize every ImageFolder image to N×N (needed when their sizes differ).")
@click.option("--normalize", type=click.Choice(NORMALIZE_CHOICES), default=DEFAULTS.normalize,
              show_default=True,
              help="course: mean 0.5, std 0.5 per channel, as the course's starter code "
                   "(auto picks it for your own data, so your model sees the inputs of "
                   "Assignment 1A); dataset: the training split's own mean and std (auto "
                   "picks it for the built-in datasets); none: pixels in [0, 1]. Float .pth "
                   "images already normalised are used as they are.")
@click.option("--augment", metavar="flip,affine", default="",
              help="Augment training batches (never val or test) as Assignment 1A did: flip "
                   "= random horizontal flip, affine = random affine ±10°, translate 0.1, "
                   "scale 0.8-1.2; seeded per run and epoch, so paired seeds stay paired and "
                   "--resume stays exact.")
@click.option("--model", metavar="FILE.py:NAME",
              help="Your nn.Module class or factory in a .py file or a notebook "
                   "(NOTEBOOK.ipynb:NAME); only the file's imports, definitions and constants "
                   "run, not its script (default: a small CNN for the dataset).")
@click.option("--model-args", metavar="JSON",
              help="""Extra constructor arguments as a JSON object, e.g. '{"hidden": 256}' """
                   "(num_classes, in_channels and input_size are filled from the data when "
                   "the constructor takes them).")
@click.option("--train-size", type=TrainSize(),
              default=str(DEFAULTS.train_size) if DEFAULTS.train_size else "all",
              show_default=True,
              help="Train on a stratified subset of N images drawn with --seed ('all': the "
                   "whole split, the default for your own --data-dir split); the test set is "
                   "never cut.")
@click.option("--optimizer", type=click.Choice(OPTIMIZER_NAMES), default=DEFAULTS.optimizer,
              show_default=True,
              help="; ".join(f"{s.name}: {s.help}" for s in OPTIMIZERS.values()) + ".")
@click.option("--lr", type=LEARNING_RATE,
              help="Learning rate (default: " + ", ".join(
                  f"{s.default_lr:g} for {s.name}" for s in OPTIMIZERS.values()) + ").")
@click.option("--momentum", type=MOMENTUM, default=DEFAULTS.momentum,
              show_default=True, help="Momentum (used by: " + ", ".join(
                  s.name for s in OPTIMIZERS.values() if s.uses_momentum) + "; others ignore it).")
@click.option("--no-decay-bias-norm", is_flag=True,
              help="Exempt biases and norm parameters (ndim < 2) from weight decay.")
@click.option("--batch-size", type=click.IntRange(1), default=DEFAULTS.batch_size,
              show_default=True)
@click.option("--lr-schedule", type=click.Choice(LR_SCHEDULES), default=DEFAULTS.lr_schedule,
              show_default=True,
              help="constant: --lr every epoch; cosine: from --lr down towards 0 over the "
                   "epochs (lr*(1+cos(pi*(epoch-1)/epochs))/2), so the final weights settle.")
@click.option("--epochs", type=click.IntRange(1), default=DEFAULTS.epochs, show_default=True)
@click.option("--seed", type=click.IntRange(0, INT_MAX), default=DEFAULTS.seed,
              show_default=True, help="First seed (also draws the --train-size subset).")
@click.option("--seeds", type=click.IntRange(1, 100), default=DEFAULTS.seeds, show_default=True,
              help="Runs per weight decay, with seeds SEED..SEED+SEEDS-1; the same seed gives "
                   "every weight decay the same initial weights and batch order (paired).")
@click.option("--device", type=click.Choice(DEVICES), default=DEFAULTS.device,
              show_default=True, help=device_help())
@click.option("--precision", type=click.Choice(PRECISION_CHOICES), default=DEFAULTS.precision,
              show_default=True,
              help="bf16: forward passes under torch.autocast in bfloat16 (for conv nets on a "
                   "CUDA GPU with tensor cores; weights, optimiser and losses stay float32; "
                   "runs on a CPU too, usually slower there). GPU gains unmeasured.")
@click.option("--channels-last", is_flag=True,
              help="Store conv weights and image batches channels-last (NHWC), which CUDA "
                   "convolutions prefer, with --precision bf16 most of all. Unmeasured.")
@click.option("--val-split", type=VAL_SPLIT,
              default=DEFAULTS.val_split, show_default=True,
              help="Hold out this fraction of train; pick the best weight decay on it.")
@click.option("--jobs", type=click.IntRange(1), default=1, show_default=True,
              help="Train this many runs at once, in separate processes (each gets "
                   "THREADS/JOBS threads; with --device cuda they go round-robin over the "
                   "visible GPUs).")
@click.option("--threads", type=click.IntRange(1, MAX_THREADS), default=None,
              help="CPU threads torch may use in all (default: OMP_NUM_THREADS if set, else 1, "
                   "the fastest for the default sweep, measured); idle threads sleep "
                   "(OMP_WAIT_POLICY=PASSIVE unless set), so a busy machine does not slow "
                   "the sweep down. --jobs is the faster way to use more cores.")
@click.option("--vectorize", type=click.Choice(("auto", "on", "off")), default="auto",
              show_default=True,
              help="Train all runs together in one vectorised pass (torch.func.vmap); auto: "
                   "on where measured to pay (a GPU; the default model on CPU).")
@click.option("--backend", type=click.Choice(("local", "ray")), default="local",
              show_default=True,
              help="ray: each run is a task on a Ray cluster (pip install 'ray>=2.9').")
@click.option("--address", metavar="HOST:PORT",
              help="Ray cluster to use with --backend ray (default: RAY_ADDRESS, else a new "
                   "local cluster).")
@click.option("--cpus-per-run", type=CPUS_PER_RUN, default=1.0,
              show_default=True, help="CPUs each Ray task asks for (its torch threads).")
@click.option("--gpus-per-run", type=GPUS_PER_RUN, default=0.0, show_default=True,
              help="GPUs each Ray task asks for (> 0: the run trains on cuda).")
@click.option("--out", type=click.Path(file_okay=False),
              help="Results folder (default: a new runs/<date-time> folder).")
@click.option("--resume", is_flag=True, help="Continue the sweep saved in --out.")
@click.option("--no-plot", is_flag=True, help="Skip the plots (the findings are still shown).")
@click.pass_context
def sweep(ctx: click.Context, wd, no_baseline, dataset, data_dir, download, image_size,
          normalize, augment, model, model_args, train_size, optimizer, lr, momentum,
          no_decay_bias_norm, batch_size, lr_schedule, epochs, seed, seeds, device, precision,
          channels_last, val_split, jobs, threads, vectorize, backend, address, cpus_per_run, gpus_per_run, out, resume,
          no_plot) -> None:
    from pa2cli.sweep.allocator import keep_large_blocks
    from pa2cli.sweep.threads import use_passive_wait_policy

    use_passive_wait_policy()  # before torch is imported: OpenMP reads it once, at start-up
    keep_large_blocks()  # freed batch-sized blocks are reused, not returned to the OS
    from pa2cli.sweep.session import start_sweep

    given = {name for name in ctx.params
             if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE}
    dataset, train_size = _own_data(dataset, data_dir, train_size, given, resume)
    from pa2cli.sweep.modelargs import canonical_model_args

    config = SweepConfig(
        dataset=dataset, data_dir=data_dir, download=download, val_split=val_split,
        normalize=normalize, image_size=image_size, augment=parse_augment(augment),
        model_args=canonical_model_args(model_args),
        train_size=train_size, model=model, optimizer=optimizer, lr=DEFAULT_LR[optimizer] if lr is None else lr,
        momentum=momentum, decay_bias_norm=not no_decay_bias_norm,
        batch_size=batch_size, epochs=epochs, lr_schedule=lr_schedule,
        weight_decays=parse_weight_decays(wd, add_baseline=not no_baseline, optimizer=optimizer),
        seed=seed, seeds=seeds, device=device, precision=precision,
        channels_last=channels_last)
    runs = len(config.weight_decays) * seeds
    if runs > MAX_RUNS:
        raise UserError(f"{len(config.weight_decays)} weight decays x {seeds} seeds are {runs} "
                        f"runs, more than the {MAX_RUNS} one sweep holds (about 50 MB each)",
                        where="--seeds", fix=f"Give at most {MAX_RUNS // len(config.weight_decays)}"
                                             " seeds for these values, or fewer --wd values.")
    if seed + seeds - 1 > INT_MAX:
        raise UserError(f"{seed} with --seeds {seeds} uses seeds past {INT_MAX}, the largest "
                        "torch accepts", where="--seed",
                        fix=f"Give a --seed of at most {INT_MAX - seeds + 1}.")
    explicit = {name for name in ctx.params
                if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE}
    if vectorize == "on" and jobs > 1:
        raise UserError("--jobs 2 or more cannot be combined with it (vectorised runs share "
                        "one process)", where="--vectorize on",
                        fix="Leave out --jobs, or use --vectorize off.")
    ray_options = _ray_options(backend, explicit, address, cpus_per_run, gpus_per_run, jobs,
                               vectorize)
    console = ctx.obj.get("console") if isinstance(ctx.obj, dict) else None  # pa2cli.sweep()
    code = start_sweep(config, out=out, resume=resume, jobs=jobs, plot=not no_plot,
                       threads=threads, console=console,
                       explicit=explicit, baseline_added=not no_baseline, vectorize=vectorize,
                       ray_options=ray_options)
    ctx.exit(code)


def _own_data(dataset, data_dir, train_size, given, resume):
    """--data-dir without --dataset: the format found there (imagefolder or pth); the student's
    own split trains on all of train unless --train-size is given."""
    from pa2cli.sweep.userdata import FORMATS, detect_format

    if data_dir is not None and "dataset" not in given and not resume:
        dataset = detect_format(data_dir)
    if dataset in FORMATS and "train_size" not in given:
        train_size = None
    return dataset, train_size


def parse_augment(text: str) -> tuple[str, ...]:
    """--augment flip,affine -> ("flip", "affine"), in that order (UserError on a bad name)."""
    names = [part.strip().lower() for part in (text or "").split(",") if part.strip()]
    for name in names:
        if name not in AUGMENT_CHOICES:
            from pa2cli.errors import excerpt

            raise UserError(f"{excerpt(name)} is not an augmentation", where="--augment",
                            fix=f"Give {', '.join(AUGMENT_CHOICES)} or both, comma-separated.")
    return tuple(n for n in AUGMENT_CHOICES if n in names)


def _ray_options(backend, explicit, address, cpus_per_run, gpus_per_run, jobs, vectorize):
    """The Ray options of `--backend ray`, None for a local sweep; conflicts are UserErrors."""
    ray_only = [name for name in ("address", "cpus_per_run", "gpus_per_run") if name in explicit]
    if backend != "ray":
        if ray_only:
            option = "--" + ray_only[0].replace("_", "-")
            raise UserError("only applies to --backend ray", where=option,
                            fix="Add --backend ray, or leave it out.")
        return None
    if jobs > 1 or vectorize == "on":
        raise UserError("each run is already a Ray task", where="--backend ray",
                        fix="Leave out --jobs and --vectorize on.")
    from pa2cli.sweep.ray_backend import RayOptions

    return RayOptions(address=address, cpus_per_run=cpus_per_run, gpus_per_run=gpus_per_run)


@click.command()
@click.argument("folder", type=click.Path(), required=False)
@click.option("--save", "save_to", type=click.Path(dir_okay=False),
              help="Also write the plots to FILE: .png/.pdf/.svg a matplotlib figure for a report, "
                   ".html a page, .ansi coloured text, else text.")
@click.option("--no-plot", is_flag=True, help="Show only the findings.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the findings as JSON (the numbers of the table and the sentences).")
def plot(folder, save_to, no_plot, as_json) -> None:
    """Redraw the plots and findings of a saved sweep (its --out FOLDER; without one, the
    latest sweep under runs/, as pa2 report picks it)."""
    from pa2cli.sweep.session import show_saved

    if folder is None:
        from pa2cli.errors import printable
        from pa2cli.report.document import latest_sweep

        latest = latest_sweep()
        if latest is None:
            raise UserError("no sweep folder under runs/ here", where="FOLDER",
                            fix="Run `pa2 sweep` first, or give a sweep's --out folder: "
                                "pa2 plot runs/NAME")
        folder = str(latest)
        click.echo(f"No folder given: showing the latest sweep, {printable(folder)} "
                   "(pa2 plot FOLDER shows another).", err=True)
    show_saved(folder, save_to=save_to, plot=not no_plot, as_json=as_json)
