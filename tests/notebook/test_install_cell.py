"""The starter notebook's install cell installs pa2 only from the source the student sets
(their uploaded folder or wheel, or a git URL), never the name "pa2" from PyPI, which is
someone else's package; it installs nothing when pa2cli is already importable.

The cell is run as IPython runs it: IPython's own transformer turns `%pip` into a
`get_ipython().run_line_magic` call, and the stand-in shell expands `{PA2_SOURCE}` with
IPython's own formatter, recording the pip line instead of running pip (nothing is fetched)."""

from __future__ import annotations

import importlib.util
import json
import shlex

import pytest
from IPython.core.inputtransformer2 import TransformerManager
from IPython.utils.text import DollarFormatter

from pa2cli.notebook.command import starter_text

SHIPPED_SETTING = 'PA2_SOURCE = ""\n'


def install_cell() -> str:
    cells = json.loads(starter_text())["cells"]
    (cell,) = [c for c in cells if c.get("id") == "pa2-01"]
    return "".join(cell["source"])


class RecordingShell:
    """Enough of IPython's shell for the cell: line magics are recorded, not run."""

    def __init__(self, namespace: dict):
        self.namespace, self.magics = namespace, []

    def run_line_magic(self, name: str, line: str):
        self.magics.append((name, DollarFormatter().vformat(line, (), self.namespace)))


def run_install_cell(monkeypatch, source_setting: str | None, installed: bool):
    """Run the cell with PA2_SOURCE set to `source_setting` (None: as shipped)."""
    code = install_cell()
    assert code.count(SHIPPED_SETTING) == 1
    if source_setting is not None:
        code = code.replace(SHIPPED_SETTING, f"PA2_SOURCE = {source_setting!r}\n")
    if not installed:
        real = importlib.util.find_spec
        monkeypatch.setattr(importlib.util, "find_spec",
                            lambda name, *a: None if name == "pa2cli" else real(name, *a))
    namespace: dict = {}
    shell = RecordingShell(namespace)
    namespace["get_ipython"] = lambda: shell
    exec(TransformerManager().transform_cell(code), namespace)
    return shell.magics


def test_the_cell_as_shipped_installs_nothing_and_asks_for_the_source(monkeypatch):
    with pytest.raises(SystemExit) as stop:
        run_install_cell(monkeypatch, None, installed=False)
    assert "PA2_SOURCE = ''" in str(stop.value) and "set it to where your copy of pa2" in str(
        stop.value)


@pytest.mark.parametrize("name", ["pa2", "pa2[ray]", "pa2==0.1.0"])
def test_the_bare_pypi_name_is_refused(monkeypatch, name):
    with pytest.raises(SystemExit) as stop:
        run_install_cell(monkeypatch, name, installed=False)
    assert repr(name) in str(stop.value)


def test_an_uploaded_folder_is_what_pip_installs_spaces_and_all(monkeypatch, tmp_path):
    folder = tmp_path / "My Drive" / "pa2"
    folder.mkdir(parents=True)
    magics = run_install_cell(monkeypatch, str(folder), installed=False)
    assert [(name, shlex.split(line)) for name, line in magics] == [
        ("pip", ["install", "--quiet", str(folder)])]


def test_a_git_url_is_what_pip_installs(monkeypatch):
    url = "git+https://github.com/someone/pa2"
    magics = run_install_cell(monkeypatch, url, installed=False)
    assert [(name, shlex.split(line)) for name, line in magics] == [
        ("pip", ["install", "--quiet", url])]


def test_nothing_is_installed_when_pa2cli_is_importable(monkeypatch, capsys):
    assert run_install_cell(monkeypatch, "pa2", installed=True) == []
    assert capsys.readouterr().out.startswith("pa2 ")


def test_no_cell_installs_the_pypi_name():
    for cell in json.loads(starter_text())["cells"]:
        for line in "".join(cell["source"]).splitlines():
            words = shlex.split(line.replace("%pip", "pip"), comments=True) if "pip" in line \
                else []
            if words[:2] == ["pip", "install"]:
                assert not any(w.split("[")[0] == "pa2" for w in words[2:]), line
