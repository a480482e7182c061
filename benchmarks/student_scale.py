"""Part A at a student's scale: pa2 against a hand-written loop and the course's starter loop.

The set-up of a student of the course (shared/COURSE.md): 64×64 RGB images in an ImageFolder
tree (generated here: 5 classes, each a little brighter than the last), a CNN with batch norm
of about 1.1 M parameters and about 180 MFLOP per training image (forward and backward,
counted with torch.utils.flop_counter), SGD lr 1e-3 momentum 0.9, batch 32. Three ways to
train it the same number of epochs, each evaluating train and test loss and accuracy after
every epoch, each in its own process (so peak memory is its own), with the same torch threads
and OMP_WAIT_POLICY=PASSIVE (what `pa2 sweep` sets; spinning waits on a shared machine make
any loop many times slower, see pa2cli/sweep/threads.py):

- pa2: `pa2 sweep --data-dir TREE --model FILE:Net` as a user runs it (one weight decay, one
  seed; its results, CSV and checkpoints are written every epoch, and count in its time). Its
  data are decoded once and cached; the decode time is reported apart from training.
- hand: a hand-written loop over in-memory float32 tensors (normalised once), randperm batches,
  evaluated in batches of 32 like the starter code.
- starter: the course's starter code: `ImageFolder` with `ToTensor()` and `Normalize(0.5,
  0.5)`, `DataLoader(batch_size=32, shuffle=True, num_workers=2)`, decoding PNGs every epoch.

Each loop records wall and CPU seconds per epoch (CPU: this process and its finished children,
so the starter's DataLoader workers count). On a machine shared with other work the wall time
is mostly the others' doing: `--rounds R` runs pa2 and the hand loop R times, alternating, and
the table quotes each loop's fastest last epoch; the CPU time beside it is less disturbed.

Goals (issue 15): pa2's time per epoch at most 1.05× the hand loop's, faster than the starter
loop; pa2's peak memory (RSS above the interpreter with torch imported) at most 2× the uint8
data plus the model.

    .venv/bin/python benchmarks/student_scale.py                       # the course's size
    .venv/bin/python benchmarks/student_scale.py --train 1000 --test 250 --rounds 3
    .venv/bin/python benchmarks/student_scale.py --only pa2 --epochs 1   # memory at full size
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


def cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and of its children that have ended."""
    own, children = (resource.getrusage(who) for who in
                     (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


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
    epoch_seconds, epoch_cpu = [], []
    for _ in range(args.epochs):
        started, cpu = time.perf_counter(), cpu_seconds()
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
                _evaluate(model, ((x[i:i + 32], y[i:i + 32]) for i in range(0, len(y), 32)))
        _sync(device)
        epoch_seconds.append(time.perf_counter() - started)
        epoch_cpu.append(cpu_seconds() - cpu)
    return {"epoch_seconds": epoch_seconds, "epoch_cpu": epoch_cpu,
            "peak_mb_above_data_load": rss_mb() - base}


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
    epoch_seconds, epoch_cpu = [], []
    for _ in range(args.epochs):
        started, cpu = time.perf_counter(), cpu_seconds()
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
        epoch_cpu.append(cpu_seconds() - cpu)
    return {"epoch_seconds": epoch_seconds, "epoch_cpu": epoch_cpu}


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
    marks = [(time.perf_counter(), cpu_seconds())]  # each epoch ends after its files are saved

    def after_epoch(_key, _row) -> None:
        marks.append((time.perf_counter(), cpu_seconds()))

    with tempfile.TemporaryDirectory() as tmp:
        console = Console(file=io.StringIO(), width=100)
        started = time.perf_counter()
        run_sweep(config, SweepFolder(Path(tmp) / "out"), dataset, torch.device(args.device),
                  console=console, threads=args.threads, after_epoch=after_epoch)
        total = time.perf_counter() - started
    # the first epoch's span also holds building the model (in-process and in the probe)
    rows = [b[0] - a[0] for a, b in zip(marks, marks[1:])]
    cpu = [b[1] - a[1] for a, b in zip(marks, marks[1:])]
    return {"epoch_seconds": rows, "epoch_cpu": cpu, "total_seconds": total,
            "load_seconds": load_seconds,
            "peak_mb_above_data_load": rss_mb() - base, "data_mb": data_mb,
            "peak_mb": rss_mb()}


def run_decode(args, tree: Path) -> dict:
    """Only what a first `pa2 sweep` does before training: decode the tree and fill the cache."""
    from pa2cli.sweep.config import SweepConfig
    from pa2cli.sweep.data import load_for

    config = SweepConfig(dataset="imagefolder", data_dir=str(tree), train_size=None)
    started = time.perf_counter()
    load_for(config)
    return {"load_seconds": time.perf_counter() - started}


def child(args) -> None:
    import torch

    torch.set_num_threads(args.threads)
    imported = rss_mb()
    tree = Path(args.work) / "tree"
    result = {"pa2": run_pa2, "hand": run_hand, "starter": run_starter,
              "decode": run_decode}[args.child](args, tree)
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
    env = {**os.environ, "PYTHONPATH": str(REPO), "PA2_HOME": str(work / "home"),
           "OMP_WAIT_POLICY": "PASSIVE"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{method} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


LOOPS = ("pa2", "hand", "starter")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=25_000)
    parser.add_argument("--test", type=int, default=2_500)
    parser.add_argument("--classes", type=int, default=5)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads of every loop (1: what pa2 sweep uses by default)")
    parser.add_argument("--workers", type=int, default=2, help="the starter loop's DataLoader")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run pa2 and the hand loop this many times, alternating")
    parser.add_argument("--only", default=",".join(LOOPS),
                        help="comma-separated loops to run (pa2 always runs)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--precision", choices=("fp32", "bf16"), default="fp32")
    parser.add_argument("--channels-last", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    loops = [name for name in LOOPS if name == "pa2" or name in args.only.split(",")]
    runs: dict[str, list[dict]] = {name: [] for name in loops}
    with tempfile.TemporaryDirectory(prefix="pa2-student-scale-") as tmp:
        work = Path(tmp)
        (work / "a1a_model.py").write_text(MODEL)
        started = time.perf_counter()
        make_tree(work / "tree", args.train, args.test, args.classes, args.size)
        print(f"generated {args.train:,} + {args.test:,} PNGs of {args.size}×{args.size} in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        flops = flops_per_image(args.size, args.classes)
        first = _spawn(args, "decode", work)  # decodes and fills the cache
        for _ in range(max(1, args.rounds)):
            for name in ("pa2", "hand"):
                if name in loops:
                    runs[name].append(_spawn(args, name, work))  # pa2 reads the cache
        if "starter" in loops:
            runs["starter"].append(_spawn(args, "starter", work))
    model_mb = 1.1e6 * 4 / 1e6
    # each loop's last epoch (the first warms kernels and the allocator), fastest round
    best = {name: min(results, key=lambda r: r["epoch_seconds"][-1])
            for name, results in runs.items()}
    wall = {name: r["epoch_seconds"][-1] for name, r in best.items()}
    cpu = {name: min(r["epoch_cpu"][-1] for r in results) for name, results in runs.items()}
    print(f"{args.train:,} train / {args.test:,} test images, {args.classes} classes, "
          f"{flops / 1e6:.0f} MFLOP per training image, batch 32, {args.epochs} epochs, "
          f"{args.threads} thread(s), {args.device}, {args.rounds} round(s); load average "
          f"{os.getloadavg()[0]:.2f} at the end")
    print(f"pa2 data load (torchvision import included): {first['load_seconds']:.1f} s "
          f"decoding (first run), {best['pa2']['load_seconds']:.2f} s from the cache")
    print("| loop | s per epoch (last, fastest round) | training images/s | vs hand | "
          "CPU s per epoch | CPU vs hand |")
    print("|---|---|---|---|---|---|")
    for name in loops:
        ratio = f"{wall[name] / wall['hand']:.3f}×" if "hand" in wall else "–"
        cpu_ratio = f"{cpu[name] / cpu['hand']:.3f}×" if "hand" in cpu else "–"
        print(f"| {name} | {wall[name]:.2f} | {args.train / wall[name]:.0f} | {ratio} | "
              f"{cpu[name]:.2f} | {cpu_ratio} |")
    second = best["pa2"]
    data_mb = second["data_mb"]
    above = max(r["peak_rss_mb"] - r["rss_after_import_mb"] for r in runs["pa2"])
    print(f"pa2 peak RSS {second['peak_rss_mb']:.0f} MB, of which at most {above:.0f} MB above "
          f"the interpreter with torch imported; uint8 data {data_mb:.0f} MB + model "
          f"{model_mb:.1f} MB: goal <= {2 * (data_mb + model_mb):.0f} MB")
    for name in ("hand", "starter"):
        if name in best:
            r = best[name]
            print(f"{name} peak RSS {r['peak_rss_mb']:.0f} MB, "
                  f"{r['peak_rss_mb'] - r['rss_after_import_mb']:.0f} MB above the interpreter")
    print(json.dumps({"runs": runs, "pa2_first": first, "flops_per_image": flops}))


if __name__ == "__main__":
    main()
