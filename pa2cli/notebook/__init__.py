"""pa2 in a notebook: `!pa2` under a kernel (shell.py), the starter notebook and `pa2 notebook`
(command.py, starter.ipynb). The Python API itself is pa2cli/api.py."""
