"""Threads: the wait policy is set before torch loads, --threads reaches torch, defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pa2cli.sweep.threads import default_threads, threads_per_job, use_passive_wait_policy

ROOT = Path(__file__).resolve().parents[2]


def test_passive_wait_policy_is_set_unless_the_user_chose_one():
    env: dict = {}
    assert use_passive_wait_policy(env) == "PASSIVE" and env == {"OMP_WAIT_POLICY": "PASSIVE"}
    env = {"OMP_WAIT_POLICY": "ACTIVE"}
    assert use_passive_wait_policy(env) == "ACTIVE" and env["OMP_WAIT_POLICY"] == "ACTIVE"


def test_default_threads_follow_omp_num_threads_else_one():
    assert default_threads({"OMP_NUM_THREADS": "3"}, cores=8) == 3
    assert default_threads({}, cores=8) == 1
    assert default_threads({}, cores=1) == 1
    assert default_threads({"OMP_NUM_THREADS": "junk"}, cores=4) == 1


def test_jobs_share_the_threads():
    assert threads_per_job(2, 2) == 1 and threads_per_job(1, 4) == 1 and threads_per_job(8, 2) == 4


def test_sweep_sets_the_policy_before_torch_loads_and_uses_the_given_threads(tmp_path):
    """A real `pa2 sweep` process: the wait policy torch's OpenMP saw, and its thread count."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import sys, runpy\n"
        "import pa2cli.sweep.session as session\n"
        "original = session.start_sweep\n"
        "def spy(*args, **kwargs):\n"
        "    import os, torch\n"
        "    code = original(*args, **kwargs)\n"
        "    print('POLICY', os.environ.get('OMP_WAIT_POLICY'), 'THREADS',"
        " torch.get_num_threads())\n"
        "    return code\n"
        "session.start_sweep = spy\n"
        "assert 'torch' not in sys.modules\n"
        "sys.argv = ['pa2', 'sweep', '--wd', '1e-3', '--no-baseline', '--seeds', '1',"
        " '--epochs', '1', '--no-plot', '--threads', '3', '--out', sys.argv[1]]\n"
        "runpy.run_module('pa2cli', run_name='__main__')\n")
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "OMP_NUM_THREADS")}
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run([sys.executable, str(probe), str(tmp_path / "s")], env=env,
                         capture_output=True, text=True, timeout=300)
    assert "POLICY PASSIVE THREADS 3" in out.stdout, out.stdout + out.stderr
