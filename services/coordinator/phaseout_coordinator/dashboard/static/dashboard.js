/* Phaseout dashboard: draws the overview's charts with Apache ECharts (served from node_modules; never a CDN).
   Without ECharts the chart boxes say so in Chinese and the tables on the page still hold the numbers. */
(function () {
  "use strict";
  var COLORS = { compliant: "#2e7d32", yellow: "#d4a106", red: "#c62828", exited: "#546e7a" };
  var NOT_COMPLIANT = [["yellow", "黄牌"], ["red", "红牌"], ["exited", "已退出"]];
  var FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif';

  function statusSeries(rows) {
    return NOT_COMPLIANT.map(function (s) {
      return {
        name: s[1], type: "bar", stack: "total", barMaxWidth: 28, itemStyle: { color: COLORS[s[0]] },
        label: { show: false },
        data: rows.map(function (r) { return (r.counts || r)[s[0]] || 0; })
      };
    });
  }

  function stacked(categories, rows, horizontal) {
    var cat = { type: "category", data: categories, axisLabel: { interval: 0, fontSize: 11 } };
    var val = { type: "value", minInterval: 1 };
    return {
      legend: { top: 0 }, tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: horizontal ? 84 : 36, right: 16, top: 32, bottom: horizontal ? 16 : 28, containLabel: false },
      xAxis: horizontal ? val : cat, yAxis: horizontal ? Object.assign({ inverse: true }, cat) : val,
      series: statusSeries(rows)
    };
  }

  var BUILDERS = {
    status: function (d) {
      return {
        tooltip: { trigger: "item", formatter: "{b}：{c} 家（{d}%）" },
        legend: { bottom: 0 },
        series: [{
          type: "pie", radius: ["42%", "70%"], center: ["50%", "45%"],
          label: { formatter: "{b}\n{c} 家", fontSize: 13 },
          data: d.by_status.map(function (s) {
            return { name: s.status_zh, value: s.count, itemStyle: { color: COLORS[s.status] } };
          })
        }]
      };
    },
    dimension: function (d) {
      return stacked(d.by_dimension.map(function (r) { return r.dimension_zh; }), d.by_dimension, false);
    },
    industry: function (d) {
      return stacked(d.by_industry.map(function (r) { return r.industry_zh; }), d.by_industry, true);
    },
    town: function (d) {
      return stacked(d.by_town.map(function (r) { return r.town; }), d.by_town, true);
    },
    trend: function (d) {
      var months = d.trend.months;
      return {
        legend: { top: 0 }, tooltip: { trigger: "axis" },
        grid: { left: 36, right: 36, top: 32, bottom: 28 },
        xAxis: { type: "category", data: months.map(function (m) { return m.month.slice(5) + "月"; }) },
        // One axis for all three: every series counts enterprises, so a bar of 2 exits stands as high as 2.
        yAxis: { type: "value", name: "企业数", minInterval: 1 },
        series: [
          { name: "黄牌", type: "line", data: months.map(function (m) { return m.yellow; }), itemStyle: { color: COLORS.yellow } },
          { name: "红牌", type: "line", data: months.map(function (m) { return m.red; }), itemStyle: { color: COLORS.red } },
          { name: "当月退出", type: "bar", barMaxWidth: 18, data: months.map(function (m) { return m.exits; }), itemStyle: { color: COLORS.exited } }
        ]
      };
    }
  };

  function notice(el, text) {
    el.classList.add("chart-missing");
    el.textContent = text;
  }

  function draw() {
    var source = document.getElementById("chart-data");
    var boxes = document.querySelectorAll("[data-chart]");
    if (!source || !boxes.length) { return; }
    if (typeof window.echarts === "undefined") {
      boxes.forEach(function (el) {
        notice(el, "图表组件（Apache ECharts）未安装：请在部署时执行 npm ci（make run 会自动执行）。数据见本页表格。");
      });
      return;
    }
    var data = JSON.parse(source.textContent);
    var charts = [];
    boxes.forEach(function (el) {
      var build = BUILDERS[el.getAttribute("data-chart")];
      if (!build) { return; }
      var chart = window.echarts.init(el, null, { renderer: "svg", locale: "ZH" });
      var option = build(data);
      option.textStyle = { fontFamily: FONT };
      option.animation = false;
      chart.setOption(option);
      el.setAttribute("data-rendered", "true");
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
    window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  });
  draw();
})();
