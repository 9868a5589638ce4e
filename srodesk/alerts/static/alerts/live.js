/* Live alerts: listens to /alerts/stream/ (server-sent events) and shows each active alert as a full-width
   banner at the top of every page, announced to screen readers (role="alert"). No sound. */
(function () {
  "use strict";

  var root = document.getElementById("alert-live");
  if (!root || typeof window.EventSource === "undefined") { return; }
  var region = root.querySelector("[data-alert-region]");
  var streamUrl = root.getAttribute("data-stream-url");
  var banners = {};

  function csrfToken() {
    try {
      var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      return headers["X-CSRFToken"] || "";
    } catch (e) { return ""; }
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function timeOf(iso) {
    if (!iso) { return ""; }
    var date = new Date(iso);
    return isNaN(date.getTime()) ? "" : date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  // The live region stays in the page (empty, so it takes no room): a region that appears together with its
  // content is not reliably announced by screen readers.
  function showRoot() {
    root.classList.toggle("alert-live-active", Object.keys(banners).length > 0);
  }

  function acknowledged(banner, iso) {
    var actions = banner.querySelector(".alert-live-actions");
    if (!actions) { return; }
    actions.textContent = "";
    var at = timeOf(iso);
    actions.appendChild(el("p", "alert-live-acked", at ? "Acknowledged at " + at + "." : "Acknowledged."));
  }

  function acknowledge(banner, data, button) {
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    fetch(data.ack_url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" },
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      acknowledged(banner, new Date().toISOString());
    }).catch(function () {
      button.disabled = false;
      button.removeAttribute("aria-busy");
      button.textContent = "Acknowledge (try again)";
    });
  }

  function showAlert(data) {
    var old = banners[data.id];
    var banner = el("section", "alert-live-banner" + (data.drill ? " alert-live-drill" : ""));
    banner.setAttribute("aria-label", (data.drill ? "Drill: " : "Alert: ") + data.title);
    if (data.drill) {
      banner.appendChild(el("p", "alert-live-drill-mark", "DRILL — this is a drill"));
    }
    var heading = el("p", "alert-live-title");
    heading.appendChild(el("strong", null, String(data.title || "").toUpperCase()));
    heading.appendChild(document.createTextNode(" " + (data.directive || "")));
    banner.appendChild(heading);
    if (data.message) { banner.appendChild(el("p", "alert-live-message", data.message)); }
    var where = (data.schools || []).join(", ");
    var started = timeOf(data.activated_at);
    banner.appendChild(el("p", "alert-live-meta", where + (started ? " · started " + started : "")));
    var actions = el("div", "alert-live-actions");
    if (data.ack_url) {
      var button = el("button", "alert-live-ack", "Acknowledge");
      button.type = "button";
      button.addEventListener("click", function () { acknowledge(banner, data, button); });
      actions.appendChild(button);
    }
    if (data.url) {
      var link = el("a", "alert-live-link", "Open the alert");
      link.href = data.url;
      actions.appendChild(link);
    }
    banner.appendChild(actions);
    if (data.acknowledged_at) { acknowledged(banner, data.acknowledged_at); }
    if (old) { region.replaceChild(banner, old); } else { region.insertBefore(banner, region.firstChild); }
    banners[data.id] = banner;
    showRoot();
  }

  function showAllClear(data) {
    var banner = el("section", "alert-live-banner alert-live-clear");
    banner.setAttribute("aria-label", "All clear: " + data.title);
    var text = el("p", "alert-live-title");
    text.appendChild(el("strong", null, "ALL CLEAR"));
    text.appendChild(document.createTextNode(" " + (data.drill ? "(drill) " : "") + data.title + " has ended."));
    banner.appendChild(text);
    if (data.message) { banner.appendChild(el("p", "alert-live-message", data.message)); }
    var actions = el("div", "alert-live-actions");
    var close = el("button", "alert-live-dismiss", "Dismiss");
    close.type = "button";
    close.addEventListener("click", function () {
      if (banner.parentNode) { banner.parentNode.removeChild(banner); }
      delete banners[data.id];
      showRoot();
    });
    actions.appendChild(close);
    banner.appendChild(actions);
    var old = banners[data.id];
    if (old) { region.replaceChild(banner, old); } else { region.insertBefore(banner, region.firstChild); }
    banners[data.id] = banner;
    showRoot();
  }

  function parse(event) {
    try { return JSON.parse(event.data); } catch (e) { return null; }
  }

  var source = new EventSource(streamUrl, { withCredentials: true });
  // The connection state, for people who look at the page's markup (and for the tests).
  source.addEventListener("open", function () { root.setAttribute("data-state", "open"); });
  source.addEventListener("error", function () {
    root.setAttribute("data-state", source.readyState === EventSource.CLOSED ? "closed" : "reconnecting");
  });
  source.addEventListener("alert", function (event) {
    var data = parse(event);
    if (data) { showAlert(data); }
  });
  source.addEventListener("all_clear", function (event) {
    var data = parse(event);
    if (data) { showAllClear(data); }
  });
  source.addEventListener("ack", function (event) {
    var data = parse(event);
    if (data && banners[data.id]) { acknowledged(banners[data.id], data.acknowledged_at); }
  });
  source.addEventListener("signed_out", function () { source.close(); });
  window.addEventListener("pagehide", function () { source.close(); });
})();
