"""The quiz through a pipe: one answer per line on stdin (Click's CliRunner, a real subprocess)."""

import json
import re
import subprocess
import sys

from click.testing import CliRunner

from pa2cli.backprop.engine import solve
from pa2cli.backprop.spec import read_network
from pa2cli.cli import cli
from pa2cli.paths import content_dir

# Most tests run the quiz on the published 2-2-2 example (`--example mazur`), whose numbers
# (z_h1 = 0.3775, a_h1 = 0.5932699921, ...) Mazur printed; the built-in Figure 1 is quizzed whole.
EXAMPLE = content_dir() / "networks" / "mazur.json"
VALUES = solve(read_network(EXAMPLE)).values()  # checked against torch in test_engine_oracles
TOTAL = len(VALUES)
MAZUR = ("--example", "mazur")
FIGURE1 = content_dir() / "networks" / "example.json"
FIGURE1_VALUES = solve(read_network(FIGURE1)).values()  # checked against torch in test_figure1


def answers(names=None, values=VALUES) -> list[str]:
    return [f"{values[n]:.7g}" for n in (names or values)]


def quiz(*lines: str, args=(), network=MAZUR):
    return CliRunner().invoke(cli, ["backprop", *network, *args],
                              input="".join(f"{x}\n" for x in lines))


def test_every_answer_right_scores_full_marks_and_clears_the_saved_state(pa2_home):
    for values, network in ((VALUES, MAZUR), (FIGURE1_VALUES, ())):
        result = quiz(*answers(values=values), network=network)
        assert result.exit_code == 0, result.output
        assert "Every quantity right at the first try." in result.output
        total = len(values)
        total_row = rf"Total\s+│\s+{total}\s+│\s+{total}\s+│\s+0\s+│\s+0\s+│"
        assert re.search(total_row, result.output)
        assert not list((pa2_home / "backprop").glob("*.json"))
    assert len(FIGURE1_VALUES) == 36 and TOTAL == 39


def test_quiz_starts_by_drawing_the_network_with_every_edge():
    out = quiz().output
    for name, value in [("w1", "0.15"), ("w5", "0.4"), ("w8", "0.55"), ("b1", "0.35")]:
        assert f"{name}={value}" in out
    assert out.index("input") < out.index("[1/")
    figure1 = json.loads(FIGURE1.read_text())
    out = quiz(network=()).output
    for name, spec in {**figure1["edges"], **figure1["biases"]}.items():
        assert f"{name}={spec['value']}" in out, name
    assert out.index("input") < out.index("[1/36]")


def test_prompt_shows_the_symbolic_formula():
    assert "  z_h1 = w1·i1 + w2·i2 + b1\nz_h1 = " in quiz().output
    assert "  z_h1 = W11_1·inp1 + W21_1·inp2 + W31_1·inp3 + B1_1\nz_h1 = " in quiz(network=()).output


def test_wrong_answer_says_how_far_off_and_offers_a_hint():
    out = quiz("0.38").output
    assert "✗ not quite: 0.38 is too high by under 1%" in out
    assert "Type ? for a hint" in out


def test_question_mark_shows_the_formula_with_numbers_substituted():
    assert "hint: z_h1 = 0.15·0.05 + 0.2·0.1 + 0.35" in quiz("?").output


def test_s_reveals_the_worked_answer_and_moves_on():
    out = quiz("s").output
    assert "revealed" in out and "= 0.3775" in out
    assert "[2/39] a_h1" in out


def test_unparsable_answer_is_asked_again_with_the_reason():
    out = quiz("1/(", "0.3775").output
    assert "Could not read '1/(': not a valid expression" in out
    assert out.count("z_h1 = ") >= 3 and "✓ correct" in out


def test_answers_may_be_expressions():
    assert "✓ correct" in quiz("0.15*0.05 + 0.2*0.1 + 0.35").output


def test_later_questions_use_the_exact_values_not_the_typed_ones():
    out = quiz("0.3776", "?").output  # accepted (within 1e-3), but a_h1's hint uses 0.3775
    assert "hint: a_h1 = 1/(1 + exp(-0.3775))" in out


def test_q_saves_the_place_and_resume_continues_there():
    first = quiz("0.3775", "q")
    assert first.exit_code == 0
    assert "Saved at question 2 of 39. Continue with: pa2 backprop --resume --example mazur" in first.output
    again = quiz(*answers(["a_h1"]), args=["--resume"])
    assert "Resuming at question 2 of 39." in again.output
    assert "[2/39] a_h1" in again.output and "[1/39]" not in again.output
    assert "[3/39] z_h2" in again.output


def test_saved_message_names_the_command_that_resumes_with_the_same_options(tmp_path):
    path = tmp_path / "w.json"
    path.write_text(EXAMPLE.read_text())
    out = quiz("q", args=["--weights", str(path), "--sigfig", "3"], network=()).output
    expected = f"Continue with: pa2 backprop --resume --weights {path} --sigfig 3"
    assert expected in " ".join(out.split())


def test_through_a_pipe_a_new_quiz_asks_nothing_and_replaces_the_saved_one():
    quiz("0.3775", "q")
    out = quiz("0.3775", "q").output  # the first line answers question 1, not a yes/no question
    assert "Continue it?" not in out and "replaced by this new one" in out
    assert "[1/39] z_h1" in out and "✓ correct" in out


def test_end_of_input_saves_the_place():
    result = quiz("0.3775", "0.59327")
    assert result.exit_code == 0
    assert "Saved at question 3 of 39" in result.output
    assert "[3/39] z_h2" in quiz(args=["--resume"]).output


def test_end_shows_score_table_and_missed_items_with_correct_values():
    lines = ["s", "0.6", "0.5932699921", *answers(list(VALUES)[2:])]
    out = quiz(*lines).output
    assert "Score" in out and "Items missed (the correct values)" in out
    missed = out[out.index("Items missed"):]
    assert "z_h1" in missed and "0.3775" in missed and "revealed" in missed
    assert "a_h1" in missed and "0.5932699921" in missed and "after a retry or hint" in missed
    assert "z_h2" not in missed


def test_sigfig_option_grades_to_significant_figures():
    assert "✓ correct" in quiz("0.38", args=["--sigfig", "2"]).output
    assert "✗ not quite" in quiz("0.38", args=["--sigfig", "3"]).output


def test_rtol_option_widens_the_tolerance():
    assert "✓ correct" in quiz("0.38", args=["--rtol", "0.01"]).output
    assert "✗ not quite" in quiz("0.38", args=["--rtol", "0.001"]).output


def test_saved_state_is_kept_per_network_file(tmp_path, pa2_home):
    data = json.loads(EXAMPLE.read_text())
    for name in ("a.json", "b.json"):
        (tmp_path / name).write_text(json.dumps(data))
        quiz("0.3775", args=["--weights", str(tmp_path / name)], network=())
    saved = sorted(p.name for p in (pa2_home / "backprop").glob("*.json"))
    assert len(saved) == 2 and saved[0].startswith("a-") and saved[1].startswith("b-")


def test_resume_refuses_a_network_file_that_changed(tmp_path):
    path = tmp_path / "w.json"
    data = json.loads(EXAMPLE.read_text())
    path.write_text(json.dumps(data))
    quiz("0.3775", args=["--weights", str(path)], network=())
    data["edges"]["w1"]["value"] = 0.9
    path.write_text(json.dumps(data))
    result = quiz(args=["--weights", str(path), "--resume"], network=())
    assert result.exit_code == 2
    assert "--resume: the network file changed since this quiz was saved" in result.output


def test_quiz_is_scriptable_through_a_real_pipe():
    run = subprocess.run([sys.executable, "-m", "pa2cli", "backprop"], capture_output=True,
                         text=True, input="\n".join(answers(values=FIGURE1_VALUES)) + "\n",
                         timeout=60)
    assert run.returncode == 0, run.stderr
    assert "Every quantity right at the first try." in run.stdout
    assert run.stdout.count("✓ correct") == len(FIGURE1_VALUES)


def test_an_unwritable_data_folder_is_one_line_before_the_first_question(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("PA2_HOME", str(blocker))
    result = quiz("0.3775")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"Error: {blocker}/backprop: cannot save the quiz's place here (Not a directory). "
        "Set PA2_HOME to a folder you can write to."]


def test_wrong_answer_after_the_hint_points_back_at_it_instead_of_offering_it_again():
    out = quiz("?", "0.38").output
    after_hint = out[out.index("hint: z_h1"):]
    assert "✗ not quite: 0.38 is too high by under 1%" in after_hint
    assert "Check the hint above, type s to reveal, or try again." in after_hint
    assert "Type ? for a hint" not in after_hint


def test_quiz_header_says_the_values_are_samples_and_how_l2_loss_is_read():
    out = " ".join(quiz("q", network=()).output.split())  # as one line: the console wraps
    header = out[:out.index("[1/36]")]
    assert "These are sample values, not anyone's allotted row" in header
    assert 'pa2 reads the course\'s "L2 loss" as E = ½(target − out)²' in header
    assert 'With "sse" (no ½) E and every gradient double' in header and '"mse"' in header
    assert "leaves its biases fixed" not in out  # the Mazur note only with Mazur
    mazur = " ".join(quiz("q").output.split())
    assert "leaves its biases fixed" in mazur[:mazur.index("[1/39]")]
    assert "sample values" not in mazur
