"""Pure ASGI middleware; `stack.py` assembles it in one place and one order."""
