"""Sign-in through OAuth 2.0 / OpenID Connect providers (Authlib)."""

import warnings

from authlib.deprecate import AuthlibDeprecationWarning

# Authlib 1.9.9 and later warn, on every import, that they run on httpx until httpx2 is
# installed. They do run on httpx here, and this package catches httpx's errors
# (base.py): the warning says nothing to act on now, and would open every log and every
# command's output. Moving to httpx2 is a change of its own.
warnings.filterwarnings(
    "ignore",
    message="The httpx module is deprecated",
    category=AuthlibDeprecationWarning,
)
