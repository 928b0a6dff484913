// Daybook evidence uploader. Loaded as a file (CSP forbids inline scripts).
// Sends each chosen file in pieces (the protocol is described in evidence/views.py), one file at a time,
// with a progress bar per file. If the connection drops it waits, asks the server how much arrived, and
// carries on from there; choosing the same file again later resumes it too. Without JavaScript the form
// posts the files in one go instead.
(function () {
  "use strict";
  var form = document.querySelector("[data-uploader]");
  if (!form || !window.XMLHttpRequest || !window.Blob || !Blob.prototype.slice || !window.Promise || !window.JSON) { return; }

  var input = form.querySelector("input[type=file]");
  var button = form.querySelector("[data-upload-button]");
  var tokenInput = form.querySelector("input[name=csrfmiddlewaretoken]");
  var statusBox = document.querySelector("[data-upload-status]");
  var list = document.querySelector("[data-upload-list]");
  var summary = document.querySelector("[data-upload-summary]");
  var next = document.querySelector("[data-upload-next]");
  var cancel = document.querySelector("[data-upload-cancel]");
  var uploadsUrl = form.getAttribute("data-uploads-url");
  var limit = parseInt(form.getAttribute("data-limit"), 10) || 0;
  var limitText = form.getAttribute("data-limit-text") || "";
  var incident = form.getAttribute("data-incident") || null;
  var photoOf = form.getAttribute("data-photo-of") || null;
  var busy = false;

  function request(method, url, body, headers, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open(method, url, true);
      xhr.setRequestHeader("X-CSRFToken", tokenInput ? tokenInput.value : "");
      xhr.setRequestHeader("Accept", "application/json");
      Object.keys(headers || {}).forEach(function (name) { xhr.setRequestHeader(name, headers[name]); });
      if (onProgress && xhr.upload) {
        xhr.upload.addEventListener("progress", function (event) { if (event.lengthComputable) { onProgress(event.loaded); } });
      }
      xhr.onload = function () {
        var data = {};
        try { data = JSON.parse(xhr.responseText || "{}"); } catch (e) { data = {}; }
        resolve({ status: xhr.status, data: data });
      };
      xhr.onerror = function () { reject(new Error("network")); };
      xhr.ontimeout = function () { reject(new Error("timeout")); };
      xhr.timeout = 180000;
      xhr.send(body === undefined ? null : body);
    });
  }

  function wait(ms) { return new Promise(function (resolve) { window.setTimeout(resolve, ms); }); }

  function whenOnline() {
    if (navigator.onLine !== false) { return Promise.resolve(); }
    return new Promise(function (resolve) { window.addEventListener("online", function () { resolve(); }, { once: true }); });
  }

  function sizeText(n) {
    var units = ["bytes", "KB", "MB", "GB"];
    var i = 0;
    while (n >= 1024 && i < units.length - 1) { n = n / 1024; i += 1; }
    return i === 0 ? n + " bytes" : (n === Math.floor(n) ? n.toFixed(0) : n.toFixed(1)) + " " + units[i];
  }

  function makeRow(file, index) {
    var li = document.createElement("li");
    li.className = "db-ev-upload";
    var name = document.createElement("span");
    name.className = "db-ev-upload__name";
    name.textContent = file.name || "File " + (index + 1);
    var bar = document.createElement("progress");
    bar.className = "db-ev-progress";
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", "Sending " + (file.name || "file " + (index + 1)));
    var text = document.createElement("span");
    text.className = "govuk-body-s";
    text.textContent = "Waiting (" + sizeText(file.size) + ")";
    li.appendChild(name);
    li.appendChild(bar);
    li.appendChild(text);
    list.appendChild(li);
    return { li: li, bar: bar, text: text, file: file };
  }

  function setProgress(row, sent) {
    var percent = row.file.size ? Math.floor(sent * 100 / row.file.size) : 100;
    row.bar.value = Math.min(percent, 100);
    row.text.textContent = percent + "% sent (" + sizeText(sent) + " of " + sizeText(row.file.size) + ")";
  }

  function finishRow(row, ok, message, link) {
    row.bar.value = ok ? 100 : row.bar.value;
    row.text.textContent = "";
    var strong = document.createElement("strong");
    strong.className = ok ? "govuk-tag govuk-tag--green" : "govuk-tag govuk-tag--red";
    strong.textContent = ok ? "Done" : "Not saved";
    row.text.appendChild(strong);
    row.text.appendChild(document.createTextNode(" " + message + " "));
    if (link) {
      var a = document.createElement("a");
      a.className = "govuk-link";
      a.href = link;
      a.textContent = "See it and add a description";
      row.text.appendChild(a);
    }
    row.done = ok;
  }

  // Sends one file; resolves with {ok, message, link}.
  function send(row) {
    var file = row.file;
    if (file.size === 0) {
      return Promise.resolve({ ok: false, message: "This file is empty (0 bytes), so there is nothing to keep. Check that you chose the right file." });
    }
    if (limit && file.size > limit) {
      return Promise.resolve({ ok: false, message: "This file is bigger than the limit of " + limitText + ". Split a long video into parts, or ask whoever runs Daybook to raise the limit." });
    }
    var start = JSON.stringify({ name: file.name, size: file.size, last_modified: file.lastModified || null, incident: incident, photo_of: photoOf });
    var failures = 0;
    var upload = null;

    // A server that answered (503: the file store or the database is unreachable) says why; a dropped connection does not.
    function retry(offsetKnown, said) {
      failures += 1;
      var delay = Math.min(30, Math.pow(2, Math.min(failures, 5)));
      row.text.textContent = (said ? said + " " : "Connection lost. ") + "Trying again in " + delay + " seconds; nothing already sent is lost.";
      return wait(delay * 1000).then(whenOnline).then(function () {
        if (!upload) { return begin(); }
        if (offsetKnown !== undefined) { return pump(offsetKnown); }
        return request("GET", upload.url).then(function (r) {
          if (r.status === 200) { return pump(r.data.offset); }
          if (r.status === 404) { upload = null; return begin(); }
          return retry();
        }, function () { return retry(); });
      });
    }

    function begin() {
      return request("POST", uploadsUrl, start, { "Content-Type": "application/json" }).then(function (r) {
        if (r.status === 200 || r.status === 201) {
          upload = r.data;
          if (r.status === 200 && upload.offset > 0) { row.text.textContent = "Carrying on from " + sizeText(upload.offset) + "."; }
          return pump(upload.offset);
        }
        if (r.status >= 500 && r.status !== 507) { return retry(undefined, r.data.error); }
        return { ok: false, message: r.data.error || "The file could not be sent." };
      }, function () { return retry(); });
    }

    function pump(offset) {
      setProgress(row, offset);
      if (offset >= file.size) { return finish(); }
      var end = Math.min(offset + upload.chunk_size, file.size);
      var chunk = file.slice(offset, end);
      return request("PUT", upload.url, chunk, { "Content-Type": "application/offset+octet-stream", "Upload-Offset": String(offset) },
        function (loaded) { setProgress(row, offset + loaded); }
      ).then(function (r) {
        if (r.status === 200) { failures = 0; return pump(r.data.offset); }
        if (r.status === 409 && typeof r.data.offset === "number") { return pump(r.data.offset); }
        if (r.status >= 500 && r.status !== 507) { return retry(undefined, r.data.error); }
        return { ok: false, message: r.data.error || "The file could not be sent." };
      }, function () { return retry(); });
    }

    function finish() {
      row.text.textContent = "Sealing: checking the fingerprint and encrypting. Big files take a moment.";
      return request("POST", upload.finish_url, "", {}).then(function (r) {
        if (r.status === 200 || r.status === 201) {
          return { ok: true, message: r.data.message, link: r.data.exhibit && r.data.exhibit.url };
        }
        if (r.status === 409 && typeof r.data.offset === "number") { return pump(r.data.offset); }
        if (r.status >= 500 && r.status !== 507) { return retry(file.size, r.data.error); }
        return { ok: false, message: r.data.error || "The file could not be sealed." };
      }, function () { return retry(file.size); });
    }

    return begin();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) { return; }
    var files = Array.prototype.slice.call(input.files || []);
    if (!files.length) {
      statusBox.hidden = false;
      summary.textContent = "Choose one or more files to add.";
      input.focus();
      return;
    }
    busy = true;
    button.disabled = true;
    button.setAttribute("aria-disabled", "true");
    statusBox.hidden = false;
    next.hidden = true;
    if (cancel) { cancel.hidden = false; }
    list.textContent = "";
    var rows = files.map(makeRow);
    var saved = 0;
    var failed = 0;
    summary.textContent = "Sending " + files.length + " file" + (files.length === 1 ? "" : "s") + ". Keep this page open.";
    rows.reduce(function (chain, row) {
      return chain.then(function () {
        return send(row).then(function (result) {
          finishRow(row, result.ok, result.message, result.link);
          if (result.ok) { saved += 1; } else { failed += 1; }
        });
      });
    }, Promise.resolve()).then(function () {
      busy = false;
      button.disabled = false;
      button.removeAttribute("aria-disabled");
      input.value = "";
      summary.textContent = saved + " of " + files.length + " file" + (files.length === 1 ? "" : "s") + " saved and sealed." + (failed ? " " + failed + " could not be saved: see the messages above." : "");
      next.hidden = false;
      // Once files are saved there is nothing left to cancel: the way on is the link above.
      if (cancel && saved) { cancel.hidden = true; }
    });
  });
  // No "are you sure you want to leave?" prompt: it would get in the way of Exit this page. Leaving mid-upload
  // loses only the piece in flight; choosing the same file again carries on.
})();
