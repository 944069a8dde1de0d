"""Every bad input is answered with a precise Chinese message (file, sheet, cell) and nothing is
imported from that workbook."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import msoffcrypto.format.ooxml
import openpyxl
import pytest

from anju.adapters.excel.importer import ImportContext, ImportOutcome, import_workbook, warning_text
from anju.adapters.excel.layout import META_SHEET
from anju.adapters.excel.package import ImportLimits, error_cells
from anju.adapters.excel.template import write_templates
from anju.collect.regions import RegionTree, RegionTreeFile
from anju.framework import Framework


def refused(outcome: ImportOutcome) -> list[str]:
    assert not outcome.accepted
    return [str(p) for p in outcome.refusals]


def edit(path: Path, sheet: str, cell: str, value: object) -> None:
    wb = openpyxl.load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)


def test_the_untouched_copy_is_accepted(one_filled: Path, context: ImportContext) -> None:
    outcome = import_workbook(one_filled, context)
    assert outcome.accepted, outcome.problems
    assert outcome.unit == "220100"


def test_text_in_a_number_cell(one_filled: Path, context: ImportContext) -> None:
    edit(one_filled, "住房租赁保障", "C7", "约3万")
    assert refused(import_workbook(one_filled, context)) == [
        "长春市.xlsx 住房租赁保障!C7：“中央财政资金”应为非负数（万元），实为“约3万”"
    ]


def test_a_negative_count(one_filled: Path, context: ImportContext) -> None:
    edit(one_filled, "住房租赁保障", "C11", -5)
    assert refused(import_workbook(one_filled, context)) == [
        "长春市.xlsx 住房租赁保障!C11：“发现的资金截留挪用等违规违纪问题”应为非负整数（件），实为“-5”"
    ]


def test_a_blank_required_figure(one_filled: Path, context: ImportContext) -> None:
    edit(one_filled, "住房租赁保障", "C8", None)
    assert refused(import_workbook(one_filled, context)) == [
        "长春市.xlsx 住房租赁保障!C8：“市县安排财政资金”未填写（必填）：没有发生的填 0"
    ]


def test_a_formula_error_cell(one_filled: Path, context: ImportContext) -> None:
    edit(one_filled, "城市棚户区改造", "C7", "#DIV/0!")  # openpyxl stores it as an error cell (t="e")
    assert refused(import_workbook(one_filled, context)) == [
        "长春市.xlsx 城市棚户区改造!C7：“中央财政补助资金预算（指标）”为公式错误“#DIV/0!”：请改为直接填写数值"
    ]


def test_formula_errors_anywhere_are_reported_once(one_filled: Path, context: ImportContext) -> None:
    edit(one_filled, "封面", "B11", "#VALUE!")
    edit(one_filled, "住房租赁保障", "F7", "#REF!")
    assert refused(import_workbook(one_filled, context)) == [
        "长春市.xlsx 住房租赁保障!F7：单元格为公式错误“#REF!”：请改为数值或删除",
        "长春市.xlsx 封面!B11：填报日期为公式错误“#VALUE!”：请填写日期，如 2023-01-10",
    ]


def test_error_cells_are_found_in_excel_style_xml() -> None:
    xml = (b'<sheetData><row r="7"><c r="B7" t="s"><v>3</v></c><c r="C7" s="4" t="e"><f>A1/0</f><v>#DIV/0!</v></c>'
           b'<c t="e" r="D7"><v>#REF!</v></c><c r="E7"/><c r="F7" t="e"/></row></sheetData>')
    assert error_cells(xml) == [("C7", "#DIV/0!"), ("D7", "#REF!"), ("F7", "#ERROR")]


def test_a_wrong_template_version(one_filled: Path, context: ImportContext) -> None:
    edit(one_filled, META_SHEET, "B1", "0")
    assert refused(import_workbook(one_filled, context)) == [
        "长春市.xlsx：模板版本不符（本文件为第 0 版，当前为第 2 版）：请下载最新模板重新填报"
    ]


def test_an_outdated_framework(one_filled: Path, context: ImportContext) -> None:
    edit(one_filled, META_SHEET, "B4", "0000000000000000")
    [message] = refused(import_workbook(one_filled, context))
    assert "过期的模板" in message


def test_a_template_copied_for_another_unit(one_filled: Path, context: ImportContext) -> None:
    edit(one_filled, META_SHEET, "B6", "220200")  # 长春's workbook relabelled as 吉林市's
    [message] = refused(import_workbook(one_filled, context))
    assert message.startswith("长春市.xlsx：隐藏的模板标识被改动：单位代码为“220200”（吉林市")
    assert "anju/2022/220000/220100" in message  # the id the workbook really carries


def test_a_missing_sheet(one_filled: Path, context: ImportContext) -> None:
    wb = openpyxl.load_workbook(one_filled)
    del wb["城市棚户区改造"]
    wb.save(one_filled)
    assert refused(import_workbook(one_filled, context)) == [
        "长春市.xlsx：缺少工作表“城市棚户区改造”：请勿删除或重命名工作表，请使用下发的模板重新填报"
    ]


def test_a_moved_row(one_filled: Path, context: ImportContext) -> None:
    edit(one_filled, "城镇老旧小区改造", "B7", "随便改的名称")
    [message] = refused(import_workbook(one_filled, context))
    assert message == ("长春市.xlsx 城镇老旧小区改造!B7：第7行应为“实际开工改造小区”，实为“随便改的名称”："
                       "表格结构被改动，请使用下发的模板重新填报")


def _docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return buffer.getvalue()


def test_a_renamed_docx(tmp_path: Path, context: ImportContext) -> None:
    path = tmp_path / "白城市.xlsx"
    path.write_bytes(_docx_bytes())
    assert refused(import_workbook(path, context)) == [
        "白城市.xlsx：这是 Word 文档（.docx）改了扩展名，不是 Excel 工作簿：请使用下发的 .xlsx 模板填报"
    ]


def test_a_zip_bomb_posing_as_xlsx(tmp_path: Path, context: ImportContext) -> None:
    path = tmp_path / "炸弹.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(200):  # 200 MB of zeros, about 200 KB on disk
                member.write(chunk)
    assert path.stat().st_size < 1024 * 1024
    [message] = refused(import_workbook(path, context))
    assert message == "炸弹.xlsx：压缩包内“xl/worksheets/sheet1.xml”解压后为 200.0 MB，超过上限 20.0 MB，疑似压缩炸弹，已拒收"


def test_a_small_bomb_is_refused_by_its_ratio(tmp_path: Path, context: ImportContext) -> None:
    path = tmp_path / "比例.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (10 * 1024 * 1024))
    [message] = refused(import_workbook(path, context))
    assert "压缩比为" in message and "疑似压缩炸弹" in message


def test_a_bomb_that_lies_about_its_size(tmp_path: Path, context: ImportContext) -> None:
    """Declared sizes patched down to 1 KB: the inflated data never exceeds the declaration."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (5 * 1024 * 1024))
    data = bytearray(buffer.getvalue())
    name = b"xl/worksheets/sheet1.xml"
    patched = 0
    # (signature, offset of the uncompressed size, offset of the file name) in local and central headers
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            if data[start + name_at: start + name_at + len(name)] == name:
                struct.pack_into("<I", data, start + size_at, 1024)
                patched += 1
            start += 4
    assert patched == 2
    path = tmp_path / "谎报.xlsx"
    path.write_bytes(bytes(data))
    [message] = refused(import_workbook(path, context))
    assert "谎报.xlsx：压缩包内“xl/worksheets/sheet1.xml”" in message
    assert "校验失败" in message or "声明不符" in message


def test_an_encrypted_workbook(one_filled: Path, tmp_path: Path, context: ImportContext) -> None:
    target = tmp_path / "加密.xlsx"
    with one_filled.open("rb") as source, target.open("wb") as out:
        msoffcrypto.format.ooxml.OOXMLFile(source).encrypt("123456", out)
    assert refused(import_workbook(target, context)) == [
        "加密.xlsx：文件已加密（设置了打开密码），无法读取：请在 Excel/WPS 中取消密码后重新提交"
    ]


def test_an_oversized_file(one_filled: Path, framework: Framework, tree: RegionTree) -> None:
    small = ImportContext(framework, {tree.code: tree}, limits=ImportLimits(max_file_bytes=4096))
    [message] = refused(import_workbook(one_filled, small))
    assert message.startswith("长春市.xlsx：文件过大（") and "超过上限 4 KB" in message


def test_plain_text_is_not_a_workbook(tmp_path: Path, context: ImportContext) -> None:
    path = tmp_path / "数据.xlsx"
    path.write_text("长春市,1234\n", encoding="utf-8")
    assert refused(import_workbook(path, context)) == [
        "数据.xlsx：不是 Excel 工作簿（这是未知格式的文件）：请使用下发的 .xlsx 模板填报"
    ]


def test_a_workbook_not_made_by_anju(tmp_path: Path, context: ImportContext) -> None:
    path = tmp_path / "自制.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "中央财政资金"  # type: ignore[index]
    wb.save(path)
    [message] = refused(import_workbook(path, context))
    assert message.startswith("自制.xlsx：不是本系统生成的填报模板（缺少模板标识）")


def test_a_unit_code_not_in_the_tree(tmp_path: Path, framework: Framework, tree: RegionTree,
                                     context: ImportContext) -> None:
    """A template made from another edition of the tree, for a unit this tree does not know."""
    spec = tree.spec.model_dump()
    spec["units"].append({"code": "222499", "name": "虚构县", "level": "county", "kind": "county", "parent": "222400"})
    other = RegionTree(RegionTreeFile.model_validate(spec))
    [path] = write_templates(framework, other, tmp_path, units=[other.unit("222499")])
    assert refused(import_workbook(path, context)) == [
        "222499_虚构县.xlsx：单位代码“222499”不在吉林省行政区划表中：请使用为本单位下发的模板"
    ]


@pytest.mark.parametrize(
    ("sheet", "cell", "value", "expected"),
    [
        ("住房租赁保障", "C11", 3.5, "住房租赁保障!C11：“发现的资金截留挪用等违规违纪问题”应为整数（件），实为“3.5”"),
        ("住房租赁保障", "C7", 12.345, "住房租赁保障!C7：“中央财政资金”最多保留两位小数（万元），实为“12.345”"),
        ("住房租赁保障", "C24", 120, "住房租赁保障!C24：“租赁住房保障满意度”应在0—100之间（按百分数填写），实为“120”"),
        ("住房租赁保障", "C7", "不适用", "住房租赁保障!C7：“中央财政资金”不能填“不适用”：没有发生的填 0；本单位没有该项目任务的，选择“无此项任务”"),
        ("城镇老旧小区改造", "C21", "可能", "城镇老旧小区改造!C21：“本市是否发行地方政府专项债券或一般债券用于城镇老旧小区改造”应选择“是”或“否”，实为“可能”"),
        ("城镇老旧小区改造", "C3", "是", "城镇老旧小区改造!C3：已选择“无此项任务”，但本表仍填有数据（C6、C7、C8、C9、C10等）：请清空这些单元格，或把“无此项任务”改选“否”"),
        ("封面", "B11", "上周", "封面!B11：填报日期应为日期（如 2023-01-10），实为“上周”"),
    ],
)
def test_cell_level_problems(one_filled: Path, context: ImportContext, sheet: str, cell: str, value: object,
                             expected: str) -> None:
    edit(one_filled, sheet, cell, value)
    assert refused(import_workbook(one_filled, context)) == [f"长春市.xlsx {expected}"]


def test_an_error_rule_blocks_the_workbook(one_filled: Path, context: ImportContext) -> None:
    edit(one_filled, "城市棚户区改造", "C8", 999999)  # 实际支出 > 预算
    [message] = refused(import_workbook(one_filled, context))
    assert message.startswith("长春市.xlsx 城市棚户区改造!C8：中央财政补助资金实际支出不超过预算：")
    assert "不满足“中央财政补助资金实际支出 ≤ 中央财政补助资金预算（指标）”" in message


def test_a_total_that_is_not_the_sum_of_its_parts_blocks_the_workbook(one_filled: Path, context: ImportContext) -> None:
    """The framework's identity 全部财政资金 = 中央 + 市县 is an error rule at import."""
    edit(one_filled, "住房租赁保障", "C6", 1)
    outcome = import_workbook(one_filled, context)
    [problem] = outcome.refusals
    assert (problem.code, problem.where.sheet, problem.where.cell) == ("rental_funds_parts", "住房租赁保障", "C6")
    assert str(problem).startswith("长春市.xlsx 住房租赁保障!C6：全部财政资金等于中央财政资金与市县安排财政资金之和：")


def test_a_warning_needs_an_explanation(one_filled: Path, context: ImportContext) -> None:
    edit(one_filled, "住房租赁保障", "C24", 0.94)
    outcome = import_workbook(one_filled, context)
    assert outcome.accepted  # a warning does not block; it is listed until explained
    [warning] = outcome.unexplained
    assert str(warning).startswith("长春市.xlsx 住房租赁保障!C24：百分比应按百分数填报")
    assert (warning.code, warning.where.sheet, warning.where.cell) == ("percent_as_fraction", "住房租赁保障", "C24")
    assert warning_text(warning).endswith("须在“情况说明”栏说明原因）")
    edit(one_filled, "住房租赁保障", "F24", "抽样调查满意率确为0.94%")
    explained = import_workbook(one_filled, context)
    assert explained.accepted and not explained.unexplained
    assert explained.warnings[0].explanation == "抽样调查满意率确为0.94%"


SHEET_XML_CASES = {
    "plain": b'<worksheet xmlns="m"><dimension ref="A1:G9"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>'
             b'<row r="9"><c r="G9"><v>1</v></c></row></sheetData></worksheet>',
    "declaration": b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="m"><sheetData>'
                   b'<row r="3"><c r="B3"/></row></sheetData></worksheet>',
    "cell without r": b'<worksheet><sheetData><row r="4"><c r="A4"/><c/><c/></row><row><c/></row></sheetData></worksheet>',
    "row without r": b'<worksheet><sheetData><row><c r="C2"/></row><row/></sheetData></worksheet>',
    "row number not digits": b'<worksheet><sheetData><row r="x"><c/></row></sheetData></worksheet>',
    "r not first": b'<worksheet><sheetData><row spans="1:3" r="2"><c s="1" t="n" r="AZ2"/></row></sheetData></worksheet>',
    "look-alike in a value": b'<worksheet><sheetData><row r="1"><c x=\' r="A1" \' r="XFD1048576"/></row></sheetData></worksheet>',
    "single quotes": b"<worksheet><sheetData><row r='5'><c r='D5000'/></row></sheetData></worksheet>",
    "prefixed": b'<x:worksheet xmlns:x="m"><x:sheetData><x:row r="2"><x:c r="Z700"/></x:row></x:sheetData></x:worksheet>',
    "dollars and zeros": b'<worksheet><dimension ref="$A$1:$C$0040"/><sheetData><row r="7"><c r="$B$007"/></row></sheetData></worksheet>',
    "reference in r": b'<worksheet><sheetData><row r="1"><c r="&#88;FD1"/></row></sheetData></worksheet>',
    "error cell": b'<worksheet><sheetData><row r="7"><c r="C7" t="e"><v>#DIV/0!</v></c><c r="D8" t="e"/></row></sheetData></worksheet>',
    "error type as reference": b'<worksheet><sheetData><row r="7"><c r="C7" t="&#101;"><v>#N/A</v></c></row></sheetData></worksheet>',
    "formula without value": b'<worksheet><sheetData><row r="2"><c r="B2"><f>A1+1</f></c><c r="C2" t="str"><f>"a"</f><v></v></c>'
                             b'</row></sheetData></worksheet>',
    "comment": b'<worksheet><!-- <c r="XFD9"/> --><sheetData><row r="1"><c r="A1"/></row></sheetData></worksheet>',
    "huge numbers": b'<worksheet><dimension ref="A1:XFD1048576"/><sheetData><row r="99999999999"><c r="C99999999999"/></row>'
                    b'</sheetData></worksheet>',
    "columns beyond XFD": b'<worksheet><sheetData><row r="1"><c r="AAAAA1"/></row></sheetData></worksheet>',
    "empty": b'<worksheet/>',
}


@pytest.mark.parametrize("case", sorted(SHEET_XML_CASES))
def test_the_quick_sheet_scan_agrees_with_the_element_by_element_scan(case: str) -> None:
    from anju.adapters.excel.package import _scan_events, scan_sheet

    xml = SHEET_XML_CASES[case]
    quick, exact = scan_sheet(xml), _scan_events(xml, "", "")
    assert (quick.rows, quick.columns, quick.errors, quick.uncomputed) == (exact.rows, exact.columns, exact.errors, exact.uncomputed)
    assert quick.far_cells() == (exact.lowest, exact.widest)


def test_the_quick_sheet_scan_reads_an_untouched_template_without_the_element_by_element_scan(one_filled: Path) -> None:
    from anju.adapters.excel.package import scan_sheet

    with zipfile.ZipFile(one_filled) as archive:
        parts = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    assert parts
    for part in parts:
        assert scan_sheet(part).far is not None  # the quick way was taken


def test_a_sheet_that_is_not_well_formed_is_refused_by_the_quick_scan() -> None:
    from anju.adapters.excel.package import Refused, scan_sheet

    with pytest.raises(Refused) as refusal:
        scan_sheet(b'<worksheet><sheetData><row r="1"><c r="A1">', "长春市.xlsx", "住房租赁保障")
    assert str(refusal.value.problem) == "长春市.xlsx 住房租赁保障：工作表内容不完整或已损坏（XML 格式错误）：请在 Excel 或 WPS 中打开并另存为 .xlsx 后提交"
