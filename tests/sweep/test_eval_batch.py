"""The evaluation batch is sized from one forward pass's activations and a memory budget.

The expected byte counts are worked out by hand from the layer shapes (float32 = 4 bytes), not
read from the program; the budget arithmetic is checked at its edges, the model's mode and the
random streams are unchanged by the measuring pass, and the evaluation numbers do not depend on
the batch size chosen.
"""

from __future__ import annotations

import torch
from torch import nn

from pa2cli.sweep import eval_batch
from pa2cli.sweep.config import SweepConfig
from pa2cli.sweep.eval_batch import activation_bytes_per_image, eval_batch_size, memory_budget
from pa2cli.sweep.loop import evaluate

CPU = torch.device("cpu")


def _to_float(x):
    return x.to(torch.float32) / 255


def _small_net():
    # 3x8x8 input: conv -> 4x8x8 (256 floats), relu 256, flatten 256, linear 2
    return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Flatten(),
                         nn.Linear(4 * 8 * 8, 2))


def _student_cnn():
    """The benchmark's 64x64 CNN with batch norm (benchmarks/student_scale.py)."""
    layers, channels = [], 3
    for width in (32, 64, 64):
        layers += [nn.Conv2d(channels, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU(),
                   nn.MaxPool2d(2)]
        channels = width
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(64 * 8 * 8, 256), nn.ReLU(),
                         nn.Linear(256, 5))


def test_bytes_per_image_sum_the_leaf_outputs():
    x = torch.zeros(2, 3, 8, 8, dtype=torch.uint8)
    assert activation_bytes_per_image(_small_net(), x, _to_float) == 4 * (256 * 3 + 2)


def test_the_student_cnn_holds_about_2_7_mb_per_image():
    floats = 0
    for side, width in ((64, 32), (32, 64), (16, 64)):
        floats += 3 * width * side * side + width * (side // 2) ** 2  # conv, bn, relu, pool
    floats += 64 * 8 * 8 + 256 + 256 + 5  # flatten, linear, relu, linear
    x = torch.zeros(2, 3, 64, 64, dtype=torch.uint8)
    assert activation_bytes_per_image(_student_cnn(), x, _to_float) == 4 * floats
    assert 2.6e6 < 4 * floats < 2.9e6


def test_a_large_model_evaluates_in_training_sized_batches_a_small_one_at_the_cap():
    config = SweepConfig(batch_size=32, eval_batch_size=1024)
    big = torch.zeros(4, 3, 64, 64, dtype=torch.uint8)
    # 64 MiB / 2.66 MiB per image = 24 images, below the training batch: the training batch
    assert eval_batch_size(_student_cnn(), big, _to_float, config, CPU) == 32
    small = torch.zeros(4, 3, 8, 8, dtype=torch.uint8)
    assert eval_batch_size(_small_net(), small, _to_float, config, CPU) == 1024
    # a cap below the training batch wins (it is the user's upper bound)
    assert eval_batch_size(_small_net(), small, _to_float,
                           SweepConfig(batch_size=32, eval_batch_size=8), CPU) == 8


def test_between_the_floor_and_the_cap_the_batch_fills_the_budget(monkeypatch):
    monkeypatch.setattr(eval_batch, "CPU_BUDGET_BYTES", 3080 * 100 + 5)
    small = torch.zeros(4, 3, 8, 8, dtype=torch.uint8)
    size = eval_batch_size(_small_net(), small, _to_float,
                           SweepConfig(batch_size=32, eval_batch_size=1024), CPU)
    assert size == 100  # 100 images x 3,080 bytes fit, 101 do not


def test_a_model_failing_forward_falls_back_to_the_training_batch():
    class Broken(nn.Module):
        def forward(self, x):
            raise RuntimeError("no")

    x = torch.zeros(4, 3, 8, 8, dtype=torch.uint8)
    assert eval_batch_size(Broken(), x, _to_float, SweepConfig(batch_size=16), CPU) == 16


def test_measuring_leaves_the_mode_the_hooks_and_the_random_streams_as_they_were():
    class Noisy(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(3 * 8 * 8, 2)

        def forward(self, x):
            return self.linear(x.flatten(1)) + torch.rand(len(x), 2)  # draws even in eval

    model = Noisy().train()
    torch.manual_seed(5)
    before = torch.get_rng_state()
    activation_bytes_per_image(model, torch.zeros(2, 3, 8, 8, dtype=torch.uint8), _to_float)
    assert torch.equal(torch.get_rng_state(), before)
    assert model.training and model.linear.training
    assert not model.linear._forward_hooks


def test_cuda_budget_is_an_eighth_of_the_free_memory_within_bounds(monkeypatch):
    cuda = torch.device("cuda")
    for free, expected in ((80 * 2**30, 2 * 2**30), (4 * 2**30, 2**29), (2**20, 64 * 2**20)):
        monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device, free=free: (free, free))
        assert memory_budget(cuda) == expected
    assert memory_budget(CPU) == 64 * 2**20


def test_evaluation_numbers_do_not_depend_on_the_batch_size():
    torch.manual_seed(0)
    model = _student_cnn()
    x = torch.randint(0, 256, (70, 3, 64, 64), dtype=torch.uint8)
    y = torch.randint(0, 5, (70,))
    with torch.no_grad():  # reference: the whole split at once, in float64
        reference = model.double().eval()(x.double() / 255)
        ref_loss = float(nn.functional.cross_entropy(reference, y))
        ref_acc = float((reference.argmax(1) == y).double().mean())
    model = model.float()
    for size in (1, 7, 32, 1024):
        loss, acc = evaluate(model, x, y, _to_float, size)
        assert abs(loss - ref_loss) < 1e-5
        assert acc == ref_acc
