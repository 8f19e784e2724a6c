"""The package's layout rule: a module imports only its own stage and stages to its left.

Every `import` and `from ... import` of every module is read with `ast`, including the lazy
ones inside functions (those hid the cycles cli -> pipeline -> cli and
cli -> report -> narrative -> pipeline -> cli). DESIGN.md draws the same stages.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from pathlib import Path

from analysis import config

PACKAGE = "analysis"

# Left to right. A module belongs to the longest prefix listed; a stage may import itself
# (the modules of one package use each other) and every stage to its left, never a later one.
STAGES: tuple[tuple[str, ...], ...] = (
    (
        "analysis",
        "analysis.config",
        "analysis.charsets",
        "analysis.columns",
        "analysis.files",
        "analysis.parallel",
    ),
    ("analysis.corpus",),
    ("analysis.arabic", "analysis.arabic_batch"),
    ("analysis.themes",),
    ("analysis.pipeline", "analysis.dask_worker"),
    ("analysis.trends",),
    ("analysis.plotting",),
    ("analysis.notebook",),
    ("analysis.explore",),
    ("analysis.report",),
    ("analysis.cli", "analysis.__main__"),
)

Imports = Mapping[str, set[str]]


def stage_of(module: str, stages: tuple[tuple[str, ...], ...] = STAGES) -> int:
    """Index of the stage whose longest listed prefix names `module`."""
    best, best_len = -1, -1
    for index, prefixes in enumerate(stages):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    if best < 0:
        raise KeyError(f"{module} belongs to no stage: add it to STAGES and DESIGN.md")
    return best


def module_names(root: Path) -> dict[str, Path]:
    """Dotted name -> file of every module of the package under `root` (its folder)."""
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def imports_of(module: str, source: str, is_package: bool, known: set[str]) -> set[str]:
    """The package's modules that `source` imports anywhere (top level or inside functions)."""
    found = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from analysis import config` imports the module analysis.config.
            subs = {f"{base}.{alias.name}" for alias in node.names}
            found.update(subs & known or {base})
    return {_owner(name, known) for name in found if name.split(".")[0] == PACKAGE}


def _owner(name: str, known: set[str]) -> str:
    """The module a dotted import name resolves to (`a.b.func` -> `a.b`)."""
    while name not in known and "." in name:
        name = name.rpartition(".")[0]
    return name


def package_imports(root: Path) -> dict[str, set[str]]:
    names = module_names(root)
    known = set(names)
    return {
        name: imports_of(name, path.read_text(encoding="utf-8"), path.stem == "__init__", known)
        - {name}
        for name, path in names.items()
    }


def rightward_imports(imports: Imports, stages=STAGES) -> list[str]:
    """Every import of a later stage, as `importer -> imported`."""
    return sorted(
        f"{module} -> {target}"
        for module, targets in imports.items()
        for target in targets
        if stage_of(target, stages) > stage_of(module, stages)
    )


def find_cycle(imports: Imports) -> list[str] | None:
    """One import cycle as a path of modules (first == last), or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in sorted(imports.get(module, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[module] = 2
        return None

    for module in sorted(imports):
        if module not in state and (cycle := visit(module)):
            return cycle
    return None


# --------------------------------------------------------------------------- the package


def test_every_module_belongs_to_a_stage():
    for module in module_names(config.PACKAGE_DIR):
        stage_of(module)


def test_no_module_imports_a_later_stage():
    assert rightward_imports(package_imports(config.PACKAGE_DIR)) == []


def test_no_import_cycle():
    assert find_cycle(package_imports(config.PACKAGE_DIR)) is None


def test_no_library_module_imports_the_command_line():
    imports = package_imports(config.PACKAGE_DIR)
    offenders = [
        module
        for module, targets in imports.items()
        if stage_of(module) != stage_of("analysis.cli")
        and any(stage_of(t) == stage_of("analysis.cli") for t in targets)
    ]
    assert offenders == []


def test_lazy_imports_are_seen():
    """The cycles the layout removed were hidden inside functions: the reader must see those."""
    imports = package_imports(config.PACKAGE_DIR)
    assert "analysis.parallel" in imports["analysis.themes.matcher"]  # imported in a function


# --------------------------------------------------------------------------- the checker


def _synthetic(sources: Mapping[str, str]) -> dict[str, set[str]]:
    known = set(sources)
    return {
        name: imports_of(name, source, name in {"analysis", "analysis.corpus"}, known) - {name}
        for name, source in sources.items()
    }


GOOD = {
    "analysis": "",
    "analysis.config": "",
    "analysis.corpus": "from analysis.corpus.clean import clean_text\n",
    "analysis.corpus.clean": "from analysis import config\n",
    "analysis.themes": "from analysis.corpus import clean_text\n",
    "analysis.cli": "def main():\n    from analysis import themes\n",
}


def test_checker_accepts_leftward_imports():
    imports = _synthetic(GOOD)
    assert imports["analysis.corpus.clean"] == {"analysis.config"}
    assert rightward_imports(imports) == []
    assert find_cycle(imports) is None


def test_checker_fails_on_a_deliberately_wrong_lazy_import():
    wrong = {**GOOD, "analysis.corpus.clean": "def f():\n    from analysis.themes import x\n"}
    assert rightward_imports(_synthetic(wrong)) == ["analysis.corpus.clean -> analysis.themes"]


def test_checker_fails_on_importing_the_command_line():
    wrong = {**GOOD, "analysis.themes": "import analysis.cli\n"}
    assert rightward_imports(_synthetic(wrong)) == ["analysis.themes -> analysis.cli"]


def test_checker_finds_a_cycle_inside_one_stage():
    cyclic = {**GOOD, "analysis.corpus.clean": "from analysis.corpus import clean_text\n"}
    imports = _synthetic(cyclic)
    assert rightward_imports(imports) == []  # same stage: only the cycle check catches it
    assert find_cycle(imports) == ["analysis.corpus", "analysis.corpus.clean", "analysis.corpus"]


def test_checker_resolves_relative_imports():
    relative = {**GOOD, "analysis.corpus.clean": "from ..themes import x\n"}
    assert rightward_imports(_synthetic(relative)) == ["analysis.corpus.clean -> analysis.themes"]


def test_the_old_layout_fails():
    """The cycle the layout removed: pipeline imported the CLI's parser."""
    old = {
        "analysis": "",
        "analysis.cli": "def main():\n    from analysis.pipeline import cli_themes\n",
        "analysis.pipeline": "def main():\n    from analysis.cli import build_parser\n",
    }
    imports = _synthetic(old)
    assert rightward_imports(imports) == ["analysis.pipeline -> analysis.cli"]
    assert find_cycle(imports) == ["analysis.cli", "analysis.pipeline", "analysis.cli"]


# --------------------------------------------------------------------------- the docs


def _readme_layout_paths() -> list[str]:
    text = (config.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index("## Layout") :]
    return [
        path
        for row in table.splitlines()
        if row.startswith("| `")
        for path in re.findall(r"`([^`]+)`", row.split("|")[1])
    ]


def test_readme_layout_table_names_existing_paths():
    for path in _readme_layout_paths():
        # `charsets.py` stands beside `analysis/config.py` in one row: a package file.
        places = (config.PROJECT_ROOT / path, config.PACKAGE_DIR / path)
        assert any(place.exists() for place in places), path


def test_readme_and_design_name_every_stage_of_the_package():
    readme = " ".join(_readme_layout_paths())
    design = (config.PROJECT_ROOT / "DESIGN.md").read_text(encoding="utf-8")
    for path in sorted(config.PACKAGE_DIR.iterdir()):
        if path.name.startswith(("_", ".")) or path.name == "data":
            continue
        if path.is_dir() or path.suffix == ".py":
            assert path.name in readme, f"README's layout table does not list {path.name}"
            assert path.stem in design, f"DESIGN.md does not name {path.stem}"
