/* The drawn org chart (org/chart.html): boxes and lines, top down.

   The page is complete without this script: a level at a time, each "N reports" a link. With it, the drawn
   chart replaces that list: each box's "N reports" button opens one level below it, a page at a time, fetched
   as server-rendered HTML from the chart's level URL (a page URL: the session signs it, no API token); "Show N
   more" fetches the next page. The viewport pans by native scrolling (touch, wheel, arrow keys once it has
   focus) and by dragging with a mouse; zoom is CSS `zoom` on the canvas, so scrolling keeps working at any
   zoom; printing lays the opened chart out to the paper's width. No inline script or style: the CSP holds. */
(function () {
  "use strict";

  var app = document.querySelector("[data-org-chart]");
  if (!app || !window.fetch) return;
  var flat = document.querySelector("[data-chart-flat]");
  var viewport = app.querySelector(".oc-viewport");
  var canvas = app.querySelector(".oc-canvas");
  var levelShown = app.querySelector("[data-zoom-level]");
  var MIN = 0.25, MAX = 2, STEP = 1.25;
  var scale = 1;

  app.hidden = false;
  if (flat) flat.hidden = true;

  // --- zoom --------------------------------------------------------------------------------------------------

  function setScale(next, atX, atY) {
    next = Math.min(MAX, Math.max(MIN, next));
    // Keep the point under (atX, atY) of the viewport where it is.
    var x = atX === undefined ? viewport.clientWidth / 2 : atX;
    var y = atY === undefined ? viewport.clientHeight / 2 : atY;
    var contentX = (viewport.scrollLeft + x) / scale;
    var contentY = (viewport.scrollTop + y) / scale;
    scale = next;
    canvas.style.zoom = String(scale);
    viewport.scrollLeft = contentX * scale - x;
    viewport.scrollTop = contentY * scale - y;
    levelShown.textContent = Math.round(scale * 100) + "%";
  }

  function naturalWidth() {  // the opened chart's width at 100%
    return canvas.querySelector(".oc-tree").getBoundingClientRect().width / scale;
  }

  function fitScale() {
    var width = naturalWidth();
    return width ? Math.min(1, (viewport.clientWidth - 16) / width) : 1;
  }

  app.querySelector(".oc-toolbar").addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    var how = button.getAttribute("data-zoom");
    if (how === "in") setScale(scale * STEP);
    else if (how === "out") setScale(scale / STEP);
    else if (how === "reset") setScale(1);
    else if (how === "fit") { setScale(fitScale()); showTop(); }
    else if (button.hasAttribute("data-print")) window.print();
  });

  viewport.addEventListener("wheel", function (event) {
    if (!event.ctrlKey) return;  // a plain wheel scrolls (pans), as anywhere else
    event.preventDefault();
    var box = viewport.getBoundingClientRect();
    setScale(event.deltaY < 0 ? scale * 1.1 : scale / 1.1, event.clientX - box.left, event.clientY - box.top);
  }, { passive: false });

  viewport.addEventListener("keydown", function (event) {
    if (event.target !== viewport || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "+" || event.key === "=") { setScale(scale * STEP); event.preventDefault(); }
    else if (event.key === "-") { setScale(scale / STEP); event.preventDefault(); }
    else if (event.key === "0") { setScale(1); event.preventDefault(); }
    // Arrow keys, Page Up/Down, Home/End: the browser scrolls the focused viewport itself.
  });

  // --- pan by dragging (a mouse; touch scrolls natively) ------------------------------------------------------

  var drag = null;
  viewport.addEventListener("pointerdown", function (event) {
    if (event.pointerType !== "mouse" || event.button !== 0 || event.target.closest("a, button")) return;
    drag = { x: event.clientX, y: event.clientY, left: viewport.scrollLeft, top: viewport.scrollTop };
    viewport.setPointerCapture(event.pointerId);
    viewport.classList.add("oc-dragging");
  });
  viewport.addEventListener("pointermove", function (event) {
    if (!drag) return;
    viewport.scrollLeft = drag.left - (event.clientX - drag.x);
    viewport.scrollTop = drag.top - (event.clientY - drag.y);
  });
  function endDrag() { drag = null; viewport.classList.remove("oc-dragging"); }
  viewport.addEventListener("pointerup", endDrag);
  viewport.addEventListener("pointercancel", endDrag);

  // --- opening levels -------------------------------------------------------------------------------------------

  function fetchLevel(url) {
    return fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error("The chart could not load this level (" + response.status + ").");
      return response.text();
    });
  }

  function parse(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  // Boxes already in `list` are not added twice (a level opened around the line to someone holds them).
  function insert(list, html, before) {
    var fragment = parse(html);
    fragment.querySelectorAll(":scope > .oc-node").forEach(function (node) {
      if (list.querySelector(":scope > .oc-node[data-id='" + node.getAttribute("data-id") + "']")) node.remove();
    });
    list.insertBefore(fragment, before || null);
  }

  function failed(button, error) {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    var note = document.createElement("span");
    note.className = "oc-error small";
    note.setAttribute("role", "alert");
    note.textContent = error.message;
    button.insertAdjacentElement("afterend", note);
  }

  // A box centres over its reports, so opening or closing them would move it away from the pointer: the view
  // follows, and the box stays where it was on the screen.
  function keepInPlace(element, change) {
    var before = element.getBoundingClientRect();
    change();
    var after = element.getBoundingClientRect();
    viewport.scrollLeft += after.left - before.left;
    viewport.scrollTop += after.top - before.top;
  }

  function toggle(button) {
    var node = button.closest(".oc-node");
    var box = button.closest(".oc-box");
    var list = node.querySelector(":scope > .oc-children");
    var open = button.getAttribute("aria-expanded") === "true";
    if (open) {
      keepInPlace(box, function () { if (list) list.hidden = true; });
      button.setAttribute("aria-expanded", "false");
      return;
    }
    if (list) {
      keepInPlace(box, function () { list.hidden = false; });
      button.setAttribute("aria-expanded", "true");
      return;
    }
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    fetchLevel(button.getAttribute("data-url")).then(function (html) {
      list = document.createElement("ul");
      list.className = "oc-children";
      list.id = button.getAttribute("aria-controls");
      insert(list, html);
      keepInPlace(box, function () { node.appendChild(list); });
      button.disabled = false;
      button.removeAttribute("aria-busy");
      button.setAttribute("aria-expanded", "true");
    }).catch(function (error) { failed(button, error); });
  }

  function more(button) {
    var item = button.closest(".oc-more");
    var list = item.parentElement;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    var parentBox = list.parentElement.querySelector(":scope > .oc-box");
    fetchLevel(button.getAttribute("data-url")).then(function (html) {
      var next = item.nextElementSibling;
      var focusAfter = item.previousElementSibling;
      keepInPlace(focusAfter || parentBox || list, function () {
        item.remove();
        insert(list, html, next);
      });
      // Keep the keyboard where it was: on the first new box's name, or the next "more".
      var first = focusAfter ? focusAfter.nextElementSibling : list.firstElementChild;
      var target = first && first.querySelector("a, button");
      if (target) target.focus({ preventScroll: false });
    }).catch(function (error) { failed(button, error); });
  }

  canvas.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button || button.disabled) return;
    if (button.classList.contains("oc-toggle")) toggle(button);
    else if (button.classList.contains("oc-more-btn")) more(button);
  });

  // --- the person in focus, in the middle -----------------------------------------------------------------------

  function centre(element) {
    var box = element.getBoundingClientRect();
    var view = viewport.getBoundingClientRect();
    viewport.scrollLeft += box.left + box.width / 2 - (view.left + viewport.clientWidth / 2);
    viewport.scrollTop += box.top + box.height / 2 - (view.top + viewport.clientHeight / 2);
  }

  // The canvas has room around the chart (people.css), so any box can come to the middle.
  function showTop() {
    var tree = canvas.querySelector(".oc-tree").getBoundingClientRect();
    var view = viewport.getBoundingClientRect();
    viewport.scrollLeft += tree.left + tree.width / 2 - (view.left + viewport.clientWidth / 2);
    viewport.scrollTop += tree.top - view.top - 16;
  }

  var focus = canvas.querySelector("[data-focus] > .oc-box");
  if (focus) centre(focus);
  else showTop();

  // --- print: the opened chart, as wide as the paper ------------------------------------------------------------

  var beforePrint = null;
  window.addEventListener("beforeprint", function () {
    beforePrint = scale;
    var width = naturalWidth();
    var paper = 1000;  // px across a landscape A4/Letter page inside its margins (print.css: @page landscape)
    canvas.style.zoom = String(Math.min(1, paper / width));
  });
  window.addEventListener("afterprint", function () {
    if (beforePrint !== null) setScale(beforePrint);
    beforePrint = null;
  });
})();
