"""Helpers of the template's suite: subprocesses and virtual environments
(`process`), rendering with Copier alone and checking rendered projects (`rendered`),
and readers of rendered files (`readers`). The answer combinations are in
`tests/matrix.py`."""
