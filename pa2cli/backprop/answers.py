"""What a typed backprop answer may name, how an unknown name is explained, and the example shown.

- `AnswerNames(solution, position)` (`names_at`): the values an answer to question `position` (0-based, in
  teaching order) may use by name: every given value of the network, as the engine's formulas
  name it (inputs by their node name, targets `t_<o>`, each edge and bias by its own name, the
  learning rate `η`, also typed `eta` or `lr` where the network has no such name), and every
  quantity asked before, at its exact value (the quiz says so: "used from here on"), a computed
  node's own name standing for its output (`h1` for `a_h1`, as a figure labels it). Never the
  quantity asked nor a later one, whose value would be the answer.
- `given_names(solution)`: the given values alone, for an answer sheet (`--check`), where every
  quantity is an answer.
- `read(text, names)`: a typed answer as a float (grading.read_answer); an unknown
  name is explained in one line: the first unknown name as the text reads, whether it is a
  quantity not yet answered, and the closest name that exists.
- `example_answer(solution, tolerance)`: the expression on the quiz's keys line. It is built
  from fixed numbers and kept only if neither a number in it nor its value is within display
  precision (0.005) or the quiz's tolerance of any answer of the quiz, so it never gives an
  answer away; if every candidate would, it is written with a name instead of a number.

Names are read from the Solution, never assumed: this works for any network file.
Nothing here prints or computes a quantity (engine.py does).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from pa2cli.backprop.engine import LEARNING_RATE, Solution
from pa2cli.backprop.grading import Tolerance, gives_away, read_answer
from pa2cli.backprop.registry import ACTIVATIONS
from pa2cli.errors import excerpt
from pa2cli.expr import ExprError, UnknownName, evaluate_number

RATE_ALIASES = ("eta", "lr")  # how the learning rate η is typed on a plain keyboard
# Numbers for the example, with two decimals as a student's own working has them; the first
# that gives no answer away is used.
EXAMPLE_NUMBERS = (0.83, 1.27, 0.46, 2.14, 0.71, 1.58, 0.37, 2.62, 0.94, 1.19, 0.58, 1.86,
                   0.29, 2.33, 0.67, 1.42, 3.05, 0.52, 1.73, 2.91)
SHOWN_NAMES = 4  # network names listed on the keys line


def given_names(solution: Solution) -> dict[str, float]:
    """Every given value of the network by the name the formulas use, plus the rate's aliases."""
    given = {name: value for name, value in solution.variables.items()
             if name not in solution.steps}
    for alias in RATE_ALIASES:
        if alias not in solution.variables and LEARNING_RATE in given:
            given[alias] = given[LEARNING_RATE]
    return given


class AnswerNames(Mapping):
    """The names an answer to question `position` may use: the given values, then the
    quantities asked before it. Built once per quiz (linear in its size); moving `position`
    and looking a name up cost O(1), so a quiz of 60,000 quantities stays linear."""

    def __init__(self, solution: Solution, position: int = 0):
        self.solution = solution
        self.given = given_names(solution)
        self.index = {name: i for i, name in enumerate(solution.steps)}
        # a computed node's own name is its output, as a figure labels it: h1 for a_h1
        self.outputs = {node: f"a_{node}" for node in solution.network.nodes
                        if node not in self.given and node not in self.index}
        self.position = position
        folded: dict[str, list[str]] = {}
        for name in (*self.given, *self.index):
            folded.setdefault(name.lower(), []).append(name)
        self.folded = folded  # lower case -> the names, for "did you mean"

    def __getitem__(self, name: str) -> float:
        if name in self.given:
            return self.given[name]
        quantity = self.outputs.get(name, name)
        if self.index.get(quantity, self.position) < self.position:
            return self.solution.variables[quantity]
        raise KeyError(name)

    def __contains__(self, name) -> bool:
        return name in self.given or \
            self.index.get(self.outputs.get(name, name), self.position) < self.position

    def __iter__(self):
        yield from self.given
        asked = list(self.index)[:self.position]
        yield from asked
        done = set(asked)
        yield from (node for node, output in self.outputs.items() if output in done)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def names_at(solution: Solution, position: int) -> AnswerNames:
    """The given values and the quantities asked before question `position`."""
    return AnswerNames(solution, position)


def read(text: str, names: AnswerNames) -> float:
    """A typed answer as a number, with `names` standing for their values; ExprError if not."""
    try:
        return read_answer(text, names)
    except UnknownName as exc:
        raise ExprError(unknown_name_message(exc.name, names)) from None


def unknown_name_message(name: str, names: AnswerNames) -> str:
    """`unknown name 'b1' (did you mean B1_1?)`, or why a quantity's name cannot be used yet."""
    shown = excerpt(name)
    quantity = names.outputs.get(name, name)
    if quantity in names.index:
        when = "this question's" if names.index[quantity] == names.position else \
            "a later question's"
        if quantity != name:
            shown += f" (the output {quantity})"
        return (f"{shown} is {when} quantity, so it cannot be used here; write it with the "
                "network's names and the quantities answered before")
    close = _closest(name, names)
    hint = f" (did you mean {close}?)" if close else ""
    return (f"unknown name {shown}{hint}; use the network's names ({names_line(names.solution)})"
            " or a quantity answered before")


MAX_CLOSE_SEARCH = 500  # names searched for a near miss (a big network: its first ones)


def _closest(name: str, names: AnswerNames) -> str | None:
    """A usable name equal but for case (b1_1 for B1_1), else a given name the text begins
    (b1 for B1_1), else a close spelling of a given one."""
    if len(name) > 64:
        return None  # longer than any name: no search (difflib's cost grows with length)
    folded = [known for known in names.folded.get(name.lower(), []) if known in names]
    if folded:
        return folded[0]
    searched = list(names.given)[:MAX_CLOSE_SEARCH]
    started = [known for known in searched if known.lower().startswith(name.lower())]
    if started:
        return started[0]  # b1 for B1_1: the first, in the file's order, that it begins
    lower = {known.lower(): known for known in searched}
    close = difflib.get_close_matches(name.lower(), list(lower), n=1, cutoff=0.6)
    return lower[close[0]] if close else None


def names_line(solution: Solution) -> str:
    """`inp1, W11_1, B1_1, t_out, eta, …`: a few of the names an answer may use."""
    net = solution.network
    picks = [*list(net.inputs)[:1], *list(net.edges)[:1], *list(net.biases)[:1],
             *(f"t_{o}" for o in list(net.targets)[:1])]
    rate = next((alias for alias in RATE_ALIASES if alias not in solution.variables), LEARNING_RATE)
    return ", ".join([*picks[:SHOWN_NAMES], rate, "…"])


def _form(solution: Solution) -> str:
    """The first computed node's activation with `{z}` open, as a student types it (no spaces);
    an activation that changes nothing worth showing (linear, relu) gives sigmoid's."""
    net = solution.network
    first = net.activations[net.nodes[0]] if net.nodes else "sigmoid"
    if first not in ("sigmoid", "tanh"):
        first = "sigmoid"
    return ACTIVATIONS[first].formula.replace(" ", "")


def example_answer(solution: Solution, tolerance: Tolerance) -> str:
    """An expression to show how answers are typed, which equals no answer of this quiz."""
    answers = [step.value for step in solution.steps.values()]
    form = _form(solution)
    for number in EXAMPLE_NUMBERS:
        text = form.format(z=f"{number:g}")
        value = evaluate_number(text)
        if not any(gives_away(x, answers, tolerance) for x in (number, -number, value, -value)):
            return text
    first = solution.network.nodes[0] if solution.network.nodes else "h1"
    return form.format(z=f"z_{first}")  # no number at all: usable once z_<first> is answered
