// Side-by-side view: hovering a passage highlights it in both columns.
(function () {
  "use strict";
  const cols = document.querySelectorAll("#copy-text, #source-text");
  if (!cols.length) return;
  let current = null;

  function setActive(p) {
    if (p === current) return;
    if (current !== null) {
      document.querySelectorAll('[data-p="' + current + '"]').forEach(function (el) {
        el.classList.remove("hl");
      });
    }
    current = p;
    if (p !== null) {
      document.querySelectorAll('[data-p="' + p + '"]').forEach(function (el) {
        el.classList.add("hl");
      });
    }
  }

  cols.forEach(function (col) {
    col.addEventListener("mouseover", function (ev) {
      const el = ev.target.closest("[data-p]");
      setActive(el ? el.getAttribute("data-p") : null);
    });
    col.addEventListener("mouseleave", function () { setActive(null); });
  });

  // After following a link across the columns, flash the passage it lands on.
  function flash() {
    const id = decodeURIComponent(window.location.hash.slice(1));
    if (!id) return;
    const target = document.getElementById(id);
    if (!target) return;
    const p = target.getAttribute("data-p");
    const els = p !== null ? document.querySelectorAll('[data-p="' + p + '"]') : [target];
    els.forEach(function (el) {
      el.classList.remove("flash");
      void el.offsetWidth;
      el.classList.add("flash");
    });
  }
  window.addEventListener("hashchange", flash);
  flash();
})();
