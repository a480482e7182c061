"""The home screen, `pa2 progress` and `pa2 reset`: a prepared PA2_HOME and runs/ folder, read
in a real 80-column pseudo-terminal and through CliRunner, including a corrupt progress file."""

import json
import os
import re
import sys

import pexpect
import pytest
from click.testing import CliRunner

from pa2cli import progress
from pa2cli.backprop.engine import solve
from pa2cli.backprop.examples import builtin_network
from pa2cli.cli import cli

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def sweep(folder, statuses, epochs=3, done=3, seed=0):
    folder.mkdir(parents=True)
    runs = [{"weight_decay": wd, "status": status, "epochs": [{"epoch": k + 1} for k in range(n)]}
            for wd, status, n in zip((0.0, 1e-4, 1e-3), statuses, done)]
    folder.joinpath("results.json").write_text(json.dumps(
        {"config": {"epochs": epochs, "seed": seed, "weight_decays": [1e-4, 1e-3]},
         "runs": runs}))


@pytest.fixture
def prepared(tmp_path, pa2_home):
    """Two topics studied, one quiz stopped, one finished; a finished and an interrupted sweep."""
    progress.record_stepped("sigmoid")
    progress.record_drill("relu", 3, 5)
    progress.record_backprop("builtin-example", label="the built-in example",
                             command="pa2 backprop --resume", answered=12, first_try=9,
                             total=39, position=12, finished=False)
    progress.record_backprop("practice-seed-4", label="practice network (seed 4, shape 2-2-2)",
                             command="pa2 backprop --random --seed 4", answered=39,
                             first_try=35, total=39, position=39, finished=True)
    sweep(tmp_path / "runs" / "a-finished", ["done", "done", "diverged"], done=(3, 3, 1))
    sweep(tmp_path / "runs" / "b-stopped", ["done", "partial", "partial"], done=(3, 1, 0),
          seed=7)
    return tmp_path


def home_in_a_terminal(cwd, *args) -> tuple[str, int]:
    env = dict(os.environ, TERM="xterm", COLUMNS="80", LINES="40")
    child = pexpect.spawn(sys.executable, ["-m", "pa2cli", *args], env=env, cwd=str(cwd),
                          encoding="utf-8", dimensions=(40, 80), timeout=20)
    child.expect(pexpect.EOF)
    child.close()
    return ANSI.sub("", child.before).replace("\r", ""), child.exitstatus


def test_home_screen_in_80_columns_shows_where_the_student_is(prepared):
    screen, status = home_in_a_terminal(prepared)
    assert status == 0
    assert all(len(line) <= 80 for line in screen.splitlines())
    assert "2 of 9 studied" in screen
    assert re.search(r"sigmoid ✓", screen) and "relu 3/5" in screen
    assert "12/39 answered · 9 right first try · stopped at question 13" in screen
    assert "continue: pa2 backprop --resume" in screen
    assert "39/39 answered · 35 right first try · finished" in screen
    assert "runs/a-finished: wd 0, 1e-4, 1e-3 · seed 0 · 7/9 epochs · finished" in screen
    assert "runs/b-stopped: wd 0, 1e-4, 1e-3 · seed 7 · 4/9 epochs · interrupted" in screen
    assert "resume: pa2 sweep --out runs/b-stopped --resume" in screen
    # finishing what was started comes first: the stopped quiz
    assert "Next: pa2 backprop --resume   (finish your backprop quiz)" in screen


def test_corrupt_progress_file_is_one_line_and_the_screen_still_shows(tmp_path, pa2_home):
    pa2_home.mkdir()
    (pa2_home / "progress.json").write_text('{"version": 1, "explain": [')
    screen, status = home_in_a_terminal(tmp_path)
    assert status == 0
    warnings = [line for line in screen.splitlines() if line.startswith("Warning:")]
    assert len(warnings) == 1 and "progress.json cannot be read" in warnings[0]
    assert "0 of 9 studied" in screen and "Next: pa2 explain sigmoid" in screen


def test_corrupt_progress_file_never_blocks_a_quiz_and_is_kept_aside(pa2_home):
    pa2_home.mkdir()
    (pa2_home / "progress.json").write_bytes(b"\xff\xfe garbage")
    z_h1 = solve(builtin_network()).values()["z_h1"]  # the built-in Figure 1's first answer
    result = CliRunner().invoke(cli, ["backprop"], input=f"{z_h1:.7g}\nq\n")
    assert result.exit_code == 0 and "✓ correct" in result.output
    assert (pa2_home / "progress.json.corrupt").read_bytes() == b"\xff\xfe garbage"
    assert progress.load().backprop["builtin-example"]["answered"] == 1


@pytest.mark.parametrize("content", ["[]", '{"version": 99}', '{"version": 1, "backprop": []}',
                                     "[" * 100_000])
def test_any_unreadable_progress_file_is_reported_not_raised(pa2_home, content):
    pa2_home.mkdir()
    (pa2_home / "progress.json").write_text(content)
    loaded = progress.load()
    assert loaded.problem and "cannot be read" in loaded.problem and not loaded.backprop


def test_a_folder_in_place_of_the_progress_file_is_reported(pa2_home):
    (pa2_home / "progress.json").mkdir(parents=True)
    assert "not a regular file" in progress.load().problem
    assert progress.record_stepped("tanh") is True  # the folder is moved aside, not lost
    assert (pa2_home / "progress.json.corrupt").is_dir()
    assert progress.load().explain["tanh"]["stepped"]


def test_an_unwritable_home_skips_the_record_and_never_raises(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("PA2_HOME", str(blocker / "below-a-file"))
    assert progress.record_drill("tanh", 1, 2) is False


def test_progress_json_is_the_same_data(prepared, monkeypatch):
    monkeypatch.chdir(prepared)
    result = CliRunner().invoke(cli, ["progress", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["topics"]["sigmoid"]["studied"] and data["topics"]["relu"]["last"] == [3, 5]
    assert not data["topics"]["tanh"]["studied"]
    assert data["backprop"]["builtin-example"]["position"] == 12
    stopped = next(s for s in data["sweeps"] if s["folder"] == "runs/b-stopped")
    assert stopped["resume"] == "pa2 sweep --out runs/b-stopped --resume"
    assert stopped["seeds"] == [7] and stopped["weight_decays"] == [0.0, 1e-4, 1e-3]
    assert data["next"] == "pa2 backprop --resume"


def test_next_step_follows_the_assignment_once_nothing_is_left_half_done(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for topic in ("sigmoid", "tanh", "relu", "cross-entropy", "hinge", "l1", "huber", "l2",
                  "cosine"):
        progress.record_stepped(topic)
    next_step = json.loads(CliRunner().invoke(cli, ["progress", "--json"]).stdout)["next"]
    assert next_step == "pa2 backprop --weights weights.json"


def test_reset_asks_first_and_forgets_only_the_part_named(prepared, pa2_home):
    saved = pa2_home / "backprop" / "builtin-example.json"
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_text("{}")
    declined = CliRunner().invoke(cli, ["reset", "backprop"], input="n\n")
    assert "Nothing changed." in declined.output and progress.load().backprop
    result = CliRunner().invoke(cli, ["reset", "backprop"], input="y\n")
    assert result.exit_code == 0 and "Forgot backprop quiz progress" in result.output
    assert not progress.load().backprop and progress.load().explain and not saved.exists()
    assert CliRunner().invoke(cli, ["reset", "all", "--yes"]).exit_code == 0
    assert not progress.load().explain


def test_bare_pa2_through_a_pipe_keeps_the_overview_of_commands():
    result = CliRunner().invoke(cli, [])
    assert result.exit_code == 0
    assert "pa2 sweep" in result.output and "pa2 explain" in result.output


def test_h_is_help_on_the_group_and_on_every_command():
    for args in ([], ["explain"], ["backprop"], ["sweep"], ["progress"], ["reset"]):
        result = CliRunner().invoke(cli, [*args, "-h"])
        assert result.exit_code == 0 and "Usage:" in result.output, args


def test_pa2_alone_never_imports_torch_or_numpy(prepared):
    import subprocess

    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "pa2cli", "progress"],
                         capture_output=True, text=True, cwd=prepared)
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0]
                for line in run.stderr.splitlines() if "|" in line}
    assert run.returncode == 0 and "rich" in imported
    assert not {"torch", "numpy", "matplotlib", "ray"} & imported


def test_stepping_a_topic_to_its_last_line_marks_it_studied(tmp_path, pa2_home):
    env = dict(os.environ, TERM="xterm", COLUMNS="100", LINES="40")
    child = pexpect.spawn(sys.executable, ["-m", "pa2cli", "explain", "relu"], env=env,
                          encoding="utf-8", dimensions=(40, 100), timeout=20)
    child.expect_exact("step 1 of")
    child.send("q")  # quitting early records nothing
    child.expect(pexpect.EOF)
    assert "relu" not in progress.load().explain
    child = pexpect.spawn(sys.executable, ["-m", "pa2cli", "explain", "relu"], env=env,
                          encoding="utf-8", dimensions=(40, 100), timeout=20)
    child.expect(r"step 1 of (\d+)")
    steps = int(child.match.group(1))
    for _ in range(steps):
        child.send("\r")
    child.expect(pexpect.EOF)
    assert progress.load().explain["relu"]["stepped"] is True


def test_a_finished_quiz_is_recorded_as_finished_with_its_score():
    values = json.loads(CliRunner().invoke(cli, ["backprop", "--seed", "3", "--json"]).stdout)
    answers = [f"{v:.8g}" for v in values.values()]
    answers[0] = "0"  # one wrong first try, then right
    answers.insert(1, f"{list(values.values())[0]:.8g}")
    result = CliRunner().invoke(cli, ["backprop", "--seed", "3"], input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    entry = progress.load().backprop["practice-seed-3"]
    assert entry["finished"] and entry["answered"] == entry["total"] == len(values)
    assert entry["first_try"] == len(values) - 1
    assert entry["command"] == "pa2 backprop --random --seed 3"


def test_a_sweep_of_five_seeds_lists_its_seeds_not_the_count(tmp_path, monkeypatch, pa2_home):
    """config.seeds is a count (5): it was listed as a seed ("5, 0, 1, 2, 3, 4")."""
    folder = tmp_path / "runs" / "five"
    folder.mkdir(parents=True)
    runs = [{"weight_decay": wd, "seed": seed, "status": "done", "epochs": [{"epoch": 1}]}
            for seed in range(3, 8) for wd in (0.0, 1e-3)]
    folder.joinpath("results.json").write_text(json.dumps(
        {"config": {"epochs": 1, "seed": 3, "seeds": 5, "weight_decays": [1e-3]},
         "runs": runs}))
    monkeypatch.chdir(tmp_path)
    data = json.loads(CliRunner().invoke(cli, ["progress", "--json"]).stdout)
    found = next(s for s in data["sweeps"] if s["folder"] == "runs/five")
    assert found["seeds"] == [3, 4, 5, 6, 7]
    screen, status = home_in_a_terminal(tmp_path)
    assert status == 0 and "runs/five: wd 0, 1e-3 · seeds 3-7 · 10/10 epochs · finished" in screen
