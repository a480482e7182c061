"""The built-in example is the classic published 2-2-2 network; its published numbers must hold.

Published values (Matt Mazur, "A Step by Step Backpropagation Example", 2015), 9 significant
figures as printed there. They are an independent witness: typed in from the publication, not
from pa2's output. The second test checks the whole example against torch autograd to 1e-12.
"""

import json
import math

import pytest

from pa2cli.backprop.engine import solve
from pa2cli.backprop.spec import read_network
from pa2cli.paths import content_dir

PUBLISHED = {
    "z_h1": 0.3775, "a_h1": 0.593269992, "a_h2": 0.596884378,
    "z_o1": 1.105905967, "a_o1": 0.75136507, "a_o2": 0.772928465,
    "loss_o1": 0.274811083, "loss_o2": 0.023560026, "loss": 0.298371109,
    "dE_da_o1": 0.74136507, "delta_o1": 0.138498562,
    "grad_w5": 0.082167041,
    "new_w5": 0.35891648, "new_w6": 0.408666186, "new_w7": 0.511301270, "new_w8": 0.561370121,
    "dE_da_h1": 0.036350306,
    "grad_w1": 0.000438568,
    "new_w1": 0.149780716, "new_w2": 0.19956143, "new_w3": 0.24975114, "new_w4": 0.29950229,
}


@pytest.fixture(scope="module")
def example():
    return solve(read_network(content_dir() / "networks" / "mazur.json"))


@pytest.mark.parametrize("name", PUBLISHED)
def test_built_in_example_reproduces_the_published_value(example, name):
    ours = example.values()[name]
    assert math.isclose(ours, PUBLISHED[name], rel_tol=2e-8, abs_tol=1e-9), (name, ours)


def test_built_in_example_matches_torch_autograd_everywhere(example, oracle):
    data = json.loads((content_dir() / "networks" / "mazur.json").read_text())
    theirs = oracle(data)
    assert set(theirs) == set(example.values())
    for name, value in theirs.items():
        assert math.isclose(example.values()[name], value, rel_tol=1e-12, abs_tol=1e-12), name


def test_example_mazur_on_the_command_line_reproduces_the_published_loss():
    from click.testing import CliRunner

    from pa2cli.cli import cli

    result = CliRunner().invoke(cli, ["backprop", "--example", "mazur", "--json"])
    assert result.exit_code == 0, result.output
    values = json.loads(result.stdout)
    for name, published in PUBLISHED.items():
        assert math.isclose(values[name], published, rel_tol=2e-8, abs_tol=1e-9), name
    solved = CliRunner().invoke(cli, ["backprop", "--example", "mazur", "--solve"]).output
    assert "= 0.2983711088" in solved  # E, to the 10 figures pa2 prints (published 0.298371109)
