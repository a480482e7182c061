"""pa2: a terminal tutor for a deep-learning assignment (gradients, backprop, weight decay).

This package must stay cheap to import: nothing here may import torch, torchvision or numpy.
"""

__version__ = "0.1.0"
