"""A non-editable install ships content/ inside the package and finds it from any folder."""

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(ROOT)],
        check=True, capture_output=True,
    )
    (built,) = out.glob("pa2-*.whl")
    return built


def test_wheel_contains_every_content_file_listed_in_the_index(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    index = tomllib.loads((ROOT / "content" / "index.toml").read_text())
    listed = ["index.toml", *index["topics"], *index["networks"].values()]
    missing = [f for f in listed if f"pa2cli/content/{f}" not in names]
    assert not missing, f"not in the wheel: {missing}"


def test_installed_package_finds_its_content_from_another_folder(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True, capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = subprocess.run(
        [sys.executable, "-c", "from pa2cli.paths import content_dir; print(content_dir())"],
        cwd=elsewhere, env={**os.environ, "PYTHONPATH": str(target)},
        capture_output=True, text=True, check=True,
    )
    found = Path(run.stdout.strip())
    assert found == target / "pa2cli" / "content"
    assert (found / "index.toml").is_file()


def test_wheel_ships_the_starter_notebook(wheel):
    assert "pa2cli/notebook/starter.ipynb" in zipfile.ZipFile(wheel).namelist()
