"""Files the project reads and writes: YAML parsed by the fastest safe loader, and writes
that a reader never sees half done (the one atomic-write helper)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import yaml

# libyaml's parser when PyYAML was built with it: the lexicon parses in 3 ms instead of 30
# (the pure-Python loader is the fallback). Both build the same nodes, with their lines.
SAFE_YAML_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@contextmanager
def atomic_writer(target: Path | str, mode: str = "wb", **open_args: Any) -> Iterator[IO[Any]]:
    """A temporary file beside ``target``, renamed over it when the block succeeds.

    When the block raises, the temporary file is deleted and ``target`` is left as it was.
    The file is made world-readable: mkstemp creates it private, and what the project
    writes (figures, provenance, samples) is for reading.
    """
    target = Path(target)
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, mode, **open_args) as stream:
            yield stream
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
