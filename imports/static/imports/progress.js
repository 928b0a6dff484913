// Import progress: while the page says the import is still working, load it again every few seconds.
// Without JavaScript the page offers a link to refresh instead.
(function () {
  "use strict";
  var marker = document.querySelector("[data-import-refresh]");
  if (!marker) {
    return;
  }
  var seconds = parseInt(marker.getAttribute("data-import-refresh"), 10) || 3;
  window.setTimeout(function () {
    window.location.reload();
  }, seconds * 1000);
})();
