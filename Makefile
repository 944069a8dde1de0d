# 安居 anju — 所有命令在全新机器上自行完成安装（创建 .venv 并安装依赖）。
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo test lint unit clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,web]'
	touch $(STAMP)

install: $(STAMP)

## 主任务：对内置示例（吉林省2022年度）逐项计分、核对并输出结果
demo: $(STAMP)
	$(BIN)/anju evaluate examples/jilin-2022 -o out/jilin-2022/evaluation.json

## 静态检查：ruff、mypy（严格）、分层依赖约束
lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

unit: $(STAMP)
	$(BIN)/pytest

## 全部测试：静态检查 + 单元/集成测试
test: lint unit

clean:
	rm -rf $(VENV) out .mypy_cache .ruff_cache .pytest_cache
