"""``anju framework …``: show, check and export indicator frameworks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from anju.adapters.framework_table import export_workbook, read_workbook, write_framework_dir
from anju.cli.common import DEFAULT_FRAMEWORK, console, fail, framework_arg, say
from anju.decimals import plain
from anju.files import write_bytes, write_text
from anju.framework import FrameworkError, builtin_framework, builtin_years, load_framework
from anju.framework.describe import describe_rule, provenance_of
from anju.framework.diff import CHANGE_LABELS, ProgramDiff, diff_frameworks
from anju.framework.loader import framework_json_schema
from anju.framework.mapping import mapping_sources

framework_app = typer.Typer(help="查看和校验绩效评价指标体系。", no_args_is_help=True, rich_markup_mode=None)


@framework_app.command("check")
def framework_check(
    file: Annotated[Path, typer.Argument(help="指标体系目录、framework.yaml、单个项目文件，或内置年度（如 2024）")],
) -> None:
    """校验指标体系文件：字段、规则类型、分值合计、引用的数据项、说明模板和附件统计表。

    示例：anju framework check src/anju/framework/frameworks/2022
    """
    try:
        fw = load_framework(file) if file.exists() or str(file) not in builtin_years() else builtin_framework(str(file))
    except FrameworkError as exc:
        fail(f"指标体系有 {len(exc.problems)} 处问题：", exc.problems)
    if fw.parent is not None:
        say(f"继承“{fw.parent.label}”（extends: {fw.extends}），修改后：")
    for program in fw.programs:
        count = sum(1 for _ in program.items())
        say(f"{program.label}（{program.id}）：{count} 个指标节点，满分 {plain(program.points)} 分，校验通过。")
    tables = fw.appendix.tables
    if tables:
        sheets = "、".join(table.sheet for table in tables)
        say(f"附件统计表：{len(tables)} 张（{sheets}），校验通过。")


@framework_app.command("show")
def framework_show(
    ref: Annotated[str, typer.Argument(help="内置年度（如 2022）或指标体系目录")] = DEFAULT_FRAMEWORK,
    program: Annotated[str | None, typer.Option("--program", "-p", help="只显示一个项目（项目编号，如 rental）")] = None,
) -> None:
    """打印指标体系表：各级指标、分值、评分规则和来源标注。

    示例：anju framework show 2022 --program rental
    """
    fw = framework_arg(ref)
    say(f"{fw.label}  来源：{fw.source or '-'}")
    if fw.provenance_note:
        say(fw.provenance_note)
    say(f"按比例计分：统一保留{fw.rounding.places_text}，四舍五入（{fw.rounding.provenance.label}）"
        + (f"。{fw.rounding.note}" if fw.rounding.note else ""))
    changes = diff_frameworks(fw.parent, fw) if fw.parent is not None else None
    if changes is not None and fw.parent is not None:
        say(f"本指标体系继承“{fw.parent.label}”（extends: {fw.extends}），“变更”列标出改动的指标。")
        if changes.fields:
            say("；".join(f"{f.label}：{f.before} → {f.after}" for f in changes.fields))
    if program is not None and program not in {p.id for p in fw.programs}:
        fail(f"指标体系“{fw.label}”没有项目“{program}”（有：{'、'.join(f'{p.id} {p.label}' for p in fw.programs)}）")
    for prog in fw.programs:
        if program and prog.id != program:
            continue
        table = Table(title=f"{prog.label}（{prog.id}，满分{plain(prog.points)}分）", title_justify="left")
        table.add_column("编号", overflow="fold")
        table.add_column("指标", overflow="fold")
        table.add_column("分值", justify="right")
        table.add_column("评分规则", overflow="fold")
        table.add_column("来源")
        marks = changes.changed_paths(prog.id) if changes is not None else {}
        if changes is not None:
            table.add_column("变更")
        for path, item in prog.items():
            depth = path.count(".")
            row = [path, "  " * depth + item.label, plain(item.points), describe_rule(item, fw.rounding), provenance_of(item).label]
            if changes is not None:
                row.append(CHANGE_LABELS[marks[path]] if path in marks else "")
            table.add_row(*row)
        console.print(table)
        if changes is not None:
            program_diff = next((d for d in changes.programs if d.program_id == prog.id), None)
            for line in _variant_notes(program_diff):
                say(line)


@framework_app.command("schema")
def framework_schema(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="保存路径；省略则打印")] = None,
) -> None:
    """导出指标体系文件的 JSON Schema，供编辑器校验和补全。

    示例：anju framework schema -o framework.schema.json
    """
    text = framework_json_schema()
    if output:
        write_text(output, text)
        say(f"JSON Schema 已保存：{output}")
    else:
        print(text)


@framework_app.command("list")
def framework_list() -> None:
    """列出内置的指标体系年度。

    示例：anju framework list
    """
    for year in builtin_years():
        console.print(year)


@framework_app.command("diff")
def framework_diff(
    before: Annotated[str, typer.Argument(help="较早的指标体系：内置年度（如 2022）或目录")],
    after: Annotated[str, typer.Argument(help="较新的指标体系：内置年度（如 2024）或目录")],
) -> None:
    """对比两个指标体系：新增、删除和修改的项目与指标，分值、评分规则（阈值、分档）和说明模板的前后变化，以及声明的数据项对应关系。

    示例：anju framework diff 2022 2024
    """
    old, new = framework_arg(before), framework_arg(after)
    for line in diff_frameworks(old, new).lines():
        say(line)
    mapping = new.mapping_from(old.id)
    if mapping is None:
        say(f"“{new.label}”没有声明与“{old.label}”的数据项对应关系：跨年度比较不可用。")
        return
    say(f"数据项对应关系（跨年度比较用；{mapping.note or '见对应关系文件'}）：")
    for (program_id, figure_id), (source, parts) in mapping_sources(mapping, new, old).items():
        program, old_program = new.program(program_id), old.program(source)
        names = " + ".join(f"{old_program.figure(p).label}（{source}.{p}）" for p in parts)
        say(f"  {program.label}：{program.figure(figure_id).label}（{figure_id}） ← {names}")


@framework_app.command("export")
def framework_export(
    ref: Annotated[str, typer.Argument(help="内置年度（如 2022）或指标体系目录")],
    output: Annotated[Path, typer.Option("--output", "-o", help="保存的 Excel 文件（.xlsx）")],
) -> None:
    """把指标体系导出为 Excel 指标表：官方栏目（一级/二级/三级指标、分值、评分标准、指标说明）与计分所需的机器栏目在同一行，含数据校验。

    示例：anju framework export 2022 -o 指标表.xlsx
    """
    fw = framework_arg(ref)
    write_bytes(output, export_workbook(fw))
    note = "（继承关系已展开为完整的指标表）" if fw.parent is not None else ""
    say(f"指标表已保存：{output}（{len(fw.programs)}个项目，每个项目一个工作表）{note}")


@framework_app.command("import")
def framework_import(
    workbook: Annotated[Path, typer.Argument(help="填好的 Excel 指标表（由 anju framework export 导出）")],
    output: Annotated[Path, typer.Option("--output", "-o", help="写入指标体系 YAML 的新目录")],
) -> None:
    """从 Excel 指标表读回指标体系（YAML 目录）：逐格校验，任何问题都指明工作表和单元格，有问题则不写入。

    示例：anju framework import 指标表.xlsx -o 我的指标体系/
    """
    if not workbook.is_file():
        fail(f"找不到文件：{workbook}")
    try:
        fw = read_workbook(workbook)
        loaded = write_framework_dir(fw, output)
    except FrameworkError as exc:
        fail(f"指标表有 {len(exc.problems)} 处问题，未写入：", exc.problems)
    say(f"已导入“{loaded.label}”（{len(loaded.programs)}个项目）到 {output}；指纹 {loaded.digest[:12]}。")
    say(f"下一步：anju framework check {output}")


def _variant_notes(program_diff: ProgramDiff | None) -> list[str]:
    """Below a variant's table: what it removed and what changed in the program itself."""
    if program_diff is None:
        return ["  （本项目未作改动）"]
    if program_diff.kind == "added":
        return ["  （本项目为新增）"]
    lines = [f"  {f.label}：{f.before} → {f.after}" for f in program_diff.fields]
    lines += [f"  删除指标：{c.label}（{c.path}）" for c in program_diff.items if c.kind == "removed"]
    return lines


def register(app: typer.Typer) -> None:
    app.add_typer(framework_app, name="framework")
