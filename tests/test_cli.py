"""analysis.cli: every command writes UTF-8 whatever the locale, and shares its exit codes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from analysis import config
from analysis.cli import output


def run_ascii(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    """The command under an ASCII console, as on a server with no locale set."""
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args],
        input=stdin,
        capture_output=True,
        env={"PYTHONIOENCODING": "ascii", "LC_ALL": "C", "PATH": "", "MPLBACKEND": "Agg"},
        cwd=config.PROJECT_ROOT,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (("tag",), "تفكيك خلية إرهابية في منطقة الساحل\n".encode()),
        (("themes", "--format", "markdown"), b""),
    ],
    ids=["tag", "themes"],
)
def test_commands_write_utf8_on_an_ascii_console(args, stdin):
    result = run_ascii(*args, stdin=stdin)
    assert result.returncode == output.EXIT_OK, result.stderr.decode("utf-8", "replace")
    text = result.stdout.decode("utf-8")
    assert any("\u0600" <= char <= "\u06ff" for char in text)


def test_bad_input_exits_with_the_shared_code_and_one_error_line(tmp_path):
    result = run_ascii("themes", str(tmp_path / "missing"))
    assert result.returncode == output.EXIT_BAD_INPUT
    assert result.stderr.decode("utf-8").startswith("error: ")


def test_to_markdown_escapes_pipes_and_right_aligns_numbers():
    import pandas as pd

    table = pd.DataFrame({"title": ["a | b", None], "n": [1, 2]})
    assert output.to_markdown(table).splitlines() == [
        "| title | n |",
        "|---|---:|",
        "| a \\| b | 1 |",
        "|  | 2 |",
    ]
