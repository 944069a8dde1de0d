// 安居：页面脚本。不使用内联脚本（内容安全策略只允许本站脚本）。
(function () {
  "use strict";

  // 需要确认的按钮：data-confirm="提示文字"
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // 批量审核：表头的“全选”勾选框
  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-check-all]");
    if (!all) { return; }
    var form = all.closest("form");
    if (!form) { return; }
    form.querySelectorAll('input[type="checkbox"][name="submission"]').forEach(function (box) { box.checked = all.checked; });
  });

  // 未保存的修改：离开页面前提醒；按“提交”时先保存再提交（不丢失已填写的内容）
  var figureForm = document.getElementById("figure-form");
  var dirty = false;
  if (figureForm) {
    figureForm.addEventListener("input", function () { dirty = true; });
    figureForm.addEventListener("change", function () { dirty = true; });
    figureForm.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = ""; }
    });
    document.addEventListener("click", function (event) {
      var button = event.target.closest("[data-save-first]");
      if (!button || !dirty) { return; }
      event.preventDefault();
      event.stopImmediatePropagation();
      if (!window.confirm("本页有尚未保存的修改。将先保存这些修改并校验，校验通过后再提交。确定吗？")) { return; }
      figureForm.querySelector("[data-then]").value = "submit";
      dirty = false;
      figureForm.submit();
    }, true);
  }

  // 文件选择框：显示所选文件名（浏览器自带的按钮文字随操作系统语言，不一定是中文）
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("label.file-pick input[type=file]")) { return; }
    var span = input.parentNode.querySelector("span");
    span.textContent = input.files.length ? input.files[0].name : span.getAttribute("data-empty");
  });

  var PALETTE = ["#2f6fb0", "#d9822b", "#3a9a5b", "#b23b3b", "#7a5195", "#8c8c8c"];

  function readData(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  var builders = {
    scores: function (data) {
      return {
        color: PALETTE,
        tooltip: { trigger: "axis" },
        legend: { data: ["分值", "得分"], top: 0, right: 10 },
        grid: { left: 40, right: 20, bottom: 30, top: 50 },
        xAxis: { type: "category", data: data.programs },
        yAxis: { type: "value", name: "分", max: 100 },
        series: [
          { name: "分值", type: "bar", data: data.points, itemStyle: { color: "#c9d6e6" } },
          { name: "得分", type: "bar", data: data.scores, label: { show: true, position: "top" } }
        ]
      };
    },
    dimensions: function (data) {
      return {
        color: PALETTE,
        tooltip: { trigger: "axis" },
        legend: { data: ["分值", "得分"], top: 0, right: 10 },
        grid: { left: 110, right: 40, bottom: 20, top: 40 },
        xAxis: { type: "value" },
        yAxis: { type: "category", data: data.dimensions, inverse: true },
        series: [
          { name: "分值", type: "bar", data: data.points, itemStyle: { color: "#c9d6e6" } },
          { name: "得分", type: "bar", data: data.scores, label: { show: true, position: "right" } }
        ]
      };
    },
    completion: function (data) {
      var colors = { "草稿": "#b0b0b0", "已提交": "#2f6fb0", "已退回": "#b23b3b", "地级市已审核": "#d9822b", "省级已审定": "#3a9a5b", "已锁定": "#1f5e3a" };
      return {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { type: "scroll", top: 0 },
        grid: { left: 50, right: 20, bottom: 70, top: 60 },
        xAxis: { type: "category", data: data.categories, axisLabel: { interval: 0, rotate: 30 } },
        yAxis: { type: "value", name: "单位数", minInterval: 1 },
        series: data.series.map(function (s) {
          return { name: s.name, type: "bar", stack: "status", barMaxWidth: 60, data: s.data, itemStyle: { color: colors[s.name] } };
        })
      };
    }
  };

  function drawCharts() {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-chart]").forEach(function (node) {
      var data = readData(node.getAttribute("data-source"));
      var build = builders[node.getAttribute("data-chart")];
      if (!data || !build) { return; }
      var chart = window.echarts.getInstanceByDom(node) || window.echarts.init(node, null, { renderer: "canvas" });
      chart.setOption(build(data));
      node.setAttribute("data-rendered", "true");
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  window.addEventListener("load", drawCharts);
  document.addEventListener("htmx:afterSwap", drawCharts);
})();
