"""Command line: a thin layer over the library, one module per noun. Messages are in Chinese.

Exit codes, the same for every command (README “退出码”):

* 0 — done;
* 1 — done, and findings of severity 错误 under ``--strict`` (``import --strict``: also unexplained
  warnings, then nothing is written; ``completeness``/``aggregate``: units missing);
* 2 — the input was refused and nothing was written (the message names file, line, sheet, cell);
  also a command line that cannot be understood, and a file that cannot be written;
* 3 — a system dependency is missing (the CJK font for charts, LibreOffice for ``--pdf``);
* 4 — ``import --partial``: the accepted files were written, others refused;
* 70 — an internal error (a defect of anju): a short Chinese message names the log file that
  holds the traceback; no traceback is ever printed;
* 130 — interrupted (Ctrl-C).

:func:`main` is the one place that guarantees it: whatever a command raises ends as one of these
codes with a Chinese message.
"""

from __future__ import annotations

import datetime as dt
import errno
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer
from typer._click import exceptions as click_exceptions

from anju import __version__
from anju.cli import messages
from anju.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    err_console,
)
from anju.files import FileWriteError, os_reason
from anju.problems import ProblemsError

LOG_DIR_ENV = "ANJU_LOG_DIR"
"""Where internal-error logs go; default ``$XDG_STATE_HOME/anju`` (``~/.local/state/anju``)."""

COMMANDS: dict[str, tuple[str, ...]] = {
    "evaluate": ("version", "evaluate"),
    "framework": ("framework",),
    "report": ("report", "report-template"),
    "collect": ("template", "import", "completeness", "aggregate"),
    "region": ("region",),
    "national": ("national",),
    "allocate": ("allocate",),
    "audit": ("audit",),
    "targets": ("targets",),
    "monitor": ("monitor",),
    "selfreport": ("selfreport",),
}
"""Each command module (``anju.cli.<module>``) and the commands it registers, in the order of the help.
A command line imports only the module of its command (``anju evaluate`` never imports the Word,
chart or Excel adapters); the help, an unknown command and :data:`app` register all of them."""
_MODULE_OF = {name: module for module, names in COMMANDS.items() for name in names}


def build_app(modules: Sequence[str] | None = None) -> typer.Typer:
    """The ``anju`` Typer application with the commands of ``modules`` (default: every command)."""
    application = typer.Typer(
        name="anju",
        help="安居：中央财政城镇保障性安居工程补助资金绩效评价。",
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
    )
    application.callback()(_group)  # a group even with one command: ``anju audit x.docx`` names its command
    for module in modules if modules is not None else list(COMMANDS):
        importlib.import_module(f"anju.cli.{module}").register(application)
    return application


def _group() -> None:
    pass


def _app_for(args: Sequence[str]) -> typer.Typer:
    """Only the module of the command named first on the line; every command when there is none
    (``anju``, ``anju --help``) or it is unknown (the message lists the commands)."""
    module = _MODULE_OF.get(args[0]) if args else None
    return build_app([module] if module is not None else None)


def __getattr__(name: str) -> Any:
    """``anju.cli.app``: the application with every command (tests invoke it with typer's runner)."""
    if name == "app":
        application = build_app()
        globals()["app"] = application
        return application
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: Sequence[str] | None = None) -> None:
    """The ``anju`` program: run the command, then exit with the code of the contract above."""
    sys.exit(run(argv))


def run(argv: Sequence[str] | None = None) -> int:
    """Run one command line and return its exit code; never raises (but SystemExit from tests)."""
    messages.install()
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        command = typer.main.get_command(_app_for(args))
        result = command.main(args=args, prog_name="anju", standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except click_exceptions.NoArgsIsHelpError as exc:
        err_console.print(exc.ctx.get_help())
        return EXIT_BAD_INPUT
    except click_exceptions.UsageError as exc:
        _usage_error(exc)
        return EXIT_BAD_INPUT
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("已中断，命令未完成。", style="bold red")
        return EXIT_INTERRUPTED
    except click_exceptions.ClickException as exc:
        _say_error("无法完成：", [messages.translate_inner(exc.message)])
        return EXIT_BAD_INPUT
    except FileWriteError as exc:
        _say_error("无法写入文件，命令未完成（已有的文件保持原样）：", [str(p) for p in exc.problems])
        return EXIT_BAD_INPUT
    except ProblemsError as exc:
        _say_error(f"无法完成，有 {len(exc.problems)} 处问题：", [str(p) for p in exc.problems])
        return EXIT_BAD_INPUT
    except OSError as exc:
        if exc.errno == errno.EPIPE:  # the reader of our output went away (| head)
            return EXIT_OK
        if exc.filename:
            _say_error("无法完成：", [f"{exc.filename}：{os_reason(exc)}"])
            return EXIT_BAD_INPUT
        return _internal_error(exc, args)
    except Exception as exc:  # the one place that turns a defect into a message and a log
        if _is_template_key_error(exc):
            _say_error("无法使用模板密钥：", [exc.message])  # type: ignore[attr-defined]
            return EXIT_BAD_INPUT
        return _internal_error(exc, args)
    return int(result) if isinstance(result, int) else EXIT_OK


def _is_template_key_error(exc: Exception) -> bool:
    """A template key that cannot be used; the Excel layout module is looked up only if it was
    imported (a command that never imported it cannot raise its error)."""
    layout = sys.modules.get("anju.adapters.excel.layout")
    return layout is not None and isinstance(exc, layout.TemplateKeyError)


def _say_error(title: str, lines: Sequence[str]) -> None:
    err_console.print(title, style="bold red")
    for line in lines:
        err_console.print(f"  - {line}")


def _usage_error(exc: click_exceptions.UsageError) -> None:
    ctx = exc.ctx
    err_console.print(f"错误：{messages.usage_message(exc)}", style="bold red")
    if ctx is not None:
        err_console.print(ctx.get_usage())
        err_console.print(f"运行“{ctx.command_path} --help”查看帮助。")


def log_dir() -> Path:
    configured = os.environ.get(LOG_DIR_ENV)
    if configured:
        return Path(configured)
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "anju"


def _internal_error(exc: BaseException, args: Sequence[str]) -> int:
    """Write the traceback to a log file and tell the user, in Chinese, where it is."""
    import tempfile  # noqa: PLC0415 - only an internal error needs them; every command starts faster without
    import traceback  # noqa: PLC0415

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    text = (
        f"anju {__version__}  {dt.datetime.now().isoformat(timespec='seconds')}\n"
        f"命令：anju {' '.join(args)}\n\n" + "".join(traceback.format_exception(exc))
    )
    path: Path | None = None
    for directory in (log_dir(), Path(tempfile.gettempdir()) / "anju"):
        candidate = directory / f"anju-error-{stamp}-{os.getpid()}.log"
        try:
            directory.mkdir(parents=True, exist_ok=True)
            candidate.write_text(text, encoding="utf-8")
        except OSError:
            continue
        path = candidate
        break
    kind = "内存不足" if isinstance(exc, MemoryError) else "程序内部错误（这是 anju 的缺陷，不是输入的问题）"
    err_console.print(f"{kind}，命令未完成。", style="bold red")
    if path is not None:
        err_console.print(f"详细信息已记录在 {path}，请把该文件发给系统维护人员。")
    else:
        err_console.print("详细信息无法写入日志文件（日志目录不可写）。")
    return EXIT_INTERNAL


__all__ = ["app", "main", "run"]
