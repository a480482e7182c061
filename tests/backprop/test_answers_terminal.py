"""Answers typed in a real pseudo-terminal (pexpect): the keys line's example gives no answer
away, the network's own names and earlier answers are read with their values (the values shown
checked against torch autograd), and an unknown name is named first as the text reads.

The network is the built-in one read from its file, whatever its names: nothing here is tied to
one network."""

import json
import os
import re
import shutil
import sys

import pexpect
import pytest

from pa2cli.backprop.grading import DISPLAY_PRECISION
from pa2cli.paths import content_dir
from tests.backprop.test_answers import hint_numbers, net_input_written_out

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals need POSIX")


def spawn(weights) -> pexpect.spawn:
    env = dict(os.environ, TERM="dumb", COLUMNS="200")
    return pexpect.spawn(sys.executable, ["-m", "pa2cli", "backprop", "--weights", str(weights)],
                         env=env, encoding="utf-8", timeout=20, dimensions=(60, 200))


def prompt(child: pexpect.spawn) -> str:
    """Wait for the next question's answer prompt; return the quantity's name."""
    child.expect(r"\[\d+/\d+\] (\S+) — ")
    name = child.match.group(1)
    child.expect_exact(f"\n{name} = ")
    return name


def shown_exact(child: pexpect.spawn, name: str) -> float:
    child.expect_exact("✓ correct. ")
    child.expect(rf"Exact value {re.escape(name)} = (\S+) ")
    return float(child.match.group(1))


def test_names_and_earlier_answers_are_read_with_their_values(tmp_path, oracle):
    source = content_dir() / "networks" / "example.json"
    weights = tmp_path / "network.json"
    shutil.copy(source, weights)
    data = json.loads(source.read_text())
    truth = oracle(data)
    child = spawn(weights)

    child.expect(r"an expression such as (\S+);\s+names\s+stand\s+for")
    example = child.match.group(1)
    for number in hint_numbers(example):  # not one of this quiz's answers, nor near one
        assert all(abs(number - value) > DISPLAY_PRECISION for value in truth.values()), example

    first = prompt(child)
    node = first.removeprefix("z_")
    child.sendline(net_input_written_out(data, node))
    assert shown_exact(child, first) == pytest.approx(truth[first], rel=1e-9)

    assert prompt(child) == f"a_{node}"
    child.sendline(f"1/(1+exp(-z_{node}))")  # the answer just given, by its name
    assert shown_exact(child, f"a_{node}") == pytest.approx(truth[f"a_{node}"], rel=1e-9)

    name = prompt(child)
    child.sendline("zz9 + aa9")
    child.expect_exact("Could not read 'zz9 + aa9': unknown name 'zz9'")
    child.sendline(name)
    child.expect_exact(f"'{name}' is this question's quantity")

    # reveal on to the first net input of a later layer; write it with the node names
    layer2 = [n for n in dict.fromkeys(e["to"] for e in data["edges"].values())
              if any(e["to"] == n and e["from"] not in data["inputs"] for e in data["edges"].values())]
    while name != f"z_{layer2[0]}":
        child.sendline("s")
        name = prompt(child)
    text = net_input_written_out(data, layer2[0])
    assert any(source in text for source in dict.fromkeys(e["to"] for e in data["edges"].values()))
    child.sendline(text)
    assert shown_exact(child, name) == pytest.approx(truth[name], rel=1e-9)
    child.sendline("q")
    child.expect_exact("Saved at question")
    child.expect(pexpect.EOF)
