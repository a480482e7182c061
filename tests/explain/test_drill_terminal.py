"""The drill in a real pseudo-terminal (pexpect): right, wrong, vector answers, ?, a kink, q,
Ctrl-C; and shell completion of topic names."""

import os
import signal
import subprocess
import sys

import pexpect
import pytest

from pa2cli.explain import drill, topics

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals need POSIX")
TOPICS = {t.id: t for t in topics.all_topics()}


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # as a shell gives it (see the backprop tests)


def spawn(*args: str) -> pexpect.spawn:
    env = dict(os.environ, TERM="dumb", COLUMNS="100")
    return pexpect.spawn(sys.executable, ["-m", "pa2cli", "explain", *args], env=env,
                         encoding="utf-8", timeout=20, dimensions=(40, 100),
                         preexec_fn=_default_sigint)


def typed(question) -> str:
    value = question.expected
    return f"{float(value):.9g}" if not value.shape else \
        "[" + ", ".join(f"{v:.9g}" for v in value) + "]"


def test_terminal_drill_right_wrong_hint_and_kink_on_relu():
    asked = drill.questions(TOPICS["relu"], 2)
    child = spawn("relu", "--quiz", "--seed", "2")
    child.expect_exact("Drill: ReLU")
    for number, question in enumerate(asked, start=1):
        child.expect_exact(f"[{number}/{len(asked)}] d relu/dz at {question.shown_point()}")
        child.expect_exact("d relu/dz = ")
        if question.kink is not None:
            child.sendline("2")  # neither PyTorch's value nor a subgradient (those are in [0, 1])
            child.expect_exact("This point is a kink")
            child.expect_exact("d relu/dz = ")
            child.sendline("?")
            child.expect_exact(f"hint 1/{len(question.hints)}: {question.hints[0].text}")
            child.expect_exact("d relu/dz = ")
        child.sendline(typed(question))
        child.expect_exact("✓ correct")
        if question.kink is not None:
            child.expect(r"autograd returns 0\s+here")
    child.expect_exact(f"Done: {len(asked) - 1} of {len(asked)} right at the first try, "
                       "1 after a retry or hint")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_terminal_drill_vector_answer_and_quit_on_cross_entropy():
    first = drill.questions(TOPICS["cross-entropy"], 1)[0]
    child = spawn("cross-entropy", "--quiz", "--seed", "1")
    child.expect_exact(f"{first.label} at {first.shown_point()}")
    child.expect_exact("3 numbers as […, …, …]")
    child.sendline("[0.1, 0.2]")
    child.expect_exact("expected 3 numbers as [a, b, …], got 2")
    child.sendline(typed(first))
    child.expect_exact("✓ correct")
    child.sendline("q")
    child.expect_exact("Stopped after 1 of")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_ctrl_c_stops_the_drill_with_status_130():
    child = spawn("sigmoid", "--quiz", "--seed", "0")
    child.expect_exact("dσ/dz = ")
    child.sendintr()
    child.expect_exact("Stopped after 0 of 5")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130


@pytest.mark.parametrize("shell, typed_so_far, expected", [
    ("bash", "hu", "plain,huber"), ("zsh", "cro", "cross-entropy"), ("fish", "smooth", "smooth-l1"),
])
def test_shell_completion_completes_topic_names(shell, typed_so_far, expected):
    env = dict(os.environ, _PA2_COMPLETE=f"{shell}_complete",
               COMP_WORDS=f"pa2 explain {typed_so_far}",
               COMP_CWORD=typed_so_far if shell == "fish" else "2")  # what each script sends
    run = subprocess.run([sys.executable, "-m", "pa2cli"], env=env, capture_output=True,
                         text=True)
    assert run.returncode == 0 and expected in run.stdout


def test_completion_scripts_exist_for_bash_zsh_and_fish():
    for shell in ("bash", "zsh", "fish"):
        env = dict(os.environ, _PA2_COMPLETE=f"{shell}_source")
        run = subprocess.run([sys.executable, "-m", "pa2cli"], env=env, capture_output=True,
                             text=True)
        assert run.returncode == 0 and "_PA2_COMPLETE" in run.stdout
