"""``anju allocate …``: allocation by the factor method (因素法).

``anju allocate METHOD INPUTS -o DIR`` allocates (``run`` is the default command), prints the table
and what a point of score is worth, and writes the 资金分配表 (.xlsx), the draft notice (.docx) and
``allocation.json``; ``template`` writes the inputs workbook, ``import`` reads a filled one back,
``compare`` and ``sensitivity`` run scenarios, ``list``/``show``/``check``/``schema`` deal with methods.

Exit codes: 0 success; 2 the method or the inputs were refused (every problem with file and line, or
sheet and cell) and nothing was written.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from typer.core import TyperGroup

from anju.adapters.allocation import (
    import_inputs,
    write_allocation_table,
    write_inputs_template,
    write_notice,
)
from anju.allocation import (
    Allocation,
    AllocationError,
    FactorMethod,
    InputsError,
    MethodError,
    Resolved,
    allocate,
    builtin_method_ids,
    item_gains,
    load_method,
    method_arg,
    point_values,
)
from anju.allocation.describe import method_lines, share_lines
from anju.allocation.inputs import (
    LEVEL_LABELS,
    dump_inputs,
    locate,
    read_inputs,
    recipients_of,
    resolve,
)
from anju.allocation.loader import method_json_schema
from anju.allocation.payload import allocation_payload, money
from anju.allocation.scenarios import REWARD_TARGET, Difference, ScenarioError, compare, sensitivity
from anju.allocation.worth import ItemGain, PointValue, money_text
from anju.cli.common import console, fail, say
from anju.collect.regions import RegionError, RegionTree, builtin_region_tree, load_region_trees
from anju.decimals import plain
from anju.framework import builtin_framework
from anju.problems import Problem, Severity
from anju.yamlio import YamlDocument

TABLE_FILE = "资金分配表.xlsx"
NOTICE_FILE = "下达资金通知（代拟稿）.docx"
JSON_FILE = "allocation.json"
XLSX_SUFFIX = ".xlsx"


class _RunByDefault(TyperGroup):
    """``anju allocate 2022 inputs.yaml`` means ``anju allocate run 2022 inputs.yaml``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # typer's own (vendored) click Context
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


allocate_app = typer.Typer(
    cls=_RunByDefault,
    help="按因素法测算分配补助资金：anju allocate 分配办法 输入文件 -o 目录（分配办法为内置年度或 YAML 文件）。",
    no_args_is_help=True,
    rich_markup_mode=None,
)

MethodArg = Annotated[str, typer.Argument(help="分配办法：内置年度（2019、2020、2022、2024）或分配办法 YAML 文件")]
InputsArg = Annotated[Path, typer.Argument(help="分配测算输入：YAML 文件，或由 anju allocate template 生成并填好的 .xlsx")]
RegionsOpt = Annotated[Path | None, typer.Option("--regions", help="行政区划文件或目录（默认用内置表）")]


# --- loading ---------------------------------------------------------------------------------


def _method(ref: str) -> FactorMethod:
    try:
        return method_arg(ref)
    except MethodError as exc:
        fail(f"分配办法“{ref}”有 {len(exc.problems)} 处问题：", exc.problems)


def _trees(regions: Path | None) -> dict[str, RegionTree] | None:
    if regions is None:
        return None
    try:
        return dict(load_region_trees(regions))
    except RegionError as exc:
        fail(f"行政区划表有 {len(exc.problems)} 处问题：", exc.problems)


def _inputs(path: Path, method: FactorMethod, regions: Path | None) -> tuple[Resolved, YamlDocument | None]:
    """Inputs from YAML or a filled workbook, resolved; every problem printed on refusal."""
    doc: YamlDocument | None = None
    try:
        if path.suffix.lower() == XLSX_SUFFIX:
            inputs = import_inputs(path, method, display=str(path))
            return resolve(inputs, method, None, base=path.resolve().parent, trees=_trees(regions), display=str(path)), None
        inputs, doc = read_inputs(path)
        if inputs.method is not None and inputs.method != method.id:
            console.print(f"[yellow]注意：输入文件声明的分配办法为“{inputs.method}”，本次按“{method.id}”测算。[/]")
        return resolve(inputs, method, doc, base=path.resolve().parent, trees=_trees(regions)), doc
    except InputsError as exc:
        fail(f"分配测算输入有 {len(exc.problems)} 处问题，未测算：", exc.problems)


def _allocate(method: FactorMethod, resolved: Resolved, doc: YamlDocument | None) -> Allocation:
    try:
        return allocate(method, resolved.regions, resolved.amounts)
    except AllocationError as exc:
        fail(f"无法按“{method.label}”分配（{len(exc.problems)} 处问题），未测算：", locate(exc.problems, resolved.path, doc))


def _gains(allocation: Allocation, resolved: Resolved, codes: Sequence[str]) -> list[ItemGain]:
    gains: list[ItemGain] = []
    for code in codes:
        evaluation = resolved.evaluations.get(code)
        if evaluation is None:
            continue
        framework = resolved.framework or builtin_framework(evaluation.framework_id)
        gains.extend(item_gains(allocation, framework, evaluation, code))
    return gains


def _worth_codes(resolved: Resolved, asked: list[str] | None) -> list[str]:
    """The regions whose lost points are priced: those asked for, or every region whose evaluation
    the inputs name."""
    if asked:
        return asked
    return [code for code, region in resolved.inputs.regions.items() if region.evaluation is not None]


# --- printing --------------------------------------------------------------------------------


def print_allocation(allocation: Allocation) -> None:
    method = allocation.method
    say(f"分配办法：{method.label}")
    table = Table(title="分配结果（万元）", title_justify="left")
    table.add_column("代码")
    table.add_column("地区", overflow="fold")
    for program in allocation.programs:
        table.add_column(f"{program.label}\n任务/奖励/合计", justify="right")
    table.add_column("合计", justify="right")
    for code, name in allocation.regions:
        cells = []
        for program in allocation.programs:
            share = program.share(code)
            cells.append(f"{money(allocation, share.task_amount)}\n{money(allocation, share.reward_amount)}\n"
                         f"{money(allocation, share.amount)}")
        table.add_row(code, name, *cells, money(allocation, allocation.region_total(code)))
    totals = [f"{money(allocation, p.task_pool)}\n{money(allocation, p.reward_pool)}\n{money(allocation, p.amount)}"
              for p in allocation.programs]
    table.add_row("", "合计", *totals, money(allocation, allocation.total), style="bold")
    console.print(table)


def print_worth(allocation: Allocation, points: list[PointValue], gains: list[ItemGain], codes: Sequence[str]) -> None:
    method = allocation.method
    assumed = "；该办法的因素权重、绩效调节系数等为假设，金额仅供参考" if method.assumed() else ""
    say(f"\n每一分值多少钱（按{method.short_label}：{method.label}{assumed}；其他地区得分不变）：")
    shown = [p for p in points if not codes or p.code in codes]
    for point in shown:
        say(f"  {point.name}：{point.program_label}上年得分{plain(point.score)}分，每提高1分，"
            f"次年奖励资金约增加{money_text(allocation, point.per_point)}万元")
    for gain in gains:
        say(f"  {gain.name}·{gain.program_label}：{gain.sentence}")


def print_notes(notes: Sequence[Problem]) -> None:
    if not notes:
        return
    say("\n提示：")
    for note in notes:
        color = "yellow" if note.severity is Severity.warning else "cyan"
        console.print(f"  [{color}]{note.severity.label}[/] ", end="")
        say(note.message)


# --- commands --------------------------------------------------------------------------------


@allocate_app.command("run")
def run_cmd(
    method_ref: MethodArg,
    inputs: InputsArg,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="输出目录（默认 out/allocation/<输入文件名>）")] = None,
    output_format: Annotated[str, typer.Option("--format", help="text（默认）或 json（打印到标准输出）")] = "text",
    worth: Annotated[list[str] | None, typer.Option("--worth", help="列出这些地区（代码）失分指标的分值（默认：输入中给出评价结果的地区）")] = None,
    trace: Annotated[list[str] | None, typer.Option("--trace", help="打印这些地区（代码）的完整计算过程")] = None,
    regions: RegionsOpt = None,
) -> None:
    """按因素法测算：打印分配表和每一分值多少钱，写出资金分配表（Excel）、下达通知代拟稿（Word）和 allocation.json。

    示例：anju allocate run 2022 examples/allocation-2023/national.yaml -o out/allocation-2023
    （run 可省略：anju allocate 2022 …）
    """
    if output_format not in {"text", "json"}:
        fail(f"--format 只能是 text 或 json，实为“{output_format}”")
    method = _method(method_ref)
    resolved, doc = _inputs(inputs, method, regions)
    allocation = _allocate(method, resolved, doc)
    codes = _worth_codes(resolved, worth)
    points = point_values(allocation)
    gains = _gains(allocation, resolved, codes if worth else list(resolved.evaluations))
    directory = output or Path("out") / "allocation" / inputs.stem
    payload = allocation_payload(allocation, resolved, points, gains, trace=True)
    _write(directory, allocation, resolved, payload)
    if output_format == "json":
        print(json.dumps(allocation_payload(allocation, resolved, points, gains), ensure_ascii=False, indent=2))
        return
    if resolved.inputs.title:
        say(resolved.inputs.title)
    print_allocation(allocation)
    print_worth(allocation, points, [g for g in gains if g.code in codes], codes)
    for code in trace or []:
        _print_trace(allocation, code)
    print_notes([*resolved.notes, *allocation.all_notes()])
    say(f"\n已写出（目录：{directory}）：")
    for label, name in (("资金分配表", TABLE_FILE), ("下达资金通知（代拟稿）", NOTICE_FILE), ("测算结果 JSON", JSON_FILE)):
        say(f"  {label}：{directory / name}")


def _print_trace(allocation: Allocation, code: str) -> None:
    if code not in dict(allocation.regions):
        fail(f"--trace：没有参与分配的地区“{code}”")
    for program in allocation.programs:
        say("")
        for line in share_lines(allocation.method, program, program.share(code)):
            say(line)


def _write(directory: Path, allocation: Allocation, resolved: Resolved, payload: dict[str, Any]) -> None:
    write_allocation_table(allocation, directory / TABLE_FILE, resolved)
    write_notice(allocation, directory / NOTICE_FILE, resolved)
    target = directory / JSON_FILE
    partial = target.with_name(f".{target.name}.part")
    partial.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    partial.replace(target)


@allocate_app.command("template")
def template_cmd(
    method_ref: MethodArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="保存路径（.xlsx）")],
    inputs: Annotated[Path | None, typer.Option("--inputs", help="按此输入文件的地区生成并预填（含由报表汇总的因素和由评价取得的得分）")] = None,
    level: Annotated[str | None, typer.Option("--level", help="province（中央到省）、prefecture（省到市州）或 county（省到各报表单位）")] = None,
    region: Annotated[str | None, typer.Option("--region", "-r", help="分配资金的省（6位代码），市州或县级分配时必填")] = None,
    year: Annotated[int | None, typer.Option("--year", help="资金年度（默认为分配办法的年度）")] = None,
    regions: RegionsOpt = None,
) -> None:
    """生成分配测算输入表（Excel）：基本信息、财政困难程度系数与上年得分、各项目分配因素，填好后可直接用于测算。

    示例：anju allocate template 2022 --level prefecture --region 220000 --year 2023 -o 吉林省分配测算输入表.xlsx
    """
    method = _method(method_ref)
    if output.suffix.lower() != XLSX_SUFFIX:
        fail("输入表必须保存为 .xlsx 文件：", [str(output)])
    if inputs is not None:
        resolved, _ = _inputs(inputs, method, regions)
        the_inputs = resolved.inputs
        rows = [(r.code, r.name) for r in resolved.regions]
        layout = write_inputs_template(method, output, level=the_inputs.level, region=the_inputs.region or "",
                                       year=the_inputs.year, regions=rows, values=the_inputs, prefill=resolved.regions)
    else:
        if level not in LEVEL_LABELS:
            fail("请用 --level 指定 province、prefecture 或 county（或用 --inputs 按输入文件生成）")
        tree: RegionTree | None = None
        if level != "province":
            if region is None:
                fail(f"{LEVEL_LABELS[level]}分配须用 --region 指定分配资金的省")
            tree = (_trees(regions) or {}).get(region) if regions is not None else _builtin_tree(region)
            if tree is None:
                fail(f"{regions} 中没有地区“{region}”的行政区划表")
        the_year = year or method.year
        rows = list(recipients_of(level, tree, the_year).items())
        layout = write_inputs_template(method, output, level=level, region=region or "", year=the_year, regions=rows)
    say(f"分配测算输入表已生成：{output}（{len(layout.regions)} 个地区，{len(method.programs)} 个项目；校验码 {layout.checksum}）")


def _builtin_tree(code: str) -> RegionTree:
    try:
        return builtin_region_tree(code)
    except RegionError as exc:
        fail("行政区划表有问题：", exc.problems)


@allocate_app.command("import")
def import_cmd(
    method_ref: MethodArg,
    workbook: Annotated[Path, typer.Argument(help="填好的分配测算输入表（.xlsx）")],
    output: Annotated[Path, typer.Option("--output", "-o", help="保存为 YAML 输入文件")],
) -> None:
    """严格读回填好的分配测算输入表，保存为 YAML 输入文件（每处问题指明工作表和单元格）。

    示例：anju allocate import 2022 吉林省分配测算输入表.xlsx -o inputs.yaml
    """
    method = _method(method_ref)
    try:
        inputs = import_inputs(workbook, method, display=str(workbook))
    except InputsError as exc:
        fail(f"输入表有 {len(exc.problems)} 处问题，未导入：", exc.problems)
    header = f"由 {workbook.name} 导入的分配测算输入（分配办法 {method.id}）"
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.part")
    partial.write_text(dump_inputs(inputs, header), encoding="utf-8")
    partial.replace(output)
    say(f"已导入 {len(inputs.regions)} 个地区：{output}")


def _print_differences(left: Allocation, right: Allocation, differences: list[Difference], title: str) -> None:
    table = Table(title=title, title_justify="left")
    for name in ("代码", "地区", "项目", "方案一", "方案二", "变化"):
        table.add_column(name, justify="right" if name in {"方案一", "方案二", "变化"} else "left")
    labels = {p.id: p.label for p in [*left.programs, *right.programs]}
    for diff in differences:
        change = diff.change
        table.add_row(diff.code, diff.name, labels.get(diff.program, diff.program), money(left, diff.left),
                      money(left, diff.right), ("+" if change > 0 else "") + money(left, change))
    say(f"方案一：{left.method.label}")
    say(f"方案二：{right.method.label}")
    console.print(table)


@allocate_app.command("compare")
def compare_cmd(
    method_ref: MethodArg,
    inputs: InputsArg,
    other_method: Annotated[str | None, typer.Option("--with-method", help="对比的分配办法（默认与方案一相同）")] = None,
    other_inputs: Annotated[Path | None, typer.Option("--with-inputs", help="对比的输入文件（默认与方案一相同）")] = None,
    regions: RegionsOpt = None,
) -> None:
    """两个方案并排：两种分配办法，或两套输入，逐地区逐项目列出金额及变化。

    示例：anju allocate compare 2022 national.yaml --with-method 2024
    """
    if other_method is None and other_inputs is None:
        fail("请用 --with-method 或 --with-inputs 指定对比方案")
    method = _method(method_ref)
    resolved, doc = _inputs(inputs, method, regions)
    left = _allocate(method, resolved, doc)
    method_b = _method(other_method) if other_method else method
    resolved_b, doc_b = _inputs(other_inputs or inputs, method_b, regions)
    right = _allocate(method_b, resolved_b, doc_b)
    _print_differences(left, right, compare(left, right), "两个方案的分配结果（万元）")


@allocate_app.command("sensitivity")
def sensitivity_cmd(
    method_ref: MethodArg,
    inputs: InputsArg,
    program: Annotated[str, typer.Option("--program", "-p", help="项目编号（如 renovation）")],
    weight: Annotated[str, typer.Option("--weight", "-w", help=f"因素编号=新权重（%），或 {REWARD_TARGET}=新奖励比例，如 planned_area=40")],
    regions: RegionsOpt = None,
) -> None:
    """敏感性：把一个因素的权重（或奖励资金比例）改为给定值、其余按比例调整，列出各地区金额的变化。

    示例：anju allocate sensitivity 2022 national.yaml -p renovation -w planned_area=40
    """
    target, _, text = weight.partition("=")
    try:
        value = Decimal(text)
    except InvalidOperation:
        fail(f"--weight 应写作“因素编号=百分数”，如 planned_area=40，实为“{weight}”")
    method = _method(method_ref)
    resolved, _ = _inputs(inputs, method, regions)
    try:
        base, variant, differences = sensitivity(method, resolved.regions, resolved.amounts, program_id=program,
                                                   target=target, value=value)
    except (ScenarioError, AllocationError) as exc:
        fail("无法测算：", exc.problems)
    _print_differences(base, variant, [d for d in differences if d.program == program], "敏感性（万元）")


@allocate_app.command("list")
def list_cmd() -> None:
    """列出内置的分配办法。

    示例：anju allocate list
    """
    for method_id in builtin_method_ids():
        method = _method(method_id)
        say(f"{method_id}  {method.label}（项目：{'、'.join(p.label for p in method.programs)}）")


@allocate_app.command("show")
def show_cmd(method_ref: MethodArg) -> None:
    """打印分配办法：各项目的因素、权重、财政困难程度系数的用法、奖励比例和绩效调节系数，每个数字带来源标注。

    示例：anju allocate show 2022
    """
    for line in method_lines(_method(method_ref)):
        say(line)


@allocate_app.command("check")
def check_cmd(file: Annotated[Path, typer.Argument(help="分配办法 YAML 文件")]) -> None:
    """校验分配办法文件：字段、权重合计100%、因素引用的数据项、绩效调节系数分档。

    示例：anju allocate check src/anju/allocation/methods/2022.yaml
    """
    try:
        method = load_method(file)
    except MethodError as exc:
        fail(f"分配办法有 {len(exc.problems)} 处问题：", exc.problems)
    say(f"{method.label}：{len(method.programs)} 个项目，校验通过。")


@allocate_app.command("schema")
def schema_cmd(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="保存路径；省略则打印")] = None,
) -> None:
    """导出分配办法文件的 JSON Schema，供编辑器校验和补全。

    示例：anju allocate schema -o allocation-method.schema.json
    """
    text = method_json_schema()
    if output:
        output.write_text(text, encoding="utf-8")
        say(f"JSON Schema 已保存：{output}")
    else:
        print(text)


def register(app: typer.Typer) -> None:
    app.add_typer(allocate_app, name="allocate")

