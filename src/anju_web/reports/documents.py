"""Documents built from a stored evaluation run: the score table, the findings, the evidence
appendix and the raw result. (The Word explanation is added when the document adapters land.)"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from anju.decimals import plain
from anju.scoring import Evaluation
from anju_web.evidence.models import EvidenceFile
from anju_web.exports import Cell, add_sheet, csv_bytes, workbook, workbook_bytes
from anju_web.reviews.models import EvaluationRun, ScoreAdjustment
from anju_web.submissions.models import Cycle

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class DocumentSpec:
    kind: str
    label: str
    filename: str
    content_type: str
    build: Callable[[Cycle, EvaluationRun], bytes]
    description: str = ""


def score_rows(evaluation: Evaluation, program_id: str, adjustments: list[ScoreAdjustment]) -> list[list[Cell]]:
    program = evaluation.program(program_id)
    rows: list[list[Cell]] = []
    for item in program.items():
        indent = "　" * (item.level - 1)
        metric = item.metric
        proposed = [a for a in adjustments if a.program == program_id and a.item_path == item.path]
        rows.append([
            item.path,
            indent + item.label,
            item.points,
            item.score,
            item.branch,
            metric.formula if metric else "",
            (plain(metric.value) + "%") if metric and metric.value is not None else "",
            item.explanation,
            "；".join(f"建议 {plain(a.proposed_score)} 分（{a.get_status_display()}）：{a.reason}" for a in proposed),
        ])
    rows.append(["", "合计", program.points, program.score, program.grade or "", "", "", "", ""])
    return rows


SCORE_HEADER = ["指标编号", "指标", "分值", "得分", "计分依据", "公式", "计算值", "说明", "监管局调整建议"]


def build_score_table(cycle: Cycle, run: EvaluationRun) -> bytes:
    evaluation = run.evaluation()
    adjustments = list(ScoreAdjustment.objects.filter(cycle=cycle))
    wb = workbook()
    add_sheet(wb, "得分汇总", ["项目", "分值", "得分", "等级"],
              [[p.label, p.points, p.score, p.grade or ""] for p in evaluation.programs], widths=[24, 10, 10, 10])
    for program in evaluation.programs:
        add_sheet(wb, program.label, SCORE_HEADER, score_rows(evaluation, program.id, adjustments),
                  widths=[36, 40, 8, 8, 30, 40, 12, 60, 40])
    add_sheet(wb, "评价信息", ["项目", "内容"], [
        ["评价", str(cycle)],
        ["指标体系", evaluation.framework_label],
        ["数据来源", run.source],
        ["输入哈希", evaluation.input_hash],
        ["计分时间", run.created_at.isoformat()],
    ], widths=[16, 80])
    return workbook_bytes(wb)


def build_findings(cycle: Cycle, run: EvaluationRun) -> bytes:
    labels = {p.id: p.label for p in run.evaluation().programs}
    return csv_bytes(
        ["项目", "位置", "严重程度", "代码", "说明"],
        [[labels.get(i["program"], i["program"]), i["where"], "错误" if i["severity"] == "error" else "警告", i["code"], i["message"]]
         for i in run.issues],
    )


def build_evidence_appendix(cycle: Cycle, run: EvaluationRun) -> bytes:
    labels = {p.id: p.label for p in run.evaluation().programs}
    files = EvidenceFile.objects.filter(cycle=cycle).select_related("region", "uploaded_by")
    wb = workbook()
    add_sheet(wb, "佐证材料清单", ["序号", "单位", "项目", "指标", "材料名称", "文件名", "大小（字节）", "SHA-256", "上传时间"], [
        [index, f.region.display_name, labels.get(f.program, f.program), f.item_path, f.title, f.original_name, f.size,
         f.sha256, f.uploaded_at.isoformat()]
        for index, f in enumerate(files, start=1)
    ], widths=[6, 16, 16, 30, 30, 30, 12, 66, 28])
    return workbook_bytes(wb)


def build_json(cycle: Cycle, run: EvaluationRun) -> bytes:
    payload = {"evaluation": run.result, "issues": run.issues}
    return json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8")


DOCUMENTS: tuple[DocumentSpec, ...] = (
    DocumentSpec("score-table", "评分表（Excel）", "绩效评价评分表.xlsx", XLSX, build_score_table,
                 "三个项目逐项得分、计分依据、公式与监管局调整建议"),
    DocumentSpec("evidence", "佐证材料清单（Excel）", "佐证材料清单.xlsx", XLSX, build_evidence_appendix,
                 "附件：全部佐证材料及其 SHA-256"),
    DocumentSpec("findings", "一致性检查结果（CSV）", "一致性检查结果.csv", "text/csv; charset=utf-8", build_findings,
                 "文中比例、小计与数据不一致之处"),
    DocumentSpec("json", "评价结果（JSON）", "评价结果.json", "application/json", build_json,
                 "引擎输出的完整评价结果，含每一分的计算依据"),
)


def available() -> tuple[DocumentSpec, ...]:
    return DOCUMENTS


def find(kind: str) -> DocumentSpec | None:
    return next((d for d in DOCUMENTS if d.kind == kind), None)
