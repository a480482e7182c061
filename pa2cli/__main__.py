"""`python -m pa2cli`: the same entry point as the `pa2` console command."""

from pa2cli.cli import main

if __name__ == "__main__":
    main()
