"""One run's state and the runs of a sweep before any is trained, prepared once for all.

`RunState` is what a run carries from epoch to epoch (model, optimiser, shuffling generator,
the torch RNG state its dropout continues from, and its finished rows); `new_run` builds it,
`checkpoint_of` / `restore` turn it into a checkpoint's payload and back. `prepare` makes the
results a sweep continues (`prepare_results`), lists the runs left (`plan`) and, for each,
builds its state on the CPU, reads and checks its checkpoint once and restores it: a
`Prepared` sweep, which the preflight checks and every backend then train without reading or
building anything again. Models are built once per seed (`build_model` seeds torch itself, so
the runs of one seed start from the same weights) and copied for each weight decay.
It writes only checkpoints (`drive`, after each epoch); it must not train or print.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import torch

from pa2cli.sweep.checkpoints import (_refuse, _short, checkpoint_path, load_checkpoint,
                                      run_identity)
from pa2cli.sweep.config import SweepConfig, wd_label
from pa2cli.sweep.devices import RNG_ENTRIES, rng_state, set_rng_state
from pa2cli.sweep.optim import build_optimizer
from pa2cli.sweep.precision import prepare_model
from pa2cli.sweep.store import EpochRow, RunKey, SweepFolder, SweepResults


@dataclass
class RunState:
    """What one run carries from epoch to epoch; `rows` are the finished epochs' metrics and
    `rng` the torch (and CUDA) RNG states the run's next random operation continues from."""

    weight_decay: float
    seed: int
    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    generator: torch.Generator
    rows: list[EpochRow] = field(default_factory=list)
    rng: dict = field(default_factory=dict)


def resume_rng(state: RunState) -> None:
    """Make the global torch RNG the run's own again (before it trains, after others did)."""
    set_rng_state(state.rng, state.seed)


class Models:
    """Builds each seed's model once; every weight decay of that seed gets its own copy."""

    def __init__(self, config: SweepConfig, dataset):
        self.config, self.dataset = config, dataset
        self._built: dict[int, tuple[torch.nn.Module, dict]] = {}

    def add(self, seed: int, model: torch.nn.Module, rng: dict) -> None:
        """A model already built for `seed` (the session's check), with the RNG after it."""
        self._built[int(seed)] = (model, rng)

    def build(self, seed: int) -> tuple[torch.nn.Module, dict]:
        """A model of `seed` (as `new_run` builds it) and the RNG states right after."""
        seed = int(seed)
        if seed not in self._built:
            from pa2cli.sweep.models import build_model

            torch.manual_seed(seed)
            model = build_model(self.config.model, self.dataset, seed, self.config.model_args)
            self._built[seed] = (model, rng_state())
        model, rng = self._built[seed]
        try:
            return copy.deepcopy(model), rng
        except Exception:  # noqa: BLE001 - a model that cannot be copied is built again
            del self._built[seed]
            return self.build(seed)


def new_run(config: SweepConfig, dataset, weight_decay: float, seed: int,
            device: torch.device, models: Models | None = None) -> RunState:
    """Fresh model and optimiser; the same seed gives every weight decay the same start (the
    same initial weights, dropout stream and batch order), so runs are paired by seed."""
    model, rng = (models or Models(config, dataset)).build(seed)
    model = prepare_model(model.to(device), config.channels_last)  # --channels-last
    optimizer = build_optimizer(model, config.optimizer, config.lr, config.momentum,
                                weight_decay, config.decay_bias_norm)
    generator = torch.Generator().manual_seed(seed)
    state = RunState(weight_decay, seed, model, optimizer, generator, rng=dict(rng))
    resume_rng(state)
    return state


def checkpoint_of(state: RunState) -> dict:
    """Everything the next epoch depends on: tensors, plain containers and numbers only, so
    that `torch.load(weights_only=True)` reads it (`checkpoints.py` adds the run's identity)."""
    return {"rows": [row.to_dict() for row in state.rows],
            "model": state.model.state_dict(),
            "optimizer": state.optimizer.state_dict(),
            "shuffle_rng": state.generator.get_state(),
            **{name: value for name, value in state.rng.items()}}


def fresh_payload(state: RunState) -> dict:
    """`checkpoint_of` a run before its first epoch (for the preflight's size estimate)."""
    payload = checkpoint_of(state)
    payload["rows"] = []
    payload["optimizer"] = {"state": {}, "param_groups": payload["optimizer"]["param_groups"]}
    return payload


def restore(state: RunState, checkpoint: dict) -> None:
    """Put `state` back where `checkpoint_of` left it (after `new_run` built the same model)."""
    state.model.load_state_dict(checkpoint["model"])
    state.optimizer.load_state_dict(checkpoint["optimizer"])
    state.generator.set_state(checkpoint["shuffle_rng"])
    state.rng = {name: checkpoint[name] for name in RNG_ENTRIES if name in checkpoint}
    resume_rng(state)
    state.rows = [EpochRow.from_dict(row) for row in checkpoint["rows"]]


def restore_checked(state: RunState, checkpoint: dict, out, identity: dict) -> None:
    """`restore`, with a checkpoint that does not fit the model or optimiser refused."""
    try:
        restore(state, checkpoint)
    except Exception as exc:  # noqa: BLE001 - shapes, parameter groups or RNG state that do not fit
        path = checkpoint.get("source") or checkpoint_path(out, identity["weight_decay"],
                                                           identity["seed"])
        reason = _short(" ".join(str(exc).split()), 220)
        raise _refuse(path, f"does not fit this run's model or optimiser "
                      f"({type(exc).__name__}{': ' + reason if reason else ''})",
                      identity) from None


def move_run(state: RunState, device: torch.device) -> RunState:
    """The run (built and restored on the CPU) on `device`: the model's own parameters move,
    so the optimiser still holds them, and its state moves with them."""
    state.model.to(device)
    for entry in state.optimizer.state.values():
        for name, value in entry.items():
            if name != "step" and torch.is_tensor(value):
                entry[name] = value.to(device)
    return state


def data_sizes(dataset) -> dict:
    """Images per split, saved beside the runs (the findings' binomial errors need n_test)."""
    return {"train": len(dataset.train), "test": len(dataset.test),
            "val": None if dataset.val is None else len(dataset.val)}


def prepare_results(config: SweepConfig, saved: SweepResults | None,
                    dataset) -> SweepResults:
    """The results to continue: a copy of the saved ones (plus runs for added seeds), or new
    ones when `saved` is None."""
    if saved is None:
        return SweepResults.new(config.to_dict(), config.weight_decays, config.seed_list,
                                data_sizes(dataset))
    results = copy.deepcopy(saved)
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


@dataclass
class Prepared:
    """A sweep ready to train: its results, the runs left (in order), each one's state (on
    the CPU, restored from its checkpoint) and identity, and the notes a resume prints."""

    config: SweepConfig
    folder: SweepFolder
    dataset: object
    results: SweepResults
    pending: list[RunKey]
    states: dict[RunKey, RunState]
    identities: dict[RunKey, dict]
    notes: list[str] = field(default_factory=list)

    def take(self, key: RunKey, device: torch.device) -> RunState:
        """Run `key`'s state on `device`, handed over once (the plan no longer holds it)."""
        return move_run(self.states.pop(key), device)


def prepare(config: SweepConfig, folder: SweepFolder, dataset, saved: SweepResults | None,
            models: Models | None = None) -> Prepared:
    """Results, plan and every pending run's state, each checkpoint read and checked once."""
    results = prepare_results(config, saved, dataset)
    pending = plan(results, config)
    models = models or Models(config, dataset)
    states, identities, notes = {}, {}, []
    for key in pending:
        run = results.run(*key)
        state = new_run(config, dataset, *key, torch.device("cpu"), models)
        identity = run_identity(config, *key, state.model, dataset)
        if saved is not None:
            checkpoint = load_checkpoint(folder.path, identity,
                                         [row.to_dict() for row in run.epochs],
                                         legacy_seed=config.seed)
            if checkpoint is not None:
                restore_checked(state, checkpoint, folder.path, identity)
            elif run.epochs:
                path = checkpoint_path(folder.path, *key)
                notes.append(f"wd {wd_label(key[0])} seed {key[1]}: its checkpoint "
                             f"{path} is missing, so its {len(run.epochs)} saved epochs cannot "
                             "be continued: it is trained again from epoch 1, from the same "
                             "seed.")
        states[key], identities[key] = state, identity
    return Prepared(config, folder, dataset, results, pending, states, identities, notes)


def encode_payload(payload: dict) -> bytes:
    """A checkpoint payload as bytes, to hand a run to another process (--jobs, Ray)."""
    import io

    buffer = io.BytesIO()
    torch.save(payload, buffer)
    return buffer.getvalue()


def decode_payload(data: bytes) -> dict:
    import io

    return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)


def handover(prepared: Prepared, key: RunKey) -> bytes | None:
    """Run `key`'s restored state as bytes for a process that trains it (None: it starts
    at epoch 1); the plan drops the state, so it is held in one place only."""
    state = prepared.states.pop(key)
    return encode_payload(checkpoint_of(state)) if state.rows else None


def started(key: RunKey, state: RunState):
    """The event a run begins with: the epochs it already has."""
    from pa2cli.sweep.events import Started

    return Started(key, tuple(state.rows))


def drive(events, states: dict[RunKey, RunState], identities: dict[RunKey, dict],
          folder: SweepFolder, record) -> None:
    """Pass the loop's events to `record`, saving a run's checkpoint before its epoch is
    recorded (results.json never names an epoch its checkpoint lacks)."""
    from pa2cli.sweep.checkpoints import save_checkpoint
    from pa2cli.sweep.events import EpochDone

    for event in events:
        if isinstance(event, EpochDone):
            save_checkpoint(folder.path, identities[event.key], checkpoint_of(states[event.key]))
        record(event)
