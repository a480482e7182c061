"""The typed events: one wire format (they pickle as they are, for --jobs and Ray), one
throttle for batch events, and a Recorder that refuses what it does not know."""

from __future__ import annotations

import pickle

import pytest

from pa2cli.sweep.events import (Batch, CheckpointReady, Ended, EpochDone, Recorder, Started,
                                 Throttle)
from pa2cli.sweep.store import EpochRow, SweepFolder, SweepResults

ROW = EpochRow.from_dict({"epoch": 1, "train_loss": 0.5, "train_acc": 0.8, "test_loss": 0.6,
                          "test_acc": 0.75, "weight_norm": 3.0, "seconds": 0.1})


def test_every_event_crosses_a_process_boundary_unchanged():
    import torch

    key = (1e-3, 2)
    for event in (Started(key, (ROW,)), Batch(key, 1, 3, 5, 1.25), EpochDone(key, ROW),
                  Ended(key, "diverged", "why"), CheckpointReady(key, b"\x00\x01")):
        assert pickle.loads(pickle.dumps(event)) == event
    sent = Batch(key, 1, 3, 5, torch.tensor(2.5)).detached()
    assert sent.loss_sum == 2.5 and type(sent.loss_sum) is float


def test_the_throttle_passes_an_epochs_last_batch_and_every_other_event(monkeypatch):
    import pa2cli.sweep.events as events

    now = [100.0]
    monkeypatch.setattr(events.time, "monotonic", lambda: now[0])
    throttle = Throttle(seconds=1.0)
    a, b = (0.0, 0), (1e-3, 0)
    assert throttle(Batch(a, 1, 1, 4, 0.0))  # the first
    assert not throttle(Batch(a, 1, 2, 4, 0.0))  # too soon
    assert throttle(Batch(b, 1, 1, 4, 0.0))  # another run has its own clock
    assert throttle(Batch(a, 1, 4, 4, 0.0))  # the epoch's last, however soon
    now[0] += 1.5
    assert throttle(Batch(a, 2, 1, 4, 0.0))
    assert throttle(EpochDone(a, ROW)) and throttle(Ended(a, "done"))


def test_the_recorder_writes_the_runs_and_refuses_an_unknown_event(tmp_path):
    class Quiet:
        def batch(self, *args):
            pass

        epoch_done = point_done = batch

    results = SweepResults.new({}, [0.0], [0])
    recorder = Recorder(results, SweepFolder(tmp_path), Quiet(), epochs=1)
    recorder(Started((0.0, 0)))
    recorder(EpochDone((0.0, 0), ROW))
    recorder(Ended((0.0, 0), "done"))
    saved = SweepFolder(tmp_path).load()
    assert saved.run(0.0, 0).status == "done" and saved.run(0.0, 0).epochs == [ROW]
    with pytest.raises(TypeError, match="not an event"):
        recorder(CheckpointReady((0.0, 0), b""))
