// Copy buttons of a web form's snippets: <button data-copy-snippet="#textarea" hidden>. A button appears only
// where this script runs; it copies the box's text with the clipboard API or, where that is refused or missing,
// selects it so the reader can copy it by hand. The result is announced in the card's .copy-status.
(function () {
  "use strict";

  function announce(button, message) {
    var scope = button.closest(".card") || document;
    var status = scope.querySelector(".copy-status");
    if (status) status.textContent = message;
  }

  document.querySelectorAll("[data-copy-snippet]").forEach(function (button) {
    var box = document.querySelector(button.getAttribute("data-copy-snippet"));
    if (!box) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      box.focus();
      box.select();
      var byHand = function () { announce(button, "The snippet is selected: press Ctrl+C (⌘C on a Mac) to copy it."); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(box.value).then(function () { announce(button, "Copied."); }, byHand);
      } else {
        byHand();
      }
    });
  });
})();
