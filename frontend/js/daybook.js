// Daybook's only script. Loaded as a file (CSP forbids inline scripts).
// 1. Exit this page: leave at once, replacing this page in the history, and end the session.
// GOV.UK Frontend components are started by govuk-init.mjs.
(function () {
  "use strict";
  document.body.classList.add("js-enabled");
  var exitLink = document.querySelector("[data-exit-url]");
  var exited = false;

  function exitNow(event) {
    if (event) { event.preventDefault(); }
    if (exited || !exitLink) { return; }
    exited = true;
    document.body.innerHTML = "";
    document.title = "Loading";
    try { window.sessionStorage.clear(); window.localStorage.clear(); } catch (e) { /* storage may be blocked */ }
    // The server ends the session and redirects to the neutral site; replace() keeps
    // this page out of the back-button history.
    window.location.replace(exitLink.getAttribute("href"));
  }

  if (exitLink) {
    exitLink.addEventListener("click", exitNow);
    // Keyboard shortcut: press Shift three times within two seconds (as GOV.UK's Exit this page).
    var presses = [];
    document.addEventListener("keyup", function (event) {
      if (event.key !== "Shift") { presses = []; return; }
      var now = Date.now();
      presses = presses.filter(function (t) { return now - t < 2000; });
      presses.push(now);
      if (presses.length >= 3) { exitNow(); }
    });
  }

  // "Now" buttons fill a datetime-local input with the current local time.
  document.querySelectorAll("[data-fill-now]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var input = document.getElementById(button.getAttribute("data-fill-now"));
      if (!input) { return; }
      var d = new Date();
      d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
      input.value = d.toISOString().slice(0, 16);
      input.focus();
    });
  });

  // Confirmation for destructive buttons.
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (event) {
      if (!window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

})();
