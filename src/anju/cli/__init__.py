"""Command line: a thin layer over the library, one module per noun. Messages are in Chinese.

Exit codes: 0 success; 1 ``--strict`` and the checks found errors; 2 the input could not be
read or scored (the message names the file, line, item and figure); 3 a system dependency is missing.
"""

from __future__ import annotations

import typer

from anju.cli import allocate, audit, collect, evaluate, framework, region, report

app = typer.Typer(
    name="anju",
    help="安居：中央财政城镇保障性安居工程补助资金绩效评价。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
for module in (evaluate, framework, report, collect, region, allocate, audit):
    module.register(app)


def main() -> None:
    app()


__all__ = ["app", "main"]
