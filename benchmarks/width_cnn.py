"""The default digits CNN with its widths scaled, for measuring the model's width as a lever.

`pa2 sweep --model benchmarks/width_cnn.py:WidthCNN --model-args '{"scale": 0.5}'` trains the
default digits architecture (3x3 convs 16, 32 -> 2x2 max pool -> linear 128 -> logits) with
every width multiplied by `scale` (0.5: 8, 16, 64; 2: 32, 64, 256). Used in
docs/sweep-defaults.md ("Levers measured after the grid").
"""

from torch import nn


class WidthCNN(nn.Module):
    def __init__(self, num_classes=10, in_channels=1, input_size=8, scale=1.0):
        super().__init__()
        c1, c2, hidden = (max(1, round(w * scale)) for w in (16, 32, 128))
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, c1, 3, padding=1), nn.ReLU(),
            nn.Conv2d(c1, c2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        side = input_size // 2
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(c2 * side * side, hidden), nn.ReLU(),
            nn.Linear(hidden, num_classes))

    def forward(self, x):
        return self.classifier(self.features(x))
