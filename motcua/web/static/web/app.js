/* motcua: progressive enhancement only; every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.remove("no-js");
  function focusSummary(root) {
    var summary = (root || document).querySelector("[data-autofocus]");
    if (summary) { summary.focus(); }
  }
  document.addEventListener("DOMContentLoaded", function () { focusSummary(document); });
  // After an htmx swap, move the focus to the new banner or error summary (screen readers).
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target) { focusSummary(target); }
  });
})();
// Forms marked data-submit-once (submitting an application): a second click while the
// first request is on its way sends nothing (the server gives one dossier anyway).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-submit-once")) { return; }
    if (form.getAttribute("data-submitting") === "1") { event.preventDefault(); return; }
    form.setAttribute("data-submitting", "1");
  });
})();
