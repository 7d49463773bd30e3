/* The pipeline board (crm/board/board.html): drag and drop with SortableJS, and moves by keyboard.

   Without this script every card has two plain POST forms ("Move to previous stage", "Move to next stage") that
   reload the board. With it, those forms, a drop in another column and ArrowLeft/ArrowRight on a focused card
   all post the same form with fetch (its CSRF token is in the form) asking for JSON; the server answers the
   message and the new column totals. A refused move puts the card back where it was. An aria-live region
   announces each move ("Deal X moved to Proposal"). No inline script or style: the CSP holds. */
(function () {
  "use strict";

  var board = document.getElementById("board");
  if (!board || !window.fetch) return;
  var status = document.getElementById("board-status");
  var busy = false;

  function columns() { return Array.prototype.slice.call(board.querySelectorAll(".board-column")); }
  function columnOf(card) { return card.closest(".board-column"); }

  function announce(text) {
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  // Each card's move forms point at its neighbouring columns; hidden where there is none.
  function refreshButtons(card) {
    var all = columns(), index = all.indexOf(columnOf(card));
    [["prev", all[index - 1]], ["next", all[index + 1]]].forEach(function (pair) {
      var form = card.querySelector('form[data-move="' + pair[0] + '"]');
      if (!form) return;
      form.querySelector("input[name=stage_id]").value = pair[1] ? pair[1].getAttribute("data-stage-id") : "";
      form.querySelector("button").hidden = !pair[1];
    });
  }

  function showTotals(data) {
    columns().forEach(function (column) {
      var found = data.columns[column.getAttribute("data-stage-id")];
      if (!found) return;
      column.querySelector("[data-count]").textContent = String(found.count);
      column.querySelector("[data-count-word]").textContent = found.count === 1 ? "deal" : "deals";
      var sums = column.querySelector("[data-sums]");
      sums.textContent = "";
      found.totals.forEach(function (t) {
        var li = document.createElement("li"), weighted = document.createElement("span");
        li.textContent = t.amount + " ";
        weighted.className = "muted";
        weighted.textContent = "· weighted " + t.weighted;
        li.appendChild(weighted);
        sums.appendChild(li);
      });
    });
  }

  // Post the card's move form for `column`; `undo` puts the card back when the server refuses.
  function send(card, column, undo) {
    var form = card.querySelector('form[data-move="next"]') || card.querySelector("form[data-move]");
    var body = new FormData(form);
    body.set("stage_id", column.getAttribute("data-stage-id"));
    busy = true;
    return fetch(form.action, {method: "POST", body: body, credentials: "same-origin",
                               headers: {"Accept": "application/json", "X-Requested-With": "fetch"}})
      .then(function (response) {
        return response.json().catch(function () { return {message: "The move failed."}; })
          .then(function (data) { return {ok: response.ok, data: data}; });
      })
      .then(function (answer) {
        if (!answer.ok) throw new Error(answer.data.message || "The move failed.");
        refreshButtons(card);
        showTotals(answer.data);
        announce(answer.data.message + ".");
      })
      .catch(function (error) {
        undo();
        refreshButtons(card);
        announce(error.message || "The move failed.");
      })
      .then(function () { busy = false; });
  }

  function moveBy(card, step) {
    if (busy) return;
    var all = columns(), target = all[all.indexOf(columnOf(card)) + step];
    if (!target) return;
    var from = card.parentNode, after = card.nextSibling;
    var list = target.querySelector("[data-cards]");
    list.insertBefore(card, list.firstChild);
    card.focus();
    send(card, target, function () { from.insertBefore(card, after); card.focus(); });
  }

  board.addEventListener("keydown", function (event) {
    var card = event.target;
    if (!card.classList || !card.classList.contains("board-card")) return;
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (event.key === "ArrowLeft") { event.preventDefault(); moveBy(card, -1); }
    else if (event.key === "ArrowRight") { event.preventDefault(); moveBy(card, 1); }
  });

  board.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-move]");
    if (!form) return;
    event.preventDefault();
    moveBy(form.closest(".board-card"), form.getAttribute("data-move") === "prev" ? -1 : 1);
  });

  if (!window.Sortable) return;
  Array.prototype.forEach.call(board.querySelectorAll("[data-cards]"), function (list) {
    window.Sortable.create(list, {
      group: "deals",
      animation: 150,
      forceFallback: true,  // mouse and touch events rather than native drag: the same on every browser
      filter: "button, input",
      preventOnFilter: false,
      onEnd: function (event) {
        if (event.from === event.to) return;
        var card = event.item, from = event.from, oldIndex = event.oldIndex;
        send(card, columnOf(card), function () {
          from.insertBefore(card, from.children[oldIndex] || null);
        });
      }
    });
  });
})();
