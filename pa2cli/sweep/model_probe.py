"""Build a student's model once in a child process first, where pa2 can see how it ends.

A model file may end the process itself (`os._exit(0)` at import or in forward: pa2 ended with
exit 0, no output, nothing written) or start a non-daemon thread (the sweep never exited, and
Ctrl-C then printed "Exception ignored in threading"). `probe(spec, ...)` runs this module as a
child: it imports the file, calls the class or factory, runs one forward pass on zeros, and
notes each stage in a marker file; the parent reads the last stage and turns an ending it did
not reach into one UserError. A failure the child raises is left to the in-process build
(pa2cli.sweep.models), which words it. The probe runs once per model and process tree
(PA2_MODEL_PROBED). The child loads the file as the sweep does (pa2cli.sweep.modelfile:
definitions and imports only). It imports torch only in the child.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from pa2cli.errors import UserError

PROBE_TIMEOUT_S = 300  # importing torch and building a large model on a busy machine
_PROBED_ENV = "PA2_MODEL_PROBED"
_WHEN = {"import": "while it was imported", "call": "when {name} was called",
         "forward": "in its forward pass"}


def probe(spec: str, num_classes: int, input_shape: tuple[int, ...],
          model_args: str | None = None) -> None:
    """One UserError when building `spec` and one forward pass end the process, hang, or
    leave a non-daemon thread running; nothing otherwise."""
    identity = json.dumps([spec, model_args])
    if os.environ.get(_PROBED_ENV) == identity:
        return
    name = spec.rpartition(":")[2]
    where = f"--model {spec}"
    with tempfile.TemporaryDirectory(prefix="pa2-probe-") as folder:
        marker = Path(folder) / "stages"
        try:
            done = subprocess.run([sys.executable, "-m", "pa2cli.sweep.model_probe", spec,
                                   str(marker), str(num_classes), json.dumps(input_shape),
                                   json.dumps(model_args)],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, timeout=PROBE_TIMEOUT_S,
                                  env={**os.environ, "PYTHONPATH": _pythonpath()})
        except subprocess.TimeoutExpired:
            raise UserError(f"building the model and one forward pass did not finish within "
                            f"{PROBE_TIMEOUT_S} s", where=where,
                            fix="Check the file for a loop or a wait at import or in "
                                "__init__/forward.") from None
        stages = marker.read_text().split("\n") if marker.exists() else []
    last = stages[-2] if len(stages) >= 2 else ""
    if last.startswith("done "):
        threads = json.loads(last[5:])
        if threads:
            raise UserError(f"the model file starts a thread that keeps running "
                            f"({', '.join(threads[:3])}), so the sweep could never end",
                            where=where, fix="Start it with daemon=True, or do not start "
                                             "threads in a model file.")
    elif last != "raised":
        when = _WHEN.get(last, "before it was imported").format(name=name)
        raise UserError(f"the model file ended the process {when} (exit status "
                        f"{done.returncode}, as os._exit does)", where=where,
                        fix="Remove that exit: pa2 must see the model return to train it.")
    os.environ[_PROBED_ENV] = identity  # workers inherit it: probed once per sweep


def _pythonpath() -> str:
    """pa2's own folder first, so the child runs this very pa2."""
    root = str(Path(__file__).resolve().parents[2])
    rest = os.environ.get("PYTHONPATH")
    return root + (os.pathsep + rest if rest else "")


def _child(spec: str, marker: str, num_classes: int, input_shape: list[int],
           model_args: str | None) -> None:
    import threading

    def stage(text: str) -> None:
        with open(marker, "a", encoding="utf-8") as handle:
            handle.write(text + "\n")

    try:
        import torch

        from pa2cli.sweep import modelfile

        path, name = modelfile.split_spec(spec)
        stage("import")
        factory = modelfile.find(modelfile.load_file(path), name, spec)
        stage("call")
        model = factory(**modelfile.constructor_kwargs(
            factory, modelfile.data_values(num_classes, tuple(input_shape)),
            modelfile.parse_model_args(model_args), spec))
        stage("forward")
        model.eval()
        with torch.no_grad():
            model(torch.zeros(2, *input_shape))
    except BaseException:  # noqa: BLE001 - the in-process build words every failure
        stage("raised")
        os._exit(0)
    left = [t.name for t in threading.enumerate()
            if t is not threading.main_thread() and not t.daemon and t.is_alive()]
    stage("done " + json.dumps(left))
    os._exit(0)  # never wait for the model's threads


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4]),
           json.loads(sys.argv[5]))
