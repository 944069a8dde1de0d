"""``anju-web``: Django's management commands for the anju web system."""

from __future__ import annotations

import importlib
import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anju_web.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:  # a configuration error (such as no data directory) is told plainly, not as a traceback
        importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"安居网页系统无法启动：{exc}\n")
        raise SystemExit(2) from None
    execute_from_command_line(argv if argv is not None else sys.argv)


if __name__ == "__main__":
    main()
