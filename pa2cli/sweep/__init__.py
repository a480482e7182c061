"""Part A: the weight-decay sweep (data, models, training loop, results store, plots, findings).

torch and torchvision are imported lazily, inside this package only.
"""
