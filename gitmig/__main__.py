"""``python -m gitmig``: the same as the ``gitmig`` console script."""

from gitmig.cli import main

if __name__ == "__main__":
    main()
