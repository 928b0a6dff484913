// Passkeys and security keys (WebAuthn) for Daybook's sign-in and account pages.
//
// A file, never inline: the Content Security Policy only runs scripts served by this site. The page gives
// this script its data in two ways, neither of which is ever run as code:
//   - <script type="application/json" id="passkey-data">, made by Django's json_script filter, holding the
//     creation or request options from the server (allauth.mfa);
//   - data-passkey-* attributes on the page's elements.
//
//   <form data-passkey-form="create">        add a passkey: fills its hidden "credential" field, then submits
//   <form data-passkey-form="authenticate">  confirm with a passkey (second step, or confirming it is you)
//   <form data-passkey-form="login">         sign in with a passkey alone: asks the server for a challenge
//   [data-passkey-supported]                 shown only when this browser can use passkeys
//   [data-passkey-unsupported]               hidden when it can
//   [data-passkey-error]                     where a problem is explained, in plain words
(function () {
  "use strict";

  var supported = !!(window.PublicKeyCredential && navigator.credentials && navigator.credentials.create);

  Array.prototype.forEach.call(document.querySelectorAll("[data-passkey-supported]"), function (el) {
    el.hidden = !supported;
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-passkey-unsupported]"), function (el) {
    el.hidden = supported;
  });
  if (!supported) {
    return;
  }

  // base64url <-> ArrayBuffer: the server speaks JSON, the browser's WebAuthn API speaks bytes.
  function toBuffer(text) {
    var b64 = String(text).replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) {
      b64 += "=";
    }
    var binary = window.atob(b64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toText(buffer) {
    if (!buffer) {
      return null;
    }
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return window.btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (c) {
      var d = { type: c.type, id: toBuffer(c.id) };
      if (c.transports) {
        d.transports = c.transports;
      }
      return d;
    });
  }

  function creationOptions(json, passwordless) {
    var pk = Object.assign({}, json.publicKey);
    pk.challenge = toBuffer(pk.challenge);
    pk.user = Object.assign({}, pk.user, { id: toBuffer(pk.user.id) });
    if (pk.excludeCredentials) {
      pk.excludeCredentials = descriptors(pk.excludeCredentials);
    }
    if (passwordless !== null) {
      // The same choice allauth's own script makes: a passkey that can sign in alone must be discoverable
      // and must check it is the person (fingerprint, face, PIN or screen lock).
      var sel = Object.assign({}, pk.authenticatorSelection || {});
      sel.residentKey = passwordless ? "required" : "discouraged";
      sel.requireResidentKey = passwordless;
      if (passwordless) {
        sel.userVerification = "required";
      }
      pk.authenticatorSelection = sel;
    }
    return { publicKey: pk };
  }

  function requestOptions(json) {
    var pk = Object.assign({}, json.publicKey);
    pk.challenge = toBuffer(pk.challenge);
    if (pk.allowCredentials) {
      pk.allowCredentials = descriptors(pk.allowCredentials);
    }
    var options = { publicKey: pk };
    if (json.mediation) {
      options.mediation = json.mediation;
    }
    return options;
  }

  function extensionResults(credential) {
    var all = credential.getClientExtensionResults ? credential.getClientExtensionResults() : {};
    var out = {};
    ["appid", "appidExclude", "credProps"].forEach(function (key) {
      if (key in all) {
        out[key] = all[key];
      }
    });
    return out;
  }

  function credentialJSON(credential) {
    var r = credential.response;
    var response = { clientDataJSON: toText(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toText(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = toText(r.authenticatorData);
      response.signature = toText(r.signature);
      response.userHandle = toText(r.userHandle);
    }
    return JSON.stringify({
      type: credential.type,
      id: credential.id,
      rawId: toText(credential.rawId),
      authenticatorAttachment: credential.authenticatorAttachment || null,
      response: response,
      clientExtensionResults: extensionResults(credential)
    });
  }

  function pageData() {
    var el = document.getElementById("passkey-data");
    return el ? JSON.parse(el.textContent) : {};
  }

  function explain(error) {
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "AbortError") {
      return "The passkey was not used. It may have been cancelled, or taken too long. You can try again.";
    }
    if (name === "InvalidStateError") {
      return "This device already has a passkey for your account. You can use it, or choose another device.";
    }
    if (name === "SecurityError") {
      return "Passkeys cannot be used on this address. Open the site at its usual address and try again.";
    }
    if (name === "NotSupportedError") {
      return "This device cannot make this kind of passkey. Try another device, or use an authenticator app.";
    }
    return "Something went wrong with the passkey. You can try again, or choose another way.";
  }

  function setup(form) {
    var mode = form.getAttribute("data-passkey-form");
    var credentialInput = form.querySelector("[data-passkey-credential]") || form.querySelector("input[name='credential']");
    var errorBox = form.querySelector("[data-passkey-error]");
    var button = form.querySelector("button[type='submit']") ||
      document.getElementById(form.getAttribute("data-passkey-button") || "") ||
      (form.id ? document.querySelector("button[form='" + form.id + "']") : null);
    if (!credentialInput || !button) {
      return;
    }
    var busy = false;

    function fail(error) {
      busy = false;
      button.disabled = false;
      button.removeAttribute("aria-disabled");
      if (errorBox) {
        errorBox.textContent = "";
        var hidden = document.createElement("span");
        hidden.className = "govuk-visually-hidden";
        hidden.textContent = "Error: ";
        errorBox.appendChild(hidden);
        errorBox.appendChild(document.createTextNode(explain(error)));
        errorBox.hidden = false;
        errorBox.setAttribute("role", "alert");
      }
      if (window.console && error) {
        window.console.warn("Passkey:", error.name || "", error.message || error);
      }
    }

    function finish(credential) {
      credentialInput.value = credentialJSON(credential);
      HTMLFormElement.prototype.submit.call(form);
    }

    function run() {
      if (mode === "create") {
        var passwordlessInput = form.querySelector("input[type='checkbox'][name='passwordless']");
        var passwordless = passwordlessInput ? passwordlessInput.checked : null;
        return navigator.credentials.create(creationOptions(pageData().creation_options, passwordless));
      }
      if (mode === "authenticate") {
        return navigator.credentials.get(requestOptions(pageData().request_options));
      }
      if (mode === "login") {
        return fetch(form.action, {
          method: "GET",
          credentials: "same-origin",
          headers: { Accept: "application/json" }
        }).then(function (response) {
          if (!response.ok) {
            throw new Error("The server did not give a passkey challenge.");
          }
          return response.json();
        }).then(function (data) {
          return navigator.credentials.get(requestOptions(data.request_options));
        });
      }
      return Promise.reject(new Error("Unknown passkey form: " + mode));
    }

    function start(event) {
      event.preventDefault();
      if (busy) {
        return;
      }
      busy = true;
      button.disabled = true;
      button.setAttribute("aria-disabled", "true");
      if (errorBox) {
        errorBox.hidden = true;
      }
      Promise.resolve().then(run).then(function (credential) {
        if (!credential) {
          throw new Error("No passkey was given.");
        }
        finish(credential);
      }).catch(fail);
    }

    form.addEventListener("submit", start);
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-passkey-form]"), setup);
})();
