"""The models a sweep trains: a small default CNN per dataset, or the student's own model file.

Holds `default_model`, `load_user_model` (a `path/to/file.py:Name` or `notebook.ipynb:Name`
spec naming an `nn.Module` subclass or a factory function, read by `modelfile.py` without
running the file's script) and `build_model`, which seeds torch, builds, and checks the
output shape with a dry forward pass. It must not train, print or touch the data beyond that
dry pass; every user mistake becomes a one-line `UserError`. Only the sweep path imports it.
"""

from __future__ import annotations

import inspect

import torch
from torch import nn

from pa2cli.errors import UserError
from pa2cli.sweep import modelfile
from pa2cli.sweep.data import Dataset

MODEL_FIX = modelfile.MODEL_FIX

# (C, H, W) -> conv stages, each a tuple of output widths (3×3 convs with ReLU, then a 2×2 max
# pool), and the width of the hidden linear layer. No batch norm and no dropout, so that weight
# decay is the only regulariser and its effect is easy to see.
_ARCHITECTURES = {
    (1, 8, 8): (((16, 32),), 128),  # digits: ~72k parameters for 1.4k images, overfits a little
    (1, 28, 28): (((32,), (64,)), 128),  # MNIST / Fashion-MNIST: the classic two-block CNN
    (3, 32, 32): (((32, 32), (64, 64)), 256),  # CIFAR-10: a small VGG-style CNN
}


class SmallCNN(nn.Module):
    """3×3 conv stages (ReLU, then 2×2 max pool) -> flatten -> hidden linear + ReLU -> logits."""

    def __init__(self, input_shape, num_classes, stages, hidden):
        super().__init__()
        channels, height, width = input_shape
        layers: list[nn.Module] = []
        for stage in stages:
            for out in stage:
                layers += [nn.Conv2d(channels, out, kernel_size=3, padding=1), nn.ReLU()]
                channels = out
            layers.append(nn.MaxPool2d(2))
            height, width = height // 2, width // 2
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(channels * height * width, hidden),
            nn.ReLU(),
            nn.Linear(hidden, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


def default_model(dataset: Dataset) -> nn.Module:
    """The default CNN for the dataset's input shape (a generic one for any other shape)."""
    shape = tuple(dataset.input_shape)
    stages, hidden = _ARCHITECTURES.get(shape, (((32,), (64,)), 128))
    stages = tuple(s for i, s in enumerate(stages) if min(shape[1:]) >> (i + 1) >= 1)
    return SmallCNN(shape, dataset.num_classes, stages, hidden)


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        return f"SyntaxError: {exc.msg} (line {exc.lineno})"
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _exited(exc: SystemExit, when: str, where: str) -> UserError:
    return UserError(f"the model file exited {when} (sys.exit({exc.code!r}))", where=where,
                     fix="Remove that exit (or move it under if __name__ == '__main__':).")


def load_user_model(spec: str, dataset: Dataset, model_args: str | None = None) -> nn.Module:
    """Build the model named by `path/to/file.py:Name` or `notebook.ipynb:Name` (the file's
    definitions only, see modelfile.py), with num_classes / in_channels / input_size from the
    data where its constructor takes them, and the --model-args JSON."""
    path, name = modelfile.split_spec(spec)
    loaded = modelfile.load_file(path)
    where = f"--model {path}:{name}"
    factory = modelfile.find(loaded, name, spec)
    if not callable(factory):
        raise UserError(f"{name!r} is a {type(factory).__name__!r} value, not a class or function", where=where, fix=MODEL_FIX)
    kwargs = modelfile.constructor_kwargs(
        factory, modelfile.data_values(dataset.num_classes, tuple(dataset.input_shape)),
        modelfile.parse_model_args(model_args), spec)
    try:
        model = factory(**kwargs)
    except SystemExit as exc:
        raise _exited(exc, f"when {name} was called", where) from None
    except Exception as exc:  # noqa: BLE001 - the student's constructor failed
        line = modelfile.explain_failure(spec, exc, f"{name}(...)")
        if line is not None:
            raise line from None
        how = ("with " + ", ".join(f"{k}={v!r}" for k, v in kwargs.items())) if kwargs else "with no arguments"
        raise UserError(
            f"calling {name} {how} failed: {_one_line(exc)}",
            where=where,
            fix="Give every other argument a default value (or pass it with --model-args).",
        ) from None
    if not isinstance(model, nn.Module):
        raise UserError(
            f"{name}(...) returned a {type(model).__name__!r} object, not a torch.nn.Module", where=where, fix=MODEL_FIX
        )
    return model


def _is_module_class(value) -> bool:
    return inspect.isclass(value) and issubclass(value, nn.Module)


def build_model(spec: str | None, dataset: Dataset, seed: int,
                model_args: str | None = None) -> nn.Module:
    """Seed torch, build the default or the user's model, and check its output is (2, classes)."""
    if spec is not None:  # first in a child process, where pa2 sees os._exit or a thread
        from pa2cli.sweep.model_probe import probe

        probe(spec, dataset.num_classes, tuple(dataset.input_shape), model_args)
    torch.manual_seed(int(seed))
    model = default_model(dataset) if spec is None else load_user_model(spec, dataset, model_args)
    where = "default model" if spec is None else f"--model {spec}"
    sample = dataset.to_float(dataset.train.x[:2])
    was_training = model.training
    model.eval()  # no batch-norm statistics are updated by the check
    try:
        with torch.no_grad():
            out = model(sample)
    except SystemExit as exc:
        raise _exited(exc, "in its forward pass", where) from None
    except Exception as exc:  # noqa: BLE001 - the student's forward failed on real input
        line = None if spec is None else modelfile.explain_failure(spec, exc, "its forward")
        if line is not None:
            raise line from None
        raise UserError(
            f"forward pass on a batch of shape {tuple(sample.shape)} failed: {_one_line(exc)}",
            where=where,
            fix=f"The model must take float32 images of shape (N, {', '.join(map(str, dataset.input_shape))}).",
        ) from None
    finally:
        model.train(was_training)
    expected = (2, dataset.num_classes)
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != expected:
        got = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        counts = (f"gives {got[1]} outputs per image, but the data has {dataset.num_classes} "
                  "classes: " if isinstance(got, tuple) and len(got) == 2 else "")
        raise UserError(
            f"{counts}output for 2 {dataset.name} images is {got}, expected {expected}",
            where=where,
            fix=f"Make the last layer output {dataset.num_classes} logits (one per class) per image.",
        )
    return model
