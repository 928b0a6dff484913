// Daybook's only script. Loaded as a file (CSP forbids inline scripts).
// 1. Exit this page: leave at once, replacing this page in the history, and end the session.
// 2. The phone menu.
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

  // 2. On a phone the header's links fold behind a "Menu" button (one row instead of two). A real button: Enter and
  // Space open and close it, Escape closes it and gives focus back to the button. Wider screens show the links.
  var menu = document.querySelector(".db-header__menu");
  var nav = menu && document.getElementById(menu.getAttribute("aria-controls"));
  if (menu && nav) {
    var phone = window.matchMedia("(max-width: 40.0525em)");
    var setOpen = function (open) {
      menu.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("db-header__navwrap--open", open);
    };
    menu.hidden = false;
    setOpen(false);
    menu.addEventListener("click", function () { setOpen(menu.getAttribute("aria-expanded") !== "true"); });
    nav.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && phone.matches && menu.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        menu.focus();
      }
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
