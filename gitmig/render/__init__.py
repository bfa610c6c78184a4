"""Pictures of the revision graph: each module turns a command's result into text.

Display-side code (see :mod:`gitmig.display`): no I/O, no click, no SQLAlchemy.
"""
