"""The handful of errors humansec raises, each with a message that says what to do.

Pages catch these classes and show the message; anything else is a bug and is allowed to
surface.
"""

from __future__ import annotations


class HumansecError(Exception):
    """Base class: the message is written for the user and says how to fix the problem."""


class ConfigurationError(HumansecError):
    """A setting or a configuration file is wrong."""


class SchemaError(HumansecError):
    """A layer does not fit the domain model (missing field, wrong geometry, wrong CRS)."""


class StoreError(HumansecError):
    """The layer store cannot do what was asked (unknown layer, unreadable file, ...)."""


class CoordinateError(HumansecError):
    """A coordinate or MGRS reference cannot be read or is out of range."""


def choices(valid: object) -> str:
    """Return ``valid`` (an iterable of names) as a readable, sorted list for a message.

    >>> choices(["b", "a"])
    "'a', 'b'"
    """
    return ", ".join(repr(str(v)) for v in sorted(valid, key=str))  # type: ignore[call-overload]


class IngestError(HumansecError):
    """An uploaded file is refused: the message says what is wrong with it and how to fix it."""


class AccessDeniedError(HumansecError):
    """The signed-in user's roles or clearance do not allow what was asked."""


class SignInError(HumansecError):
    """The sign-in cannot be used (expired, or its token lacks what humansec needs)."""
