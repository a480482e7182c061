"""DATASETS: every --dataset choice in one registry: where its images come from, the torchvision
class and folder of a downloadable one, whether it is the student's own split (whose folder is
its identity: a resume may not point --data-dir elsewhere), and its line of --help.

A new torchvision dataset is one entry here (`data.py` loads every "torchvision" entry the
same way); a new format of the student's own data is an entry and its reader in `userdata.py`.
Whichever folder the images come from, a checkpoint's identity holds the SHA-256 of the
images and labels trained on (`checkpoints.data_fingerprint`), so a resume on other data is
refused in one line. Plain data: no torch, no files read, so `pa2 sweep --help` stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass

BUNDLED, TORCHVISION, OWN = "bundled", "torchvision", "own"


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    source: str  # BUNDLED (shipped with pa2), TORCHVISION (downloaded), OWN (--data-dir)
    help: str
    torchvision: tuple[str, str] | None = None  # (class name, folder it looks in under root)

    @property
    def own(self) -> bool:
        """The student's own split in --data-dir (its folder is part of the saved sweep)."""
        return self.source == OWN


DATASETS: dict[str, DatasetSpec] = {spec.name: spec for spec in (
    DatasetSpec("digits", BUNDLED, "8×8 handwritten digits shipped with pa2 (offline)"),
    DatasetSpec("mnist", TORCHVISION, "MNIST via torchvision", ("MNIST", "MNIST/raw")),
    DatasetSpec("fashion-mnist", TORCHVISION, "Fashion-MNIST via torchvision",
                ("FashionMNIST", "FashionMNIST/raw")),
    DatasetSpec("cifar10", TORCHVISION, "CIFAR-10 via torchvision",
                ("CIFAR10", "cifar-10-batches-py")),
    DatasetSpec("imagefolder", OWN, "your own split as an ImageFolder tree in --data-dir"),
    DatasetSpec("pth", OWN, "your own split as the course's train/test(/val).pth in --data-dir"),
)}
DATASET_NAMES = tuple(DATASETS)
OWN_FORMATS = tuple(name for name, spec in DATASETS.items() if spec.own)


def is_own(name: str) -> bool:
    spec = DATASETS.get(name)
    return spec is not None and spec.own


def _names(source: str) -> str:
    names = [name for name, spec in DATASETS.items() if spec.source == source]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def dataset_help() -> str:
    """--dataset's help, from the registry: which names are bundled, downloaded or your own."""
    verbs = {BUNDLED: "is" if len(_names(BUNDLED).split()) == 1 else "are"}
    return (f"{_names(BUNDLED)} {verbs[BUNDLED]} bundled; {_names(TORCHVISION)} come via "
            f"torchvision; {_names(OWN)} are your own split in --data-dir (detected when "
            "--dataset is not given).")
