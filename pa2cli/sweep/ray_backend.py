"""`--backend ray`: each run of the sweep is a Ray task; the driver records what they stream.

`run_on_ray` connects to the cluster at `--address` (none: Ray starts a local one; Ray's own
RAY_ADDRESS is honoured), ships this pa2cli package to the workers (runtime_env `py_modules`,
so workers run the driver's code; torch and torchvision must be installed there) and submits
one streaming generator task per run, asking for `--cpus-per-run` CPUs and `--gpus-per-run`
GPUs. A task trains its run in the sweep's one epoch loop (`loop.train_epochs`) and yields the
typed events of a local run (`events.py`), each epoch's checkpoint payload just before its
row, so the driver, the only writer, saves the checkpoint and feeds the events to the same
`Recorder` as a local sweep: results.json,
CSV, plots, findings and --resume are those of a local sweep. The user's --model file is
shipped with the task as source text and written to a temporary folder on a worker that does
not have it (only that file: what it imports must be installed on the workers). Ctrl-C
cancels every task and keeps every epoch already recorded. Ray is imported only here, and
only on this path; without Ray the sweep exits 2 naming the extra to install.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pa2cli.errors import UserError, first_line
from pa2cli.sweep.config import SweepConfig, wd_label
from pa2cli.sweep.store import RunKey

INSTALL_FIX = "Install it with: pip install 'ray>=2.9'"
WAIT_SECONDS = 0.5
MAX_MODEL_FILE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class RayOptions:
    """Where the cluster is and what each run asks of it."""

    address: str | None = None  # None: RAY_ADDRESS if set, else a new local cluster
    cpus_per_run: float = 1.0
    gpus_per_run: float = 0.0


def import_ray():
    """The ray module, or a UserError naming the extra that installs it."""
    try:
        import ray
    except ImportError:
        raise UserError("Ray is not installed", where="--backend ray", fix=INSTALL_FIX) from None
    return ray


def check_options(config: SweepConfig, options: RayOptions) -> None:
    """Option combinations a Ray sweep cannot honour, as UserErrors (before connecting)."""
    from pa2cli.sweep.devices import DEVICES

    spec = DEVICES.get(config.device)
    if spec is not None and spec.gpu and options.gpus_per_run == 0:
        raise UserError(f"--device {config.device} needs a GPU per run on the cluster",
                        where="--backend ray", fix="Add --gpus-per-run 1 (or leave out --device).")


def model_source(config: SweepConfig) -> tuple[str, str, str] | None:
    """(file name, source text, class name) of the user's --model file, shipped with tasks."""
    if config.model is None:
        return None
    path_text, _, name = config.model.rpartition(":")
    path = Path(path_text).expanduser()
    if path.stat().st_size > MAX_MODEL_FILE_BYTES:
        raise UserError(f"is larger than {MAX_MODEL_FILE_BYTES // 1024} KiB, too large to ship "
                        "with every Ray task", where=f"--model {path}",
                        fix="Keep the model in a small file; install larger code on the workers.")
    return path.name, path.read_text(encoding="utf-8"), name


def train_one(config_dict: dict, key: RunKey, checkpoint: bytes | None,
              model_source, threads: int, use_gpu: bool):
    """The body of a Ray task: train run `key` from `checkpoint` (its state's payload, as the
    driver's preflight restored it; None: from epoch 1), yielding the loop's events, Batch
    events thinned (`events.Throttle`) with their loss read, and before each EpochDone a
    CheckpointReady with that epoch's payload, which the driver saves."""
    import tempfile

    import torch

    from pa2cli.sweep.data import load_for
    from pa2cli.sweep.devices import resolve_device
    from pa2cli.sweep.events import Batch, CheckpointReady, EpochDone, Throttle
    from pa2cli.sweep.loop import OneModel, to_device, train_epochs
    from pa2cli.sweep.runs import (checkpoint_of, decode_payload, encode_payload, new_run,
                                   restore, started)

    torch.set_num_threads(max(1, threads))
    config = SweepConfig.from_dict(config_dict)
    if model_source is not None and not Path(config.model.rpartition(":")[0]).expanduser().is_file():
        file_name, text, name = model_source
        folder = Path(tempfile.mkdtemp(prefix="pa2-model-"))
        (folder / file_name).write_text(text, encoding="utf-8")
        config = config.with_changes(model=f"{folder / file_name}:{name}")
    dataset = load_for(config, download=False)
    device = resolve_device(config.device) if use_gpu else torch.device("cpu")
    key = tuple(key)
    state = new_run(config, dataset, *key, device)
    if checkpoint is not None:
        restore(state, decode_payload(checkpoint))
    yield started(key, state)
    throttle = Throttle()
    for event in train_epochs(OneModel.of(state, config), [state], [key],
                              to_device(dataset, device), config):
        if isinstance(event, Batch):
            if throttle(event):
                yield event.detached()
            continue
        if isinstance(event, EpochDone):
            yield CheckpointReady(key, encode_payload(checkpoint_of(state)))
        yield event


CONNECT_TIMEOUT_S = 5.0


def _probe(address: str | None) -> None:
    """One line, within CONNECT_TIMEOUT_S, when nothing listens at a HOST:PORT address (given
    or RAY_ADDRESS): ray.init itself retried for minutes without a word, and did not end on
    SIGTERM. `auto`, `local` and addresses without a port are left to Ray."""
    import os
    import socket

    where = "--address" if address else "RAY_ADDRESS"
    address = address or os.environ.get("RAY_ADDRESS")
    if not address:
        return
    target = address.split("://", 1)[-1]
    host, _, port = target.rpartition(":")
    if not host or not port.isdigit():
        return
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else (exc.strerror or str(exc))
        raise UserError(f"no Ray cluster answers at {address} ({reason} within "
                        f"{CONNECT_TIMEOUT_S:g} s)", where=f"{where} {address}",
                        fix="Start one with `ray start --head` and give the address it prints, "
                            "or leave out --address for a local cluster.") from None


def _connect(ray, options: RayOptions):
    """ray.init, unless the caller already did; True when this call connected."""
    if ray.is_initialized():
        return False
    import pa2cli

    _probe(options.address)

    try:
        ray.init(address=options.address, include_dashboard=False, log_to_driver=False,
                 configure_logging=False, runtime_env={"py_modules": [pa2cli]})
    except (ConnectionError, RuntimeError, ValueError) as exc:
        where = f"--address {options.address}" if options.address else "--backend ray"
        raise UserError(f"cannot connect to the Ray cluster ({first_line(exc)})",
                        where=where, fix="Start one with `ray start --head` and give its "
                                         "address, or leave out --address.") from None
    return True


def connect_cluster(options: RayOptions):
    """Connect (unless already connected) and check the cluster can run one run; returns the
    function that disconnects what this call connected. UserErrors say what is wrong."""
    ray = import_ray()
    connected = _connect(ray, options)
    try:
        _check_resources(ray, options)
    except BaseException:
        if connected:
            ray.shutdown()
        raise
    return ray.shutdown if connected else (lambda: None)


def _check_resources(ray, options: RayOptions) -> dict:
    resources = ray.cluster_resources()
    for name, wanted, option in (("CPU", options.cpus_per_run, "--cpus-per-run"),
                                 ("GPU", options.gpus_per_run, "--gpus-per-run")):
        if wanted > resources.get(name, 0):
            raise UserError(f"{wanted:g} is more than the cluster's {resources.get(name, 0):g} "
                            f"{name}s", where=f"{option} {wanted:g}",
                            fix="Ask for less, or add machines to the cluster.")
    return resources


class Ray:
    """--backend ray: each run a Ray task (`run_on_ray`)."""

    def __init__(self, options: RayOptions, console):
        self.options, self.console = options, console

    def run(self, prepared, recorder) -> None:
        run_on_ray(prepared, recorder, self.options, self.console)


def run_on_ray(prepared, recorder, options: RayOptions, console) -> None:
    """Train the prepared sweep's pending runs as Ray tasks, recording every streamed event
    through `recorder`; each task starts from its run's state as the preflight restored it."""
    from pa2cli.sweep.runs import handover

    config, folder, keys = prepared.config, prepared.folder, list(prepared.pending)
    ray = import_ray()
    connected = _connect(ray, options)
    try:
        resources = _check_resources(ray, options)
        console.print(f"Ray cluster: {resources.get('CPU', 0):g} CPUs, "
                      f"{resources.get('GPU', 0):g} GPUs; each run takes "
                      f"{options.cpus_per_run:g} CPU and {options.gpus_per_run:g} GPU "
                      f"({len(keys)} runs submitted).", highlight=False)
        task = ray.remote(train_one).options(num_cpus=options.cpus_per_run,
                                             num_gpus=options.gpus_per_run,
                                             num_returns="streaming", max_retries=0)
        source = model_source(config)
        streams, identities = {}, prepared.identities
        for key in keys:  # checked by the preflight, as a local sweep's, before a task gets it
            streams[task.remote(config.to_dict(), key, handover(prepared, key), source,
                                int(max(1, options.cpus_per_run)),
                                options.gpus_per_run > 0)] = key
        try:
            _record_streams(ray, streams, folder, identities, recorder)
        except BaseException:  # Ctrl-C or a failed task: stop the others, keep what is saved
            for stream in streams:
                ray.cancel(stream)
            raise
    finally:
        if connected:
            ray.shutdown()


def _record_streams(ray, streams: dict, folder, identities: dict, recorder) -> None:
    """Record events as they arrive from any task, until every stream has ended."""
    from pa2cli.sweep.checkpoints import save_checkpoint
    from pa2cli.sweep.events import CheckpointReady
    from pa2cli.sweep.runs import decode_payload

    while streams:
        ready, _ = ray.wait(list(streams), num_returns=1, timeout=WAIT_SECONDS)
        for stream in ready:
            try:
                ref = next(stream)
            except StopIteration:
                del streams[stream]
                continue
            try:
                event = ray.get(ref)
            except ray.exceptions.RayTaskError as exc:
                cause = str(exc.cause if exc.cause is not None else exc).strip().splitlines()
                wd, seed = streams[stream]
                raise UserError(f"the run of wd {wd_label(wd)} seed {seed} failed on the "
                                f"cluster: {cause[-1] if cause else type(exc).__name__}",
                                where="--backend ray",
                                fix="Check that the workers have torch and the data.") from None
            if isinstance(event, CheckpointReady):  # saved before its epoch is recorded
                save_checkpoint(folder.path, identities[event.key],
                                decode_payload(event.payload))
                continue
            recorder(event)
