/* The directory's bulk actions (org/_directory_results.html, org/bulk_review.html): "select everyone on this
   page", and only the target field the chosen action needs. Without this script every field shows and each
   row is checked by hand; the server checks everything either way. The results are swapped by htmx as the
   filters change, so the handlers are delegated from the document and the page is set up again after each
   swap. No inline script or style: the CSP holds. */
(function () {
  "use strict";

  function rows(form) {
    return Array.prototype.slice.call(form.querySelectorAll("input.select-row"));
  }

  function syncAll(form) {
    var all = form.querySelector("#select-all");
    if (!all) return;
    var boxes = rows(form);
    var checked = boxes.filter(function (box) { return box.checked; }).length;
    all.checked = boxes.length > 0 && checked === boxes.length;
    all.indeterminate = checked > 0 && checked < boxes.length;
  }

  function showFieldsFor(form) {
    var action = form.querySelector("select[name=action]");
    if (!action) return;
    form.querySelectorAll("[data-bulk-for]").forEach(function (field) {
      field.hidden = field.getAttribute("data-bulk-for") !== action.value;
    });
  }

  function setUp(root) {
    root.querySelectorAll("form.bulk").forEach(function (form) {
      var all = form.querySelector("[data-select-all]");
      if (all) all.hidden = false;
      showFieldsFor(form);
      syncAll(form);
    });
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest("form.bulk");
    if (!form) return;
    if (event.target.id === "select-all") {
      rows(form).forEach(function (box) { box.checked = event.target.checked; });
    } else if (event.target.name === "action") {
      showFieldsFor(form);
    }
    syncAll(form);
  });

  document.addEventListener("htmx:afterSettle", function () { setUp(document); });
  setUp(document);
})();
