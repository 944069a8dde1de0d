"""Convert the Word document to PDF with LibreOffice (``soffice --headless --convert-to pdf``).

Line-end punctuation: LibreOffice reads a Word paragraph as allowing hanging punctuation
(ODF ``style:punctuation-wrap="hanging"``), and on the 28-character grid (−0.25 pt spacing) a
、，。 that would hang past the right margin is neither drawn nor in the text layer. The conversion
therefore goes through a flat ODF file in which every style's punctuation wrap is ``simple`` (the
punctuation is kept on the line or the line is broken before it, as Word and WPS do), then to PDF;
the .docx itself is unchanged.

LibreOffice is optional and heavy; when it is missing, :class:`PdfUnavailable` says how to install
it. The official fonts (仿宋_GB2312, 楷体_GB2312, 黑体, 方正小标宋简体, 宋体) are usually absent on a
Linux server; the conversion then runs with a fontconfig file that maps each missing one to the
closest font installed (Noto Serif/Sans CJK, AR PL UKai), so the PDF still distinguishes body,
headings and title. Word or WPS with the real fonts gives the exact look.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

INSTALL_HINT = (
    "未找到 LibreOffice（soffice），无法生成 PDF。Debian/Ubuntu 上以 root 身份运行 "
    "apt-get install libreoffice-writer（服务器可用 libreoffice-writer-nogui）后重试；"
    "也可以在 Word 或 WPS 中打开生成的 .docx，另存为 PDF。"
)
TIMEOUT_SECONDS = 240
SYSTEM_FONTS_CONF = Path("/etc/fonts/fonts.conf")


class PdfUnavailable(RuntimeError):
    """LibreOffice is not installed."""


class PdfError(RuntimeError):
    """LibreOffice ran but produced no PDF."""


@dataclass(frozen=True)
class Substitute:
    family: str
    bold: bool = False


# Official font → substitutes in order of preference (first installed one wins).
SUBSTITUTES: dict[str, tuple[Substitute, ...]] = {
    "仿宋_GB2312": (Substitute("FangSong"), Substitute("仿宋"), Substitute("Noto Serif CJK SC")),
    "楷体_GB2312": (Substitute("KaiTi"), Substitute("楷体"), Substitute("AR PL UKai CN"), Substitute("Noto Serif CJK SC")),
    "黑体": (Substitute("SimHei"), Substitute("Noto Sans CJK SC"), Substitute("WenQuanYi Zen Hei")),
    "方正小标宋简体": (Substitute("方正小标宋_GBK"), Substitute("Noto Serif CJK SC", bold=True)),
    "宋体": (Substitute("SimSun"), Substitute("Noto Serif CJK SC"), Substitute("AR PL UMing CN")),
}


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def installed_families() -> set[str]:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return set()
    result = subprocess.run([fc_list, ":", "family"], capture_output=True, text=True, check=False, timeout=60)
    families: set[str] = set()
    for line in result.stdout.splitlines():
        families.update(name.strip() for name in line.split(",") if name.strip())
    return families


def font_substitutions(families: set[str]) -> dict[str, Substitute]:
    """For each official font not installed, the first installed substitute."""
    chosen: dict[str, Substitute] = {}
    for official, options in SUBSTITUTES.items():
        if official in families:
            continue
        for option in options:
            if option.family in families:
                chosen[official] = option
                break
    return chosen


def fontconfig_file(substitutions: dict[str, Substitute], directory: Path) -> Path | None:
    """A fontconfig file: the system configuration plus one rule per substituted font."""
    if not substitutions or not SYSTEM_FONTS_CONF.is_file():
        return None
    rules = []
    for official, sub in substitutions.items():
        weight = '<edit name="weight" mode="assign" binding="strong"><const>bold</const></edit>' if sub.bold else ""
        rules.append(
            '  <match target="pattern">'
            f'<test name="family" compare="eq"><string>{escape(official)}</string></test>'
            f'<edit name="family" mode="assign" binding="strong"><string>{escape(sub.family)}</string></edit>'
            f"{weight}</match>"
        )
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f"  <include ignore_missing=\"yes\">{SYSTEM_FONTS_CONF}</include>\n" + "\n".join(rules) + "\n</fontconfig>\n"
    )
    path = directory / "fonts.conf"
    path.write_text(text, encoding="utf-8")
    return path


def convert_to_pdf(docx: Path, target: Path) -> tuple[Path, dict[str, Substitute]]:
    """Write ``target`` (a .pdf) from ``docx``; returns it and the fonts that were substituted."""
    soffice = soffice_path()
    if soffice is None:
        raise PdfUnavailable(INSTALL_HINT)
    substitutions = font_substitutions(installed_families())
    with tempfile.TemporaryDirectory(prefix="anju-pdf-") as tmp:
        work = Path(tmp)
        env = dict(os.environ)
        conf = fontconfig_file(substitutions, work)
        if conf is not None:
            env["FONTCONFIG_FILE"] = str(conf)
        outdir = work / "out"
        flat = _convert(soffice, work, env, docx.resolve(), "fodt", outdir / "flat")
        _no_hanging_punctuation(flat)
        produced = _convert(soffice, work, env, flat, "pdf", outdir)
        produced = produced.rename(produced.with_name(docx.stem + ".pdf"))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(produced), target)
    return target, substitutions


HANGING = 'style:punctuation-wrap="hanging"'
SIMPLE = 'style:punctuation-wrap="simple"'


def _no_hanging_punctuation(flat: Path) -> None:
    """Every paragraph style and paragraph of a flat ODF document: punctuation never hangs."""
    text = flat.read_text(encoding="utf-8")
    flat.write_text(text.replace(HANGING, SIMPLE), encoding="utf-8")


def _convert(soffice: str, work: Path, env: dict[str, str], source: Path, kind: str, outdir: Path) -> Path:  # noqa: PLR0917
    command = [
        soffice,
        f"-env:UserInstallation={(work / 'profile').as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        kind,
        "--outdir",
        str(outdir),
        str(source),
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise PdfError(f"LibreOffice 转换超过 {TIMEOUT_SECONDS} 秒未完成：{source}") from None
    produced = outdir / (source.stem + "." + kind)
    if result.returncode != 0 or not produced.is_file():
        detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise PdfError(f"LibreOffice 未能把 {source} 转为 {kind.upper()}（退出码 {result.returncode}）：{' '.join(detail)}")
    return produced
