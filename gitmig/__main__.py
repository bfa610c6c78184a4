"""``python -m gitmig``: the same as the ``gitmig`` console script."""

from gitmig.fastpath import main

if __name__ == "__main__":
    main()
