/* The app shell's behaviour (web/templates/web/app.html). Loaded with defer from our own origin: the CSP
   allows no inline script. Everything here enhances markup that already works without it:
   - the phone drawer: a real button (aria-expanded, aria-controls) instead of the #sidebar link, focus moved
     into the drawer and back, Escape and the backdrop close it, the page behind it is inert;
   - Ctrl+K / Cmd+K focuses the top bar's search;
   - open menus (<details class="menu">) close on Escape or a click elsewhere;
   - the sidebar's groups remember being collapsed (area keys only, in localStorage). */
(function () {
  "use strict";

  var root = document.documentElement;
  document.querySelectorAll("[data-nojs-only]").forEach(function (el) { el.hidden = true; });
  document.querySelectorAll("[data-js-only]").forEach(function (el) { el.hidden = false; });

  // --- the drawer ----------------------------------------------------------------------------------------
  var sidebar = document.getElementById("sidebar");
  var toggle = document.querySelector("button.nav-toggle");
  var phone = window.matchMedia("(max-width: 48rem)");
  var behind = [document.querySelector(".topbar"), document.querySelector(".app-column")];

  function drawerOpen() { return !!sidebar && sidebar.classList.contains("is-open"); }

  function setDrawer(open, restoreFocus) {
    if (!sidebar || !toggle) { return; }
    sidebar.classList.toggle("is-open", open);
    root.classList.toggle("drawer-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    behind.forEach(function (el) { if (el) { el.inert = open; } });
    if (open) {
      var close = sidebar.querySelector("button[data-drawer-close]");
      if (close) { close.focus(); }
    } else if (restoreFocus) {
      toggle.focus();
    }
  }

  if (sidebar && toggle) {
    if (window.location.hash === "#sidebar") {  // opened by the no-script link before this file ran
      history.replaceState(null, "", window.location.pathname + window.location.search);
    }
    toggle.addEventListener("click", function () { setDrawer(!drawerOpen(), true); });
    document.querySelectorAll("[data-drawer-close]").forEach(function (el) {
      el.addEventListener("click", function (event) {
        event.preventDefault();
        setDrawer(false, true);
      });
    });
    var grown = function () { if (!phone.matches && drawerOpen()) { setDrawer(false, false); } };
    if (phone.addEventListener) { phone.addEventListener("change", grown); }
  }

  // --- menus -----------------------------------------------------------------------------------------------
  var menus = Array.prototype.slice.call(document.querySelectorAll("details.menu"));
  menus.forEach(function (menu) {
    menu.addEventListener("toggle", function () {
      if (menu.open) { menus.forEach(function (other) { if (other !== menu) { other.open = false; } }); }
    });
  });
  document.addEventListener("click", function (event) {
    menus.forEach(function (menu) { if (menu.open && !menu.contains(event.target)) { menu.open = false; } });
  });

  // --- keys ------------------------------------------------------------------------------------------------
  var search = document.getElementById("shell-search");
  var hint = document.querySelector("[data-shortcut-hint]");
  if (hint && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent)) { hint.textContent = "\u2318K"; }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      if (drawerOpen()) {
        setDrawer(false, true);
        return;
      }
      var open = menus.filter(function (menu) { return menu.open; })[0];
      if (open) {
        open.open = false;
        open.querySelector("summary").focus();
      }
      return;
    }
    if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && (event.key || "").toLowerCase() === "k") {
      if (!search) { return; }
      event.preventDefault();
      if (drawerOpen()) { setDrawer(false, false); }
      search.focus();
      search.select();
    }
  });

  // --- collapsed sidebar groups -------------------------------------------------------------------------
  var KEY = "oorg.sidebar.collapsed";
  var collapsed = [];
  try { collapsed = JSON.parse(window.localStorage.getItem(KEY) || "[]"); } catch (e) { collapsed = []; }
  if (!Array.isArray(collapsed)) { collapsed = []; }
  document.querySelectorAll("details.nav-group").forEach(function (group) {
    var area = group.getAttribute("data-area");
    // The group holding the current page always shows it.
    if (collapsed.indexOf(area) !== -1 && !group.hasAttribute("data-current")) { group.open = false; }
    group.addEventListener("toggle", function () {
      collapsed = collapsed.filter(function (key) { return key !== area; });
      if (!group.open) { collapsed.push(area); }
      try { window.localStorage.setItem(KEY, JSON.stringify(collapsed)); } catch (e) { /* storage off: fine */ }
    });
  });
})();
