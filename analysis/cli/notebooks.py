"""`arabic-themes notebooks [--copy-to DIR]`: the report's notebooks, to start one's own.

Without options it lists the notebooks the package runs and where they are. With
``--copy-to DIR`` it copies them there (a notebook already in DIR is kept unless ``--force``),
so that they can be edited and run with ``report --notebooks DIR``.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from analysis import config
from analysis.cli.output import EXIT_OK, fail

PATTERN = "*.ipynb"


def packaged_notebooks() -> list[Path]:
    """The package's notebooks, in name order (`MissingResource` when the folder is absent)."""
    folder = config.require(
        config.NOTEBOOKS_DIR, "the report's notebooks", "use your own", plural=True
    )
    return sorted(p for p in folder.glob(PATTERN) if p.is_file())


def copy_notebooks(target: Path, *, force: bool = False) -> list[Path]:
    """Copy the package's notebooks into ``target``; refuse (nothing copied) to overwrite.

    Raises `FileExistsError` naming the first notebook already there unless ``force``.
    """
    sources = packaged_notebooks()
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(f"{target} is a file, not a folder")
    if not force:
        for source in sources:
            if (target / source.name).exists():
                raise FileExistsError(
                    f"{target / source.name} exists; nothing was copied (--force overwrites)"
                )
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for source in sources:
        copied.append(Path(shutil.copyfile(source, target / source.name)))
    return copied


def run(args: Any) -> int:
    """List the packaged notebooks, or copy them to ``--copy-to``."""
    try:
        if args.copy_to is None:
            notebooks = packaged_notebooks()
            print(f"{len(notebooks)} notebooks in {config.NOTEBOOKS_DIR}:")
            for path in notebooks:
                print(f"  {path.name}")
            return EXIT_OK
        copied = copy_notebooks(args.copy_to, force=args.force)
    except OSError as error:  # MissingResource, FileExistsError, a folder we cannot write
        return fail(error)
    print(f"copied {len(copied)} notebooks to {args.copy_to}: {', '.join(p.name for p in copied)}")
    from analysis.cli import program_name

    print(f"edit them, then build the report: {program_name()} report --notebooks {args.copy_to}")
    return EXIT_OK
