// Copy buttons: <button data-copy="#list" data-copied="message" hidden>. A button appears only where this script
// runs; it copies the text of the target (one line per <li>) with the clipboard API, or, where that is refused
// or missing (an http:// address other than localhost), selects the text so the reader can copy it by hand.
// The result is announced in the nearest .copy-status (a live region).
(function () {
  "use strict";

  function textOf(target) {
    var items = target.querySelectorAll("li");
    if (!items.length) return target.textContent.trim();
    return Array.prototype.map.call(items, function (li) { return li.textContent.trim(); }).join("\n");
  }

  function announce(button, message) {
    var scope = button.closest(".card") || document;
    var status = scope.querySelector(".copy-status");
    if (status) status.textContent = message;
  }

  function selectByHand(button, target) {
    var range = document.createRange();
    range.selectNodeContents(target);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    announce(button, "The codes are selected: press Ctrl+C (⌘C on a Mac) to copy them.");
  }

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var target = document.querySelector(button.getAttribute("data-copy"));
    if (!target) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = textOf(target);
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(
          function () { announce(button, button.getAttribute("data-copied") || "Copied."); },
          function () { selectByHand(button, target); }
        );
      } else {
        selectByHand(button, target);
      }
    });
  });
})();
