"""Part A at a student's scale: pa2 against a hand-written loop and the course's starter loop.

The set-up of a student of the course (shared/COURSE.md): 64×64 RGB images in an ImageFolder
tree (generated here: 5 classes, each a little brighter than the last), a CNN with batch norm
of about 1.1 M parameters and about 180 MFLOP per training image (forward and backward,
counted with torch.utils.flop_counter), SGD lr 1e-3 momentum 0.9, batch 32. Three ways to
train it the same number of epochs, each evaluating train and test loss and accuracy after
every epoch, each in its own process (so peak memory is its own), with the same torch threads:

- pa2: `pa2 sweep --data-dir TREE --model FILE:Net` as a user runs it (one weight decay, one
  seed; its results, CSV and checkpoints are written every epoch). Its data are decoded once
  and cached; the decode time is reported apart from training.
- hand: a hand-written loop over in-memory float32 tensors (normalised once), randperm batches.
- starter: the course's starter code: `ImageFolder` with `ToTensor()` and `Normalize(0.5,
  0.5)`, `DataLoader(batch_size=32, shuffle=True, num_workers=2)`, decoding PNGs every epoch.

Goals (issue 15): pa2's time per epoch at most 1.05× the hand loop's, faster than the starter
loop; pa2's peak memory (RSS above the interpreter with torch imported) at most 2× the uint8
data plus the model.

    .venv/bin/python benchmarks/student_scale.py                       # the course's size
    .venv/bin/python benchmarks/student_scale.py --train 2000 --test 250 --epochs 1
    .venv/bin/python benchmarks/student_scale.py --device cuda --channels-last --precision bf16

`--channels-last` and `--precision bf16` apply to the hand loop on CUDA only (what a GPU run
would gain); pa2 and the starter loop train in float32 as pa2 does today.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

MODEL = '''\
import torch
from torch import nn


class Net(nn.Module):
    """3x3 conv stages with batch norm and max pooling, then two linear layers (~1.1 M
    parameters; ~180 MFLOP per 64x64 training image, forward and backward)."""

    def __init__(self, num_classes=5, in_channels=3, input_size=64):
        super().__init__()
        layers, channels = [], in_channels
        for width in (32, 64, 64):
            layers += [nn.Conv2d(channels, width, 3, padding=1), nn.BatchNorm2d(width),
                       nn.ReLU(), nn.MaxPool2d(2)]
            channels = width
        self.features = nn.Sequential(*layers)
        side = input_size // 8
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(channels * side * side, 256),
                                        nn.ReLU(), nn.Linear(256, num_classes))

    def forward(self, x):
        return self.classifier(self.features(x))
'''


def rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_tree(root: Path, n_train: int, n_test: int, classes: int, size: int) -> None:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    for split, n in (("train", n_train), ("test", n_test)):
        for i in range(n):
            c = i % classes
            folder = root / split / f"class{c}"
            folder.mkdir(parents=True, exist_ok=True)
            base = rng.integers(0, 160, (size // 8, size // 8, 3))
            pixels = np.kron(base, np.ones((8, 8, 1))) + rng.integers(0, 40, (size, size, 3))
            Image.fromarray((pixels + 12 * c).clip(0, 255).astype(np.uint8)).save(
                folder / f"{i:06d}.png")


def flops_per_image(size: int, classes: int) -> float:
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    namespace: dict = {}
    exec(MODEL, namespace)  # noqa: S102 - our own model source
    model = namespace["Net"](classes, 3, size)
    x = torch.zeros(8, 3, size, size)
    with FlopCounterMode(display=False) as counter:
        model(x).sum().backward()
    return counter.get_total_flops() / 8


def _model(args):
    namespace: dict = {}
    exec(MODEL, namespace)  # noqa: S102
    return namespace["Net"](args.classes, 3, args.size)


def _evaluate(model, batches) -> tuple[float, float]:
    import torch
    import torch.nn.functional as F

    model.eval()
    loss, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for x, y in batches:
            logits = model(x)
            loss += float(F.cross_entropy(logits, y, reduction="sum"))
            correct += int((logits.argmax(1) == y).sum())
            n += len(y)
    return loss / n, correct / n


def run_hand(args, tree: Path) -> dict:
    """In-memory float32 tensors, normalised once; randperm batches."""
    import torch
    import torch.nn.functional as F

    from pa2cli.sweep.imagedata import load_tree

    device = torch.device(args.device)
    _, splits, _ = load_tree(tree)  # the same decoded tensors (from pa2's cache)
    base = rss_mb()
    (xt, yt), (xs, ys) = splits["train"], splits["test"]
    xt = ((xt.float() / 255 - 0.5) / 0.5).to(device)
    xs = ((xs.float() / 255 - 0.5) / 0.5).to(device)
    yt, ys = yt.to(device), ys.to(device)
    del splits
    torch.manual_seed(0)
    model = _model(args).to(device)
    if args.channels_last and device.type == "cuda":
        model = model.to(memory_format=torch.channels_last)
        xt, xs = (t.contiguous(memory_format=torch.channels_last) for t in (xt, xs))
    opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
    gen = torch.Generator().manual_seed(0)
    autocast = (torch.autocast("cuda", dtype=torch.bfloat16)
                if args.precision == "bf16" and device.type == "cuda" else _null())
    epoch_seconds = []
    for _ in range(args.epochs):
        started = time.perf_counter()
        model.train()
        order = torch.randperm(len(yt), generator=gen).to(device)
        for start in range(0, len(yt), 32):
            idx = order[start:start + 32]
            with autocast:
                loss = F.cross_entropy(model(xt[idx]), yt[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        with autocast:
            for x, y in ((xt, yt), (xs, ys)):
                _evaluate(model, ((x[i:i + 1024], y[i:i + 1024]) for i in range(0, len(y), 1024)))
        _sync(device)
        epoch_seconds.append(time.perf_counter() - started)
    return {"epoch_seconds": epoch_seconds, "peak_mb_above_data_load": rss_mb() - base}


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _sync(device) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize()


def run_starter(args, tree: Path) -> dict:
    """The course's starter code: ImageFolder + ToTensor + Normalize, DataLoader workers."""
    import torch
    import torch.nn.functional as F
    from torchvision import datasets, transforms

    device = torch.device(args.device)
    transform = transforms.Compose([transforms.ToTensor(),
                                    transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
    trainset = datasets.ImageFolder(str(tree / "train"), transform=transform)
    testset = datasets.ImageFolder(str(tree / "test"), transform=transform)
    loader = torch.utils.data.DataLoader(trainset, batch_size=32, shuffle=True,
                                         num_workers=args.workers)
    evals = [torch.utils.data.DataLoader(s, batch_size=32, shuffle=False,
                                         num_workers=args.workers) for s in (trainset, testset)]
    torch.manual_seed(0)
    model = _model(args).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
    epoch_seconds = []
    for _ in range(args.epochs):
        started = time.perf_counter()
        model.train()
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        for batches in evals:
            _evaluate(model, ((x.to(device), y.to(device)) for x, y in batches))
        _sync(device)
        epoch_seconds.append(time.perf_counter() - started)
    return {"epoch_seconds": epoch_seconds}


def run_pa2(args, tree: Path) -> dict:
    """`pa2 sweep` in this process, as the command runs it; decode timed apart."""
    import io

    import torch
    from rich.console import Console

    from pa2cli.sweep.config import SweepConfig
    from pa2cli.sweep.data import load_for
    from pa2cli.sweep.models import build_model
    from pa2cli.sweep.runner import run_sweep
    from pa2cli.sweep.store import SweepFolder

    model_file = Path(args.work) / "a1a_model.py"
    config = SweepConfig(dataset="imagefolder", data_dir=str(tree), model=f"{model_file}:Net",
                         train_size=None, lr=1e-3, momentum=0.9, batch_size=32,
                         epochs=args.epochs, weight_decays=(0.0,), seeds=1, device=args.device)
    started = time.perf_counter()
    dataset = load_for(config)
    load_seconds = time.perf_counter() - started
    base = rss_mb()
    build_model(config.model, dataset, 0, None)
    data_mb = dataset.train.x.numel() / 1e6 + dataset.test.x.numel() / 1e6
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        console = Console(file=io.StringIO(), width=100)
        started = time.perf_counter()
        results, _ = run_sweep(config, SweepFolder(Path(tmp) / "out"), dataset,
                               torch.device(args.device), console=console, threads=args.threads)
        total = time.perf_counter() - started
        rows = [row.seconds for row in results.runs[0].epochs]
    return {"epoch_seconds": rows, "total_seconds": total, "load_seconds": load_seconds,
            "peak_mb_above_data_load": rss_mb() - base, "data_mb": data_mb,
            "peak_mb": rss_mb()}


def child(args) -> None:
    import torch

    torch.set_num_threads(args.threads)
    imported = rss_mb()
    tree = Path(args.work) / "tree"
    result = {"pa2": run_pa2, "hand": run_hand, "starter": run_starter}[args.child](args, tree)
    result["rss_after_import_mb"] = imported
    result["peak_rss_mb"] = rss_mb()
    print(json.dumps(result))


def _spawn(args, method: str, work: Path) -> dict:
    command = [sys.executable, __file__, "--child", method, "--work", str(work),
               "--train", str(args.train), "--test", str(args.test), "--epochs",
               str(args.epochs), "--classes", str(args.classes), "--size", str(args.size),
               "--threads", str(args.threads), "--device", args.device, "--precision",
               args.precision, "--workers", str(args.workers)]
    if args.channels_last:
        command.append("--channels-last")
    env = {**os.environ, "PYTHONPATH": str(REPO), "PA2_HOME": str(work / "home")}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{method} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=25_000)
    parser.add_argument("--test", type=int, default=2_500)
    parser.add_argument("--classes", type=int, default=5)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--workers", type=int, default=2, help="the starter loop's DataLoader")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--precision", choices=("fp32", "bf16"), default="fp32")
    parser.add_argument("--channels-last", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    with tempfile.TemporaryDirectory(prefix="pa2-student-scale-") as tmp:
        work = Path(tmp)
        (work / "a1a_model.py").write_text(MODEL)
        started = time.perf_counter()
        make_tree(work / "tree", args.train, args.test, args.classes, args.size)
        print(f"generated {args.train:,} + {args.test:,} PNGs of {args.size}×{args.size} in "
              f"{time.perf_counter() - started:.1f} s")
        flops = flops_per_image(args.size, args.classes)
        first = _spawn(args, "pa2", work)  # decodes and fills the cache
        second = _spawn(args, "pa2", work)  # reads the cache: the time to quote
        hand = _spawn(args, "hand", work)
        starter = _spawn(args, "starter", work)
    model_mb = 1.1e6 * 4 / 1e6
    epochs = {name: r["epoch_seconds"] for name, r in
              (("pa2", second), ("hand", hand), ("starter", starter))}
    # the last epoch of each (the first warms kernels and the allocator)
    last = {name: values[-1] for name, values in epochs.items()}
    print(f"{args.train:,} train / {args.test:,} test images, {args.classes} classes, "
          f"{flops / 1e6:.0f} MFLOP per training image, batch 32, {args.epochs} epochs, "
          f"{args.threads} threads, {args.device}; load average {os.getloadavg()[0]:.2f}")
    print(f"pa2 data load: {first['load_seconds']:.1f} s decoding (first run), "
          f"{second['load_seconds']:.2f} s from the cache (second run)")
    print("| loop | s per epoch (last) | training images/s | vs hand |")
    print("|---|---|---|---|")
    for name in ("pa2", "hand", "starter"):
        print(f"| {name} | {last[name]:.2f} | {args.train / last[name]:.0f} | "
              f"{last[name] / last['hand']:.3f}× |")
    data_mb = second["data_mb"]
    print(f"pa2 peak RSS {second['peak_rss_mb']:.0f} MB, of which "
          f"{second['peak_rss_mb'] - second['rss_after_import_mb']:.0f} MB above the "
          f"interpreter with torch imported; uint8 data {data_mb:.0f} MB + model "
          f"{model_mb:.1f} MB: goal <= {2 * (data_mb + model_mb):.0f} MB")
    print(json.dumps({"pa2": second, "pa2_first": first, "hand": hand, "starter": starter,
                      "flops_per_image": flops}))


if __name__ == "__main__":
    main()
