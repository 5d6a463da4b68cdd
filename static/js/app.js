/* Recycling Network: small behaviours shared by every page. Plain JavaScript, no build step.
   Pages work without it; it only moves focus where a keyboard or screen-reader user needs it. */
(function () {
  "use strict";

  // A form came back with errors: read the summary first (it links to each field).
  function focusErrorSummary(root) {
    var selector = "[data-error-summary]";
    var summary = root.matches && root.matches(selector) ? root : root.querySelector(selector);
    if (summary) {
      summary.focus();
      return true;
    }
    return false;
  }

  // Following a summary link focuses the field itself, with its label in view.
  function onSummaryClick(event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) {
      return;
    }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) {
      return;
    }
    event.preventDefault();
    var label = document.querySelector("label[for='" + field.id + "']") || field.closest("fieldset");
    (label || field).scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
  }

  document.addEventListener("click", onSummaryClick);

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary(document);
  });

  // Content swapped in by htmx gets the same treatment as a full page.
  document.addEventListener("htmx:load", function (event) {
    if (event.target !== document.body) {
      focusErrorSummary(event.target);
    }
  });
})();
