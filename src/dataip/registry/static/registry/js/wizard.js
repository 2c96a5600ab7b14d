/* The application wizard: which source fields apply, isolating the industry filter from the
   autosave, aria-invalid after inline errors, and 4xx answers swapped in place (they carry the
   message to show). Everything works without this file, only less comfortably. */
(function () {
  "use strict";

  if (window.htmx) {
    // htmx 2 does not swap 4xx answers by default; ours are the error shown next to the form.
    window.htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "4..", swap: true, error: false },
      { code: "...", swap: false, error: true }
    ];
  }

  function sourceType() {
    var checked = document.querySelector("input[name=source_type]:checked");
    return checked ? checked.value : "";
  }

  function activeRoutes() {
    var type = sourceType();
    if (type !== "other") {
      return type ? [type] : [];
    }
    return Array.prototype.map.call(
      document.querySelectorAll("input[name=source_routes]:checked"),
      function (input) { return input.value; }
    );
  }

  function toggleRoutes() {
    if (!document.querySelector("input[name=source_type]")) {
      return;
    }
    var routes = activeRoutes();
    document.querySelectorAll("[data-routes]").forEach(function (element) {
      var needed = element.getAttribute("data-routes").split(" ");
      element.hidden = !needed.some(function (route) { return routes.indexOf(route) >= 0; });
    });
    document.querySelectorAll("[data-source-other]").forEach(function (element) {
      element.hidden = sourceType() !== "other";
    });
  }

  function isolate(root) {
    // The section picker and the search narrow the division list; they are not fields to save.
    root.querySelectorAll("[data-no-autosave]").forEach(function (element) {
      if (element.hasAttribute("data-isolated")) {
        return;
      }
      element.setAttribute("data-isolated", "");
      ["input", "change"].forEach(function (type) {
        element.addEventListener(type, function (event) { event.stopPropagation(); });
      });
    });
  }

  function syncInvalid() {
    document.querySelectorAll(".field-msg").forEach(function (message) {
      var field = document.getElementById(message.id.replace(/^msg-/, "f-"));
      if (!field) {
        return;
      }
      if (message.querySelector(".field-error")) {
        field.setAttribute("aria-invalid", "true");
      } else {
        field.removeAttribute("aria-invalid");
      }
    });
  }

  function refresh() {
    toggleRoutes();
    isolate(document);
    syncInvalid();
  }

  document.addEventListener("change", function (event) {
    var name = event.target && event.target.name;
    if (name === "source_type" || name === "source_routes") {
      toggleRoutes();
    }
  });
  document.addEventListener("htmx:afterSettle", refresh);
  document.addEventListener("htmx:oobAfterSwap", syncInvalid);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", refresh);
  } else {
    refresh();
  }
})();
