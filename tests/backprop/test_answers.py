"""Answers as students type them: the network's own names and earlier answers stand for their
values (checked against torch autograd), unknown names are explained (the first one as the text
reads), and the example on the keys line never equals an answer of the quiz.

Every network here is read from a file or drawn by `--random`: no test names a particular
network's nodes or parameters."""

import json
import math
import re

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from pa2cli.backprop import practice
from pa2cli.backprop.answers import AnswerNames, example_answer, names_at, read
from pa2cli.backprop.engine import solve
from pa2cli.backprop.grading import DISPLAY_PRECISION, Tolerance
from pa2cli.backprop.spec import validate
from pa2cli.cli import cli
from pa2cli.expr import ExprError, evaluate_number
from pa2cli.paths import content_dir

EXAMPLE = content_dir() / "networks" / "example.json"


def networks() -> list[dict]:
    """The built-in network and practice networks of several shapes, as raw dicts."""
    raw = [json.loads(EXAMPLE.read_text())]
    raw += [practice.random_network_data(seed, shape)
            for seed, shape in ((3, (2, 2, 2)), (7, (3, 2, 1)), (11, (2, 3, 2, 1)))]
    return raw


def net_input_written_out(data: dict, node: str) -> str:
    """z of `node` as a student writes it from the file: Σ weight*source + biases."""
    terms = [f"{name}*{edge['from']}" for name, edge in data["edges"].items() if edge["to"] == node]
    terms += [name for name, bias in data.get("biases", {}).items()
              if node in ([bias["to"]] if isinstance(bias["to"], str) else bias["to"])]
    return " + ".join(terms)


def position(solution, name: str) -> int:
    return list(solution.steps).index(name)


@pytest.mark.parametrize("data", networks(), ids=lambda d: "-".join(sorted(d["inputs"])))
def test_every_net_input_written_with_the_networks_names_equals_torch(data, oracle):
    solution = solve(validate(data))
    truth = oracle(data)
    for node in solution.network.nodes:
        text = net_input_written_out(data, node)
        value = read(text, names_at(solution, position(solution, f"z_{node}")))
        assert value == pytest.approx(truth[f"z_{node}"], rel=1e-12, abs=1e-15), text


@pytest.mark.parametrize("data", networks()[:2], ids=["builtin", "practice"])
def test_quantities_answered_before_stand_for_their_exact_values(data, oracle):
    solution = solve(validate(data))
    truth = oracle(data)
    first = solution.network.nodes[0]
    at = position(solution, f"a_{first}")
    value = read(f"1/(1 + exp(-z_{first}))", names_at(solution, at))  # z answered just before
    assert value == pytest.approx(truth[f"a_{first}"], rel=1e-12)
    name = next(iter(solution.network.parameters()))
    new = read(f"{name} - eta*grad_{name}", names_at(solution, position(solution, f"new_{name}")))
    assert new == pytest.approx(truth[f"new_{name}"], rel=1e-12)
    assert read("lr", names_at(solution, 0)) == solution.network.learning_rate


def test_the_quantity_asked_and_later_ones_cannot_be_named():
    solution = solve(validate(networks()[0]))
    first = solution.network.nodes[0]
    names = names_at(solution, position(solution, f"z_{first}"))
    with pytest.raises(ExprError, match=f"'z_{first}' is this question's quantity"):
        read(f"z_{first}", names)
    with pytest.raises(ExprError, match=f"'a_{first}' is a later question's quantity"):
        read(f"a_{first} + 1", names)
    assert f"z_{first}" not in names and len(names) == len(list(names))


def test_an_unknown_name_message_names_the_first_unknown_name_as_the_text_reads():
    solution = solve(validate(networks()[0]))
    known = next(iter(solution.network.inputs))
    with pytest.raises(ExprError, match=r"unknown name 'zz9'") as caught:
        read(f"zz9*{known} + aa9", names_at(solution, 0))  # 'aa9' is first in the alphabet
    assert "aa9" not in str(caught.value)
    with pytest.raises(ExprError, match=r"unknown name 'zz9'"):
        evaluate_number("zz9 + aa9")


def test_a_name_typed_in_the_wrong_case_is_answered_with_the_networks_spelling():
    solution = solve(validate(networks()[0]))
    name = next(iter(solution.network.parameters()))
    slip = name.swapcase()
    with pytest.raises(ExprError, match=re.escape(f"unknown name '{slip}' (did you mean {name}?)")):
        read(f"2*{slip}", names_at(solution, 0))


def test_the_names_follow_the_question_asked_on_a_big_network():
    solution = solve(validate(practice.random_network_data(5, (4, 4, 4, 4))))
    names = AnswerNames(solution)  # built once per quiz; the quiz moves its position
    names.position = len(solution.steps) - 1
    before_last = list(solution.steps)[-2]
    assert read(before_last, names) == solution.steps[before_last].value
    nodes = solution.network.nodes
    assert len(names) == len(names.given) + len(solution.steps) - 1 + len(nodes)
    names.position = 0
    assert all(node not in names for node in nodes) and len(names) == len(names.given)


def hint_numbers(example: str) -> list[float]:
    """Every number written in the example (not the structural 1s) and its value."""
    written = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", example) if float(x) != 1.0]
    return [*written, *(-x for x in written), evaluate_number(example)]


def assert_gives_nothing_away(solution, tolerance: Tolerance) -> None:
    example = example_answer(solution, tolerance)
    for number in hint_numbers(example):
        for name, step in solution.steps.items():
            assert abs(number - step.value) > DISPLAY_PRECISION, (example, name, step.value)
            assert not tolerance.accepts(number, step.value), (example, name)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6),
       shape=st.lists(st.integers(1, 3), min_size=2, max_size=4).map(tuple),
       tolerance=st.sampled_from([Tolerance(), Tolerance(sigfig=2), Tolerance(rtol=0.02)]))
def test_the_example_never_equals_an_answer_of_a_random_network(seed, shape, tolerance):
    assert_gives_nothing_away(solve(validate(practice.random_network_data(seed, shape))),
                              tolerance)


def test_the_example_of_the_builtin_network_gives_no_answer_away():
    solution = solve(validate(networks()[0]))
    assert_gives_nothing_away(solution, Tolerance())
    example = example_answer(solution, Tolerance())
    assert "exp(" in example
    for step in solution.steps.values():  # not even as text, at any shown precision
        for digits in (3, 4, 5):
            assert f"{abs(step.value):.{digits}f}" not in example


def test_when_every_number_would_be_accepted_the_example_uses_a_name():
    solution = solve(validate(networks()[0]))
    example = example_answer(solution, Tolerance(rtol=100))
    first = solution.network.nodes[0]
    assert f"z_{first}" in example and not re.search(r"\d\.\d", example)
    at = position(solution, f"a_{first}")
    assert read(example, names_at(solution, at)) == solution.steps[f"a_{first}"].value


def test_check_sheet_values_may_use_the_networks_names(tmp_path, oracle):
    data = networks()[0]
    weights = tmp_path / "net.json"
    weights.write_text(json.dumps(data))
    values = json.loads(CliRunner().invoke(cli, ["backprop", "--weights", str(weights),
                                                 "--json"]).stdout)
    sheet = {name: round(value, 9) for name, value in values.items()}
    node = validate(data).nodes[0]
    sheet[f"z_{node}"] = net_input_written_out(data, node)
    path = tmp_path / "sheet.json"
    path.write_text(json.dumps(sheet))
    result = CliRunner().invoke(cli, ["backprop", "--weights", str(weights), "--check", str(path)])
    assert result.exit_code == 0, result.output
    assert math.isclose(values[f"z_{node}"], oracle(data)[f"z_{node}"], rel_tol=1e-12)
    sheet[f"z_{node}"] = f"z_{node}"  # a quantity of the sheet itself is not a given value
    path.write_text(json.dumps(sheet))
    result = CliRunner().invoke(cli, ["backprop", "--weights", str(weights), "--check", str(path)])
    assert result.exit_code == 2 and f"unknown name 'z_{node}'" in result.output


def test_the_start_of_a_name_suggests_the_first_name_it_begins():
    solution = solve(validate(networks()[0]))
    name = next(n for n in solution.network.parameters() if len(n) > 1)
    start = name[:-1].lower() if len(name) > 2 else name[0].lower()
    first = next(n for n in names_at(solution, 0) if n.lower().startswith(start))
    if first == start:
        pytest.skip("the start is itself a name here")
    with pytest.raises(ExprError, match=re.escape(f"(did you mean {first}?)")):
        read(start, names_at(solution, 0))
