"""What is said when a run cannot go on: a model that fails in training or evaluation, a run
whose loss became non-finite, and a model that cannot be trained at all (checked once, before
any training). Each is one line naming the run, the epoch and batch, and the likely fix.
This module must not train, print or import torch at module level.
"""

from __future__ import annotations

from pa2cli.errors import UserError, first_line
from pa2cli.sweep.config import SweepConfig, wd_label


def diverged_message(state, epoch: int, split: str, value: float) -> str:
    return (f"wd {wd_label(state.weight_decay)} seed {state.seed}: the {split} loss became "
            f"{value} in epoch "
            f"{epoch}, so the run is marked diverged (its finished epochs are kept) and the "
            "sweep goes on; a smaller --lr or weight decay usually avoids this")


def model_name(config: SweepConfig) -> str:
    return f"--model {config.model}" if config.model else "the default model"


def _likely_fix(exc: BaseException, batch_len: int, n: int, batch_size: int) -> str:
    text = str(exc)
    if "more than 1 value per channel" in text:
        return (f"The batch held {batch_len} image and batch norm needs 2 or more in "
                f"training: choose a --batch-size that does not leave 1 of the {n} training "
                f"images over (for example {batch_size + 1}).")
    if "does not require grad" in text:
        return ("The loss does not depend on any trainable parameter: give the model "
                "parameters with requires_grad=True and use them in forward.")
    return ("Make forward and backward work in training mode (model.train()), on a batch of "
            f"{batch_len} images.")


def _what_failed(exc: BaseException) -> str:
    """The exception in a few words: its type and first line, or that the model file exited."""
    if isinstance(exc, SystemExit):
        return f"the model file exited (sys.exit({exc.code!r}))"
    first = first_line(exc, 200)
    return f"{type(exc).__name__}{': ' + first if first else ''}"


def training_failed(config: SweepConfig, state, epoch: int, batch: int,
                    n_batches: int, batch_len: int, n: int, exc: BaseException) -> UserError:
    """One line for a model that fails only in training: which model, run, epoch and batch."""
    if config.model:
        from pa2cli.sweep.modelfile import explain_failure

        line = explain_failure(config.model, exc, "its training step")
        if line is not None:
            return line
    what = _what_failed(exc)
    return UserError(
        f"training failed at wd {wd_label(state.weight_decay)} seed {state.seed}, epoch "
        f"{epoch}, batch "
        f"{batch}/{n_batches} ({batch_len} image{'' if batch_len == 1 else 's'}): {what}",
        where=model_name(config),
        fix=_likely_fix(exc, batch_len, n, config.batch_size)
        + " The finished epochs of every run are saved; --resume continues after the fix.")


def evaluation_failed(config: SweepConfig, state, epoch: int, split: str,
                      exc: BaseException, eval_batch: int | None = None) -> UserError:
    """One line for a model that fails only when evaluated (eval mode, no gradient)."""
    what = _what_failed(exc)
    return UserError(
        f"evaluation failed at wd {wd_label(state.weight_decay)} seed {state.seed}, epoch "
        f"{epoch}, on the {split} split (eval mode, batches of up to "
        f"{eval_batch or config.eval_batch_size} images): {what}", where=model_name(config),
        fix="Make forward work in eval mode (model.eval()) and under torch.no_grad(), on any "
            "batch size. The finished epochs of every run are saved; --resume continues after "
            "the fix.")


def check_trainable(model, config: SweepConfig, n_train: int) -> None:
    """Refuse, before any training, a model the optimiser cannot train or whose batch norm
    would get a last batch of a single image."""
    import torch

    if not any(p.requires_grad for p in model.parameters()):
        raise UserError("has no trainable parameters (none with requires_grad=True), so "
                        "there is nothing for the optimiser to train", where=model_name(config),
                        fix="Give the model layers with parameters, such as nn.Linear.")
    norms = (torch.nn.modules.batchnorm._BatchNorm,)
    if n_train % config.batch_size == 1 and any(isinstance(m, norms) for m in model.modules()):
        raise UserError(f"the last batch of each epoch would hold 1 image ({n_train} training "
                        f"images, --batch-size {config.batch_size}) and batch norm needs 2 or "
                        "more in training", where=model_name(config),
                        fix=f"Choose another --batch-size, for example {config.batch_size + 1}.")
