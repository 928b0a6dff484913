// Daybook: follows work done in the background (a report, a police daily file) on a page marked data-progress. Loaded as a file (CSP forbids inline scripts).
// Asks the server every two seconds how far it has got and updates the bar; reloads the page when it has finished.
// Without JavaScript the page has a link to refresh it instead.
(function () {
  "use strict";
  var box = document.querySelector("[data-progress]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  var stage = box.querySelector("[data-progress-stage]");
  var percent = box.querySelector("[data-progress-percent]");
  var bar = box.querySelector("progress");
  var failures = 0;

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        if (data.status !== "queued" && data.status !== "running") {
          window.location.reload();
          return;
        }
        if (stage && data.stage) { stage.textContent = data.stage; }
        if (percent) { percent.textContent = data.percent + "%"; }
        if (bar) { bar.value = data.percent; bar.textContent = data.percent + "%"; }
        window.setTimeout(poll, 2000);
      })
      .catch(function () {
        failures += 1;
        window.setTimeout(poll, Math.min(30000, 2000 * failures));
      });
  }
  window.setTimeout(poll, 1500);
})();
