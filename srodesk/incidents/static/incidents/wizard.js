// Incident entry: keep what the officer types on this device until the server has it.
// Each text field of a form marked data-keep is copied to localStorage (key: draft + field name) as it is
// typed. On load, a copy newer than the server's last save replaces the field and is saved again; once an
// autosave succeeds, copies equal to what was sent are dropped.
(function () {
  "use strict";
  var PREFIX = "srodesk:incident:";

  function storage() {
    try {
      var probe = PREFIX + "probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (e) {
      return null;
    }
  }

  var store = storage();

  function textFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.disabled) return false;
      if (el.tagName === "TEXTAREA") return true;
      return el.tagName === "INPUT" && ["text", "search", "number", "tel", "email"].indexOf(el.type) !== -1;
    });
  }

  function keyOf(form, field) {
    return form.dataset.draftKey + ":" + field.name;
  }

  function read(key) {
    try {
      var value = JSON.parse(store.getItem(key) || "null");
      return value && typeof value.v === "string" ? value : null;
    } catch (e) {
      return null;
    }
  }

  function afterLoad(fn) {
    if (document.readyState === "complete") {
      window.setTimeout(fn, 0);
    } else {
      window.addEventListener("load", function () {
        window.setTimeout(fn, 0);
      });
    }
  }

  function setStatus(text) {
    var status = document.getElementById("save-status");
    if (status) status.textContent = text;
  }

  function restore(form) {
    var serverSaved = parseInt(form.dataset.serverSaved || "0", 10);
    var restored = false;
    textFields(form).forEach(function (field) {
      var saved = read(keyOf(form, field));
      if (!saved) return;
      if (saved.v !== field.value && saved.t > serverSaved) {
        field.value = saved.v;
        restored = true;
      }
    });
    if (restored) {
      var note = document.createElement("p");
      note.className = "restored";
      note.setAttribute("role", "status");
      note.textContent = "Restored text typed on this device that had not been saved yet.";
      form.insertBefore(note, form.firstChild);
      if (form.hasAttribute("data-autosave")) {
        // Save it again once htmx is listening (it starts after the deferred scripts have run).
        afterLoad(function () {
          form.dispatchEvent(new Event("change", { bubbles: true }));
        });
      }
    }
  }

  function watch(form) {
    form.addEventListener("input", function (event) {
      var field = event.target;
      if (textFields(form).indexOf(field) === -1) return;
      try {
        store.setItem(keyOf(form, field), JSON.stringify({ v: field.value, t: Date.now() }));
      } catch (e) {
        /* storage full or blocked: the autosave still runs */
      }
    });
    form.addEventListener("htmx:beforeRequest", function () {
      form._sent = {};
      textFields(form).forEach(function (field) {
        form._sent[field.name] = field.value;
      });
    });
    form.addEventListener("htmx:afterRequest", function (event) {
      if (!event.detail.successful || !form._sent) return;
      textFields(form).forEach(function (field) {
        var saved = read(keyOf(form, field));
        if (saved && saved.v === form._sent[field.name]) store.removeItem(keyOf(form, field));
      });
      var stamp = document.querySelector("#save-status [data-saved-ms]");
      if (stamp && stamp.dataset.savedMs !== "0") form.dataset.serverSaved = stamp.dataset.savedMs;
    });
    // An autosave that fails is shown in the status line, not as an alert: the text stays on this device.
    form.addEventListener("htmx:responseError", function (event) {
      event.stopPropagation();
      setStatus("Not saved (error " + event.detail.xhr.status + "). What you typed is kept on this device.");
    });
    form.addEventListener("htmx:sendError", function (event) {
      event.stopPropagation();
      setStatus("Not saved: no connection. What you typed is kept on this device and will be saved when you edit again.");
    });
  }

  function start() {
    if (!store) return;
    var root = document.querySelector(".wizard[data-draft-key]");
    if (root && root.dataset.draftKey !== PREFIX + "new") {
      // The new report's first step has been saved as this draft: forget the unsaved copy.
      Object.keys(store).forEach(function (key) {
        if (key.indexOf(PREFIX + "new:") === 0) store.removeItem(key);
      });
    }
    document.querySelectorAll("form[data-keep][data-draft-key]").forEach(function (form) {
      restore(form);
      watch(form);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
