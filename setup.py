"""Build hook: the batch tokenizer's C pass, and the checkout's ``notebooks/`` and ``seeds/``
inside the wheel.

`analysis._scan` (``analysis/_scan.c``, the Python C API only) is compiled by any install,
an editable one too: a C compiler is needed. The notebooks and seeds stay where they are in
the repository, the one copy that is edited and tested; at build time `build_py` copies them
into the built package as ``analysis/_resources/``, where `analysis.config` finds them once
installed. Everything else about the build is declared in pyproject.toml. An editable install
needs no copy: `analysis.config` falls back to the checkout's folders.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# folder of the checkout -> file names shipped (documentation included: seeds/README.md)
RESOURCES = {"notebooks": "*.ipynb", "seeds": "*"}
TARGET = Path("analysis", "_resources")


class BuildWithResources(build_py):
    """`build_py`, then the notebooks and seeds copied under ``analysis/_resources``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for folder, pattern in RESOURCES.items():
            sources = sorted(p for p in (ROOT / folder).glob(pattern) if p.is_file())
            if not sources:
                raise SystemExit(f"build: no {pattern} files in {ROOT / folder}")
            target = Path(self.build_lib) / TARGET / folder
            self.mkpath(str(target))
            for source in sources:
                self.copy_file(str(source), str(target / source.name))


setup(
    cmdclass={"build_py": BuildWithResources},
    ext_modules=[Extension("analysis._scan", ["analysis/_scan.c"], extra_compile_args=["-O2"])],
)
