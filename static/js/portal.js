/* Behaviour shared by every page. No inline scripts: the Content-Security-Policy forbids them. */
(function () {
  "use strict";

  function onReady(root) {
    root.querySelectorAll("[data-autosubmit]").forEach(function (el) {
      if (el.dataset.autosubmitBound) return;
      el.dataset.autosubmitBound = "1";
      el.addEventListener("change", function () {
        if (el.form.requestSubmit) { el.form.requestSubmit(); } else { el.form.submit(); }
      });
    });
    // A live count under a long text box ("120 / 5000"): the limit is the
    // textarea's maxlength; the server refuses anything longer anyway.
    root.querySelectorAll("textarea[data-counter][maxlength]").forEach(function (el) {
      if (el.dataset.counterBound) return;
      el.dataset.counterBound = "1";
      var counter = document.createElement("div");
      counter.className = "form-text text-end text-counter";
      counter.setAttribute("aria-live", "polite");
      el.insertAdjacentElement("afterend", counter);
      var update = function () { counter.textContent = el.value.length + " / " + el.maxLength; };
      el.addEventListener("input", update);
      update();
    });
    if (window.echarts) {
      root.querySelectorAll("[data-chart]").forEach(function (el) {
        var source = document.getElementById(el.dataset.chart);
        if (!source || el.dataset.chartBound) return;
        el.dataset.chartBound = "1";
        var chart = window.echarts.init(el, null, { renderer: "svg" });
        chart.setOption(JSON.parse(source.textContent));
        // Every number is a door: a bar or slice whose data carries a "url"
        // opens the list it counts (the same links are in the table beside it).
        chart.on("click", function (params) {
          var url = params && params.data && params.data.url;
          if (typeof url === "string" && url.charAt(0) === "/") {
            window.location.assign(url);
          }
        });
        window.addEventListener("resize", function () { chart.resize(); });
      });
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.dataset ? form.dataset.confirm : null;
    if (message && !window.confirm(message)) { event.preventDefault(); }
  }, true);

  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-check-all]");
    if (!el) return;
    document.querySelectorAll(el.dataset.checkAll).forEach(function (box) { box.checked = el.checked; });
  });

  document.addEventListener("DOMContentLoaded", function () { onReady(document); });
  document.addEventListener("htmx:afterSettle", function (event) { onReady(event.target); });
})();
