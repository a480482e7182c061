"""Tests for pa2cli.sweep.models: the default CNNs and the student's `--model file.py:Name`."""

from __future__ import annotations

import textwrap

import pytest
import torch
from torch import nn

from pa2cli.errors import UserError
from pa2cli.sweep.data import Dataset, Split, load_dataset
from pa2cli.sweep.models import build_model, default_model, load_user_model


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits")


def _fake_dataset(shape, num_classes=10) -> Dataset:
    x = torch.randint(0, 256, (4, *shape), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    split = Split(x, torch.arange(4) % num_classes)
    channels = shape[0]
    return Dataset(
        name="fake", train=split, test=split, val=None, num_classes=num_classes,
        classes=tuple(str(i) for i in range(num_classes)), input_shape=tuple(shape),
        pixel_max=255.0, mean=(0.5,) * channels, std=(0.25,) * channels,
    )


def _model_file(tmp_path, source: str, name="student.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


SMALL_MODELS = """
    import torch
    from torch import nn

    class Net(nn.Module):
        def __init__(self, num_classes=10):
            super().__init__()
            self.fc = nn.Linear(64, num_classes)
            self.num_classes = num_classes
        def forward(self, x):
            return self.fc(x.flatten(1))

    class NoArgs(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(64, 10)
        def forward(self, x):
            return self.fc(x.flatten(1))

    def make(num_classes):
        return nn.Sequential(nn.Flatten(), nn.Linear(64, num_classes))

    def make_plain():
        return nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))

    def not_a_model():
        return 42

    class WrongWidth(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(64, 7)
        def forward(self, x):
            return self.fc(x.flatten(1))

    class WrongInput(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(784, 10)
        def forward(self, x):
            return self.fc(x.flatten(1))

    LEARNING_RATE = 0.1
"""


# --- default models -----------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(1, 8, 8), (1, 28, 28), (3, 32, 32)])
def test_default_model_outputs_one_logit_per_class(shape):
    ds = _fake_dataset(shape)
    out = default_model(ds)(ds.to_float(ds.train.x))
    assert out.shape == (4, 10)


def test_default_digits_model_has_more_parameters_than_training_images(digits):
    model = default_model(digits)
    assert sum(p.numel() for p in model.parameters()) > 10 * len(digits.train)


def test_build_model_is_reproducible_for_a_seed_and_varies_with_it(digits):
    a, b, c = (build_model(None, digits, seed) for seed in (3, 3, 4))
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.equal(pa, pb)
    assert not all(torch.equal(pa, pc) for pa, pc in zip(a.parameters(), c.parameters()))


def test_default_model_can_fit_a_few_digits(digits):
    """A sanity check that the default model learns: 64 images, Adam, loss drops well."""
    model = build_model(None, digits, seed=0)
    x, y = digits.to_float(digits.train.x[:64]), digits.train.y[:64]
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    first = nn.functional.cross_entropy(model(x), y).item()
    for _ in range(40):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    assert loss.item() < 0.1 * first


# --- the student's model file -------------------------------------------------------------


def test_user_class_receives_num_classes(tmp_path, digits):
    path = _model_file(tmp_path, SMALL_MODELS)
    model = load_user_model(f"{path}:Net", digits)
    assert isinstance(model, nn.Module) and model.num_classes == 10


def test_user_class_without_arguments_is_called_bare(tmp_path, digits):
    path = _model_file(tmp_path, SMALL_MODELS)
    model = build_model(f"{path}:NoArgs", digits, seed=0)
    assert model.fc.out_features == 10


@pytest.mark.parametrize("name", ["make", "make_plain"])
def test_user_factory_function_builds_the_model(tmp_path, digits, name):
    path = _model_file(tmp_path, SMALL_MODELS)
    model = build_model(f"{path}:{name}", digits, seed=0)
    assert model(digits.to_float(digits.test.x[:3])).shape == (3, 10)


def test_user_model_with_wrong_number_of_outputs_names_both_shapes(tmp_path, digits):
    path = _model_file(tmp_path, SMALL_MODELS)
    with pytest.raises(UserError) as err:
        build_model(f"{path}:WrongWidth", digits, seed=0)
    assert err.value.exit_code == 2
    assert "(2, 7)" in err.value.message and "(2, 10)" in err.value.message
    assert "WrongWidth" in err.value.message


def test_user_model_that_cannot_take_the_images_says_what_it_was_given(tmp_path, digits):
    path = _model_file(tmp_path, SMALL_MODELS)
    with pytest.raises(UserError, match=r"\(2, 1, 8, 8\)") as err:
        build_model(f"{path}:WrongInput", digits, seed=0)
    assert "RuntimeError" in err.value.message


def test_missing_model_file_names_the_path(tmp_path, digits):
    with pytest.raises(UserError, match="file not found") as err:
        build_model(f"{tmp_path / 'nope.py'}:Net", digits, seed=0)
    assert str(tmp_path / "nope.py") in err.value.message


def test_missing_name_lists_what_the_file_defines(tmp_path, digits):
    path = _model_file(tmp_path, SMALL_MODELS)
    with pytest.raises(UserError, match="no name 'Nett'") as err:
        build_model(f"{path}:Nett", digits, seed=0)
    assert "Net" in err.value.fix and "make" in err.value.fix


def test_model_file_with_a_syntax_error_shows_the_line(tmp_path, digits):
    path = _model_file(tmp_path, "import torch\n\nclass Net(nn.Module)\n    pass\n", name="broken.py")
    with pytest.raises(UserError, match=r"SyntaxError: .*\(line 3\)") as err:
        build_model(f"{path}:Net", digits, seed=0)
    assert str(path) in err.value.message and "\n" not in err.value.message


def test_a_top_level_raise_is_not_run_and_the_class_still_loads(tmp_path, digits):
    path = _model_file(tmp_path, "import torch\nraise ImportError('no module named tensorflow')\n"
                                 + textwrap.dedent(SMALL_MODELS))
    assert build_model(f"{path}:NoArgs", digits, seed=0).fc.out_features == 10


def test_name_that_is_not_a_module_is_rejected(tmp_path, digits):
    path = _model_file(tmp_path, SMALL_MODELS)
    with pytest.raises(UserError, match="returned a .int. object, not a torch.nn.Module"):
        build_model(f"{path}:not_a_model", digits, seed=0)
    with pytest.raises(UserError, match="not a class or function"):
        build_model(f"{path}:LEARNING_RATE", digits, seed=0)


def test_constructor_needing_other_arguments_says_to_give_defaults(tmp_path, digits):
    path = _model_file(tmp_path, "from torch import nn\ndef make(width):\n    return nn.Linear(64, width)\n")
    with pytest.raises(UserError, match="calling make with no arguments failed") as err:
        build_model(f"{path}:make", digits, seed=0)
    assert "default" in err.value.fix


@pytest.mark.parametrize("spec", ["model.py", "model.py:", ":Net", "model.py:not-a-name"])
def test_spec_without_file_and_name_is_rejected(spec, digits):
    with pytest.raises(UserError, match="path/to/file.py:Name") as err:
        build_model(spec, digits, seed=0)
    assert err.value.where == "--model"
