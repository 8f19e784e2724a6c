"""The two ways to install (pip from pyproject.toml, conda from environment.yml) must agree."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

from analysis.config import PROJECT_ROOT

REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(.*)$")


def canonical(name: str) -> str:
    """PEP 503 name normalization, so `arabic_reshaper` and `arabic-reshaper` compare equal."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse(requirement: str) -> tuple[str, str]:
    match = REQUIREMENT.match(requirement)
    assert match, f"unparseable requirement {requirement!r}"
    return canonical(match.group(1)), match.group(3).replace(" ", "")


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "project"
    ]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs.extend(extra)
    return dict(parse(r) for r in reqs)


def environment_requirements(path: Path) -> dict[str, str]:
    env = yaml.safe_load(path.read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for dep in env["dependencies"]:
        items = dep["pip"] if isinstance(dep, dict) else [dep]
        for item in items:
            if item.startswith("-e") or item in ("pip",):
                continue
            name, spec = parse(item)
            # Python itself, and the compiler conda needs for the C extension (pip takes the
            # machine's): no pyproject.toml dependency.
            if name not in ("python", "c-compiler"):
                found[name] = spec
    return found


def test_environment_yml_lists_every_pyproject_dependency_with_the_same_bound():
    pip_side = pyproject_requirements()
    conda_side = environment_requirements(PROJECT_ROOT / "environment.yml")
    assert conda_side == pip_side


def test_environment_yml_installs_the_project_itself_with_its_extras():
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_items = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    extras = set(
        tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
            "optional-dependencies"
        ]
    )
    assert f"-e .[{','.join(sorted(extras))}]" in pip_items


def test_python_floor_agrees():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "project"
    ]
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert f"python{project['requires-python']}" in env["dependencies"]
