// Shared by the pages of `bigpe serve`: escaping, progress bars, numbers,
// and polling the JSON endpoints (docs/serve.md) every few seconds.
"use strict";
const bigpe = {
  esc(s) {
    return String(s ?? "").replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
  },
  num(x, digits = 3) { return x === null || x === undefined ? "-" : Number(x).toFixed(digits); },
  bar(fraction) {
    const f = Math.max(0, Math.min(1, fraction || 0));
    return `<span class="bar" data-progress="${f}"><span style="width:${(f * 100).toFixed(1)}%"></span></span>`;
  },
  interval(iv, digits = 3) {
    if (!iv) return "-";
    const few = iv.few ? "*" : "";
    return iv.low === null ? bigpe.num(iv.mean, digits)
                           : `${bigpe.num(iv.mean, digits)} [${bigpe.num(iv.low, digits)}, ${bigpe.num(iv.high, digits)}]${few}`;
  },
  // ", N scored only" when an experiment or campaign has items a worker
  // only scored (stored images, new scorers), else nothing.
  scoredOnly(x) { return x.renders_scored > 0 ? `, ${Number(x.renders_scored)} scored only` : ""; },
  eta(s) { return s === null || s === undefined ? "-" : `${Math.round(s)} s`; },
  // Last path segment of the page (the experiment or campaign id).
  pageId() { return decodeURIComponent(location.pathname.split("/").filter(Boolean).pop()); },
  // Calls render(json) now and every `seconds`; errors go to #status.
  poll(url, render, seconds = 2) {
    const status = document.getElementById("status");
    const once = () => fetch(url, {cache: "no-store"})
      .then(r => r.json().then(j => {
        if (!r.ok) throw new Error(j.error || r.statusText);
        if (status) status.textContent = "";
        render(j);
      }))
      .catch(e => { if (status) status.innerHTML = `<span class="error">${bigpe.esc(e.message)}</span>`; })
      .finally(() => setTimeout(once, seconds * 1000));
    once();
  },
};
