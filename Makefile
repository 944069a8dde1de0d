# 安居 anju — 所有命令在全新机器上自行完成安装（创建 .venv 并安装依赖）。
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

.PHONY: install sysdeps demo test lint unit clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## 系统依赖：图表用的中文字体 fonts-noto-cjk（缺少且为 root 时用 apt-get 安装，否则提示）。
## LibreOffice 只在生成 PDF 时需要，不自动安装：apt-get install libreoffice-writer
sysdeps:
	@if [ -n "$$ANJU_CJK_FONT" ] && [ -f "$$ANJU_CJK_FONT" ]; then :; \
	elif [ -f $(CJK_FONT) ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "正在安装图表所需的中文字体 fonts-noto-cjk ……"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends fonts-noto-cjk >/dev/null && \
		echo "中文字体已安装：$(CJK_FONT)"; \
	else \
		echo "缺少图表所需的中文字体 Noto Sans CJK（$(CJK_FONT)）。"; \
		echo "请以 root 身份运行：apt-get install fonts-noto-cjk；或设置环境变量 ANJU_CJK_FONT 指向一个中文字体文件。"; \
		exit 1; \
	fi

## 主任务：对内置示例（吉林省2022年度）逐项计分、核对，并生成全套评价材料
demo: $(STAMP) sysdeps
	$(BIN)/anju evaluate examples/jilin-2022 -o out/jilin-2022/evaluation.json
	$(BIN)/anju report examples/jilin-2022 -o out/jilin-2022/report
	@echo "全套评价材料（Word、Markdown、纯文本、Excel 得分表与附件表、图表）在 out/jilin-2022/report/ 目录。"

## 静态检查：ruff、mypy（严格）、分层依赖约束
lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

unit: $(STAMP) sysdeps
	$(BIN)/pytest

## 全部测试：静态检查 + 单元/集成测试
test: sysdeps lint unit

clean:
	rm -rf $(VENV) out .mypy_cache .ruff_cache .pytest_cache
