// encaisse — progressive enhancement only: every page works without this file.
// Keyboard: j/k move in lists, Enter opens, x selects for bulk approval, a approves,
// r rejects (focuses the comment), g i goes to the inbox, / focuses the first filter.
(function () {
  "use strict";
  function typing(e) {
    var t = e.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }
  document.addEventListener("change", function (e) {
    var s = e.target;
    if (s && s.hasAttribute && s.hasAttribute("data-autosubmit") && s.form) { s.form.submit(); }
  });
  var rows = function () { return Array.prototype.slice.call(document.querySelectorAll("tr[data-row]")); };
  var current = -1;
  function select(i) {
    var r = rows();
    if (!r.length) { return; }
    current = Math.max(0, Math.min(r.length - 1, i));
    r.forEach(function (row, k) { row.classList.toggle("selected", k === current); });
    var link = r[current].querySelector("a[data-open]");
    if (link) { link.focus(); }
  }
  var pendingG = false;
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) { return; }
    var k = e.key;
    if (pendingG) {
      pendingG = false;
      if (k === "i") { window.location.href = "/inbox"; e.preventDefault(); }
      if (k === "d") { window.location.href = "/"; e.preventDefault(); }
      return;
    }
    if (k === "g") { pendingG = true; return; }
    if (k === "j") { select(current + 1); e.preventDefault(); return; }
    if (k === "k") { select(current - 1); e.preventDefault(); return; }
    if (k === "x" && current >= 0) {
      var box = rows()[current].querySelector("input[type=checkbox]");
      if (box) { box.checked = !box.checked; }
      e.preventDefault(); return;
    }
    if (k === "/") {
      var f = document.querySelector("form[role=search] input, form[role=search] select");
      if (f) { f.focus(); e.preventDefault(); }
      return;
    }
    if (k === "a") {
      var approve = document.querySelector("#approve-form button[type=submit]");
      if (approve) { approve.focus(); e.preventDefault(); }
      return;
    }
    if (k === "r") {
      var c = document.getElementById("reject-comment");
      if (c) { c.focus(); e.preventDefault(); }
    }
  });
  var bulk = document.querySelector("button[data-bulk]");
  if (bulk) {
    bulk.addEventListener("click", function (e) {
      if (!document.querySelector("#bulk input[name=ids]:checked")) { e.preventDefault(); }
    });
  }
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
  }
})();
