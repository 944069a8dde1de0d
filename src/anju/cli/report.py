"""Commands ``anju report`` and ``anju report-template`` (registered on the main app by ``register``).

Exit codes: 0 success; 2 bad input (dataset, framework, Word template); 3 a system dependency is
missing: the CJK font for the charts, or LibreOffice for ``--pdf`` (then every other file is written).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from anju.adapters.report import (
    DEFAULT_TEMPLATE,
    FontMissingError,
    PdfError,
    PdfUnavailable,
    TemplateProblem,
    write_report,
)
from anju.adapters.report.pdf import convert_to_pdf
from anju.checks import run_checks
from anju.cli.common import (
    EXIT_TOOL_MISSING,
    FiguresOpt,
    OptionalFrameworkOpt,
    console,
    dataset_tree,
    fail,
    load_and_evaluate,
    parse_date,
    say,
)
from anju.dataset import Dataset
from anju.files import write_bytes
from anju.framework.models import Framework
from anju.problems import ConsistencyCode
from anju.targets import Targets, TargetsError, load_targets
from anju.targets.loader import TARGETS_FILE


def report_cmd(
    path: Annotated[Path, typer.Argument(help="数据集目录（含 dataset.yaml）或数据集文件")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="输出目录（默认 out/<数据集名>/report）")] = None,
    template: Annotated[
        Path | None, typer.Option("--template", "-t", help="自定义 Word 模板（.docx，可由 anju report-template 导出后修改）")
    ] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="同时用 LibreOffice 生成 PDF")] = False,
    charts: Annotated[
        bool, typer.Option("--charts", help="附上得分情况图（每个项目一图，标出失分之处；默认不附，佐证材料目录随之前移一号）")
    ] = False,
    framework: OptionalFrameworkOpt = None,
    from_units: Annotated[bool, typer.Option("--from-units", help="计分数据由 units.yaml 中各市县数据汇总而来（同 --figures units）")] = False,
    figures: FiguresOpt = None,
    units: Annotated[Path | None, typer.Option("--units", help="分地区数据文件（默认为数据集目录中的 units.yaml）")] = None,
    issuer: Annotated[
        list[str] | None, typer.Option("--issuer", help="发文机关署名（可重复，联合行文如 --issuer 吉林省财政厅 --issuer 吉林省住房和城乡建设厅；默认取数据集 signature 或本省财政厅）")
    ] = None,
    signed: Annotated[str | None, typer.Option("--date", help="成文日期（如 2023-02-28；默认取数据集 signature.date 或今天）")] = None,
    contact: Annotated[str | None, typer.Option("--contact", help="附注中的联系人")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="附注中的联系电话")] = None,
    targets: Annotated[
        Path | None, typer.Option("--targets", help="绩效目标文件（默认为数据集目录中的 targets.yaml；没有时自评表的指标值取自数据集）")
    ] = None,
    province_only: Annotated[
        bool, typer.Option("--province-only", help="附件统计表只列全省一行（默认有分地区数据时按市州分行）")
    ] = False,
) -> None:
    """生成全套评价材料：说明（Word/Markdown/纯文本）、得分表与附件统计表（Excel），可选图表与 PDF。

    示例：anju report examples/jilin-2022 -o out/ --charts --pdf
    """
    fw, dataset, evaluation, sources = load_and_evaluate(path, framework, from_units, units, "未生成材料",
                                                         choice=figures, use_rows=not province_only)
    findings = run_checks(fw, dataset, evaluation)
    contradictions = [p for p in findings if p.code == ConsistencyCode.NARRATIVE_CONTRADICTION]
    if contradictions:
        fail(f"说明文字与评价结果有 {len(contradictions)} 处矛盾，未生成材料（请修改 dataset.yaml 中的 narrative，"
             "或在其中用占位符如 {violations}、{score}、{clause_<要点编号>} 让文字随数据生成）：",
             [p.message for p in contradictions])
    given = dataset.signature
    signature = given.model_copy(update={
        key: value for key, value in (
            ("issuers", list(issuer) if issuer else None),
            ("date", parse_date(signed, "--date") if signed else None),
            ("contact", contact), ("phone", phone),
        ) if value is not None
    })
    goals = _targets(path, targets, fw, dataset)
    directory = output or _default_dir(path)
    try:
        files = write_report(evaluation, fw, dataset, directory, template=template, pdf=False, rows=sources.rows,
                             rows_note=sources.rows_note, source_notes=sources.notes, findings=findings, signature=signature,
                             targets=goals, charts=charts)
    except TemplateProblem as exc:
        fail(f"Word 模板有问题（{exc.template}）：", exc.problems)
        return
    except FontMissingError as exc:
        fail("无法绘制图表：", [str(exc)], EXIT_TOOL_MISSING)
        return
    pdf_problem: str | None = None
    if pdf:
        try:
            target, substitutions = convert_to_pdf(files.docx, files.docx.with_suffix(".pdf"))
            files.pdf = target
            files.pdf_fonts = {official: sub.family for official, sub in substitutions.items()}
        except (PdfUnavailable, PdfError) as exc:
            pdf_problem = str(exc)
    say(f"已生成{evaluation.region_name}{evaluation.year}年度绩效评价材料（目录：{directory}）：")
    for label, file in files.listing():
        say(f"  {label}：{file}")
    say(f"核对清单：{files.checklist.summary()}。签发前请逐项核对（{files.checklist_markdown.name}）。")
    if files.pdf_fonts:
        used = "，".join(f"{official}→{family}" for official, family in files.pdf_fonts.items())
        console.print(f"  注：本机未安装公文字体，PDF 中以近似字体代替（{used}）；在装有这些字体的 Word/WPS 中打开 .docx 可得准确版式。",
                      markup=False)
    if pdf_problem:
        fail("未生成 PDF：", [pdf_problem], EXIT_TOOL_MISSING)


def _targets(path: Path, given: Path | None, framework: Framework, dataset: Dataset) -> Targets | None:
    """The targets beside the dataset (or ``given``); None when there are none."""
    target = given or ((path if path.is_dir() else path.parent) / TARGETS_FILE)
    if not target.exists():
        if given is not None:
            fail(f"没有找到绩效目标文件 {target}")
        return None
    try:
        found = load_targets(target, framework, dataset_tree(dataset))
    except TargetsError as exc:
        fail(f"绩效目标文件有 {len(exc.problems)} 处问题，未生成材料：", exc.problems)
    say(f"区域绩效自评表的指标值取自绩效目标：{target}")
    return found


def _default_dir(path: Path) -> Path:
    p = path.resolve()
    name = p.name if p.is_dir() else p.stem
    return Path("out") / name / "report"


def report_template_cmd(
    output: Annotated[Path, typer.Argument(help="保存路径（.docx）")],
    force: Annotated[bool, typer.Option("--force", help="目标文件已存在时覆盖")] = False,
) -> None:
    """导出内置的 Word 模板，供在 Word 或 WPS 中修改后用 anju report --template 使用。

    模板中的占位符（如 {{ title }}、{{ program.heading }}）说明见 README“报告模板”一节。

    示例：anju report-template 我的模板.docx
    """
    if output.suffix.lower() != ".docx":
        fail("模板必须保存为 .docx 文件：", [str(output)])
    if output.exists() and not force:
        fail("目标文件已存在（加 --force 覆盖）：", [str(output)])
    write_bytes(output, DEFAULT_TEMPLATE.read_bytes())
    say(f"模板已导出：{output}")


def register(app: typer.Typer) -> None:
    app.command("report")(report_cmd)
    app.command("report-template")(report_template_cmd)
