"""Numbers and figures a chapter publishes into its prose, by name.

``glue(name, value, display=False)`` records ``value``'s display data in the cell's output under
``name``; when the book is built, MyST-NB places it where the text says {glue:text}`name` or
``{glue:figure} name``. This is MyST-NB's glue protocol (a display-data output whose mime types
carry the prefix ``application/papermill.record/`` and whose metadata names it ``scrapbook``),
written here so that a chapter runs wherever rnnlib runs: a downloaded chapter needs neither
MyST-NB nor Jupyter Book, and publishing a number costs what displaying it costs (importing
MyST-NB took 2.6 s in a fresh kernel).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["GLUE_PREFIX", "glue"]

GLUE_PREFIX = "application/papermill.record/"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


def glue(name: str, value: Any, display: bool = True) -> None:
    """Publish ``value`` under ``name`` for the book's text (MyST-NB's ``glue``, same output).

    Parameters
    ----------
    name : str
        The name the text refers to, e.g. ``"ch6_rate"`` for {glue:text}`ch6_rate:.3f`; letters,
        digits, ``_``, ``-`` and ``.``, starting with a letter or ``_``.
    value : object
        Anything IPython can display: a number, a string, a matplotlib figure.
    display : bool
        Also show the value in the notebook (``False``: only record it for the book).
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"name must be a string of letters, digits, '_', '-' or '.'; got {name!r}")
    if not isinstance(display, bool):
        raise ValueError(f"display must be True or False; got {display!r}")
    from IPython.core.formatters import format_display_data
    from IPython.display import display as show

    bundle, metadata = format_display_data(value)
    prefix = "" if display else GLUE_PREFIX
    metadata["scrapbook"] = {"name": name, "mime_prefix": prefix}
    show({prefix + mime: data for mime, data in bundle.items()}, raw=True, metadata=metadata)
