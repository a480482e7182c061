"""`pa2 report`: one document (Markdown or LaTeX) from a sweep folder, derivation topics and a
backprop network, with matplotlib figures."""
