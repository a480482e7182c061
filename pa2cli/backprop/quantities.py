"""The names of the quantities of one forward/backward pass, what each means, and teaching order.

Names (the public vocabulary of the quiz, `--json` and `--check`):
    z_<n>, a_<n>        net input and output of each computed node n
    loss_<o>, loss      the loss term of each target o and the total loss
    dE_da_<n>, delta_<n>  dE/da_n and delta_n = dE/dz_n for each computed node
    grad_<p>, new_<p>   dE/dp and p after one gradient-descent step, for each edge or bias p

Teaching order: the forward pass node by node, the loss terms and total, the backward pass from
the outputs (dE/da then delta per node), the gradients (parameters nearest the output first),
then the updated parameters in file order. Nothing here computes values.
"""

from __future__ import annotations

from dataclasses import dataclass

from pa2cli.backprop.spec import Network

SECTIONS = ("Forward pass", "Loss", "Backward pass", "Gradients", "Updated parameters")


@dataclass(frozen=True)
class Quantity:
    name: str
    section: str
    description: str


def _node_quantities(node: str) -> tuple[Quantity, Quantity]:
    return (Quantity(f"z_{node}", SECTIONS[0], f"net input of {node}"),
            Quantity(f"a_{node}", SECTIONS[0], f"output (activation) of {node}"))


def teaching_order(network: Network) -> list[Quantity]:
    """Every quantity of `network`, in the order the quiz asks and the solution shows them."""
    order: list[Quantity] = []
    for node in network.nodes:
        order.extend(_node_quantities(node))
    for target in network.targets:
        order.append(Quantity(f"loss_{target}", SECTIONS[1], f"loss term of target {target}"))
    order.append(Quantity("loss", SECTIONS[1], "total loss E"))
    for node in backward_order(network):
        order.append(Quantity(f"dE_da_{node}", SECTIONS[2],
                              f"∂E/∂a_{node}, the loss's slope in {node}'s output"))
        order.append(Quantity(f"delta_{node}", SECTIONS[2], f"δ_{node} = ∂E/∂z_{node}"))
    for name in parameters_nearest_output_first(network):
        order.append(Quantity(f"grad_{name}", SECTIONS[3],
                              f"∂E/∂{name}, the gradient of {name}"))
    for name in network.parameters():
        order.append(Quantity(f"new_{name}", SECTIONS[4],
                              f"{name} after one gradient-descent step"))
    return order


def backward_order(network: Network) -> list[str]:
    """Computed nodes from the last layer back to the first; forward order within a layer."""
    return sorted(network.nodes, key=lambda node: -network.layers[node])  # sorted() is stable


def parameters_nearest_output_first(network: Network) -> list[str]:
    """Edges and biases by the (deepest) layer of the node they feed, last layer first;
    edges before biases and file order within a layer."""
    layer = {name: network.layers[edge.target] for name, edge in network.edges.items()}
    layer.update({name: max(network.layers[n] for n in bias.nodes)
                  for name, bias in network.biases.items()})
    return sorted(layer, key=lambda name: -layer[name])
