// Outlet network: drag circles to rearrange, hover to see an outlet's links.
// The layout itself is computed on the server; this only adds interaction.
(function () {
  "use strict";
  const svg = document.getElementById("network");
  if (!svg) return;
  const nodes = new Map();
  svg.querySelectorAll("a.node").forEach(function (a) {
    nodes.set(a.getAttribute("data-outlet"), {
      el: a,
      circles: a.querySelectorAll("circle"),
      label: a.querySelector("text"),
      x: parseFloat(a.getAttribute("data-x")),
      y: parseFloat(a.getAttribute("data-y")),
      r: parseFloat(a.getAttribute("data-r")),
    });
  });
  const edges = Array.from(svg.querySelectorAll("line.edge")).map(function (line) {
    return { el: line, copier: line.getAttribute("data-copier"), source: line.getAttribute("data-source") };
  });

  function place(edge) {
    const a = nodes.get(edge.copier), b = nodes.get(edge.source);
    if (!a || !b) return;
    const dx = b.x - a.x, dy = b.y - a.y;
    const d = Math.hypot(dx, dy) || 1;
    const r1 = a.r, r2 = b.r + 6;
    edge.el.setAttribute("x1", (a.x + dx * r1 / d).toFixed(1));
    edge.el.setAttribute("y1", (a.y + dy * r1 / d).toFixed(1));
    edge.el.setAttribute("x2", (b.x - dx * r2 / d).toFixed(1));
    edge.el.setAttribute("y2", (b.y - dy * r2 / d).toFixed(1));
  }

  function point(ev) {
    const pt = svg.createSVGPoint();
    pt.x = ev.clientX;
    pt.y = ev.clientY;
    return pt.matrixTransform(svg.getScreenCTM().inverse());
  }

  let drag = null;
  nodes.forEach(function (n, name) {
    n.el.addEventListener("pointerdown", function (ev) {
      if (ev.button !== 0) return;
      const p = point(ev);
      drag = { node: n, dx: n.x - p.x, dy: n.y - p.y, moved: false, x0: ev.clientX, y0: ev.clientY };
      n.el.setPointerCapture(ev.pointerId);
    });
    n.el.addEventListener("pointermove", function (ev) {
      if (!drag || drag.node !== n) return;
      if (!drag.moved && Math.hypot(ev.clientX - drag.x0, ev.clientY - drag.y0) < 4) return;
      drag.moved = true;
      const p = point(ev);
      n.x = p.x + drag.dx;
      n.y = p.y + drag.dy;
      n.circles.forEach(function (c) {
        c.setAttribute("cx", n.x.toFixed(1));
        c.setAttribute("cy", n.y.toFixed(1));
      });
      n.label.setAttribute("x", n.x.toFixed(1));
      n.label.setAttribute("y", (n.y + n.r + 14).toFixed(1));
      edges.forEach(function (e) { if (e.copier === name || e.source === name) place(e); });
    });
    n.el.addEventListener("pointerup", function () {
      if (drag && drag.node === n && drag.moved) {
        n.el.addEventListener("click", function stop(ev) { ev.preventDefault(); }, { once: true, capture: true });
      }
      drag = null;
    });
    n.el.addEventListener("mouseenter", function () { focus(name); });
    n.el.addEventListener("mouseleave", function () { focus(null); });
  });

  function focus(name) {
    svg.classList.toggle("focusing", name !== null);
    const near = new Set(name ? [name] : []);
    edges.forEach(function (e) {
      const on = name !== null && (e.copier === name || e.source === name);
      e.el.classList.toggle("on", on);
      if (on) { near.add(e.copier); near.add(e.source); }
    });
    nodes.forEach(function (n, key) { n.el.classList.toggle("on", near.has(key)); });
  }
})();
