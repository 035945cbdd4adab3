/* Page behaviour without inline script (the Content-Security-Policy allows scripts from
   /static/ only; docs/deployment.md). Loaded with `defer` after htmx. */
(function () {
  "use strict";

  // The language switch submits itself when a language is chosen.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
      target.form.submit();
    }
  });

  // "Back" links on error pages.
  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("[data-history-back]") : null;
    if (link && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });

  // Bars whose width is data: a style attribute would be refused by the policy, a width set
  // from script is not.
  function sizeBars(root) {
    root.querySelectorAll("[data-bar-width]").forEach(function (bar) {
      var width = parseFloat(bar.getAttribute("data-bar-width"));
      if (!isNaN(width)) {
        bar.style.width = Math.max(0, Math.min(100, width)) + "%";
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { sizeBars(document); });
  document.addEventListener("htmx:load", function (event) { sizeBars(event.target); });

  // The reveal form answers 400 (reason missing) and 403 (not allowed) with a fragment that
  // explains why: show it in place instead of dropping it as an error.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var source = event.target instanceof Element ? event.target : null;
    var status = event.detail.xhr.status;
    if (source && source.closest && source.closest(".reveal-form") && (status === 400 || status === 403)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
