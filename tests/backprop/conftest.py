"""Shared test helpers for pa2 backprop: the torch autograd oracle and a PA2_HOME per test.

The oracle builds the graph in torch from the raw JSON dict; each activation and loss is
torch's own function, named by its entry in pa2cli/backprop/registry.py (so a new entry is
checked without editing this file)."""

import pytest
import torch

from pa2cli.backprop.registry import ACTIVATIONS, LOSSES


@pytest.fixture(autouse=True)
def pa2_home(tmp_path, monkeypatch):
    """Quiz state goes to a fresh folder per test, never to the user's data folder."""
    home = tmp_path / "pa2home"
    monkeypatch.setenv("PA2_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def oracle():
    return torch_oracle


def _topological(edges: dict) -> list[str]:
    computed = list(dict.fromkeys(e["to"] for e in edges.values()))
    order: list[str] = []
    while len(order) < len(computed):
        for node in computed:
            parents = [e["from"] for e in edges.values() if e["to"] == node]
            if node not in order and all(p in order or p not in computed for p in parents):
                order.append(node)
    return order


def torch_oracle(data: dict) -> dict[str, float]:
    """Every named quantity, computed by torch autograd in float64 from the raw dict."""
    f64 = torch.float64
    params = {name: torch.tensor(float(spec["value"]), dtype=f64, requires_grad=True)
              for name, spec in {**data["edges"], **data.get("biases", {})}.items()}
    out = {name: torch.tensor(float(v), dtype=f64) for name, v in data["inputs"].items()}
    order = _topological(data["edges"])
    z = {}
    for node in order:
        terms = [params[w] * out[e["from"]] for w, e in data["edges"].items() if e["to"] == node]
        terms += [params[b] for b, spec in data.get("biases", {}).items() if node in spec["to"]]
        z[node] = sum(terms[1:], terms[0])
        z[node].retain_grad()
        kind = data.get("activations", {}).get(node, data.get("activation", "sigmoid"))
        out[node] = ACTIVATIONS[kind].torch(z[node])
        out[node].retain_grad()
    n = len(data["targets"])
    term = LOSSES[data.get("loss", "half_sse")].torch
    losses = {o: term(torch.tensor(float(t), dtype=f64), out[o], n)
              for o, t in data["targets"].items()}
    loss = sum(losses.values())
    loss.backward()
    values = {"loss": loss.item()}
    for node in order:
        values.update({f"z_{node}": z[node].item(), f"a_{node}": out[node].item(),
                       f"dE_da_{node}": out[node].grad.item(),
                       f"delta_{node}": z[node].grad.item()})
    values.update({f"loss_{o}": v.item() for o, v in losses.items()})
    for name, p in params.items():
        grad = p.grad.item() if p.grad is not None else 0.0
        values[f"grad_{name}"] = grad
        values[f"new_{name}"] = p.item() - data.get("learning_rate", 0.5) * grad
    return values
