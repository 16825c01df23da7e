(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("lc-data").textContent);
  var S = D.S, KEYS = D.keys, NCOL = 4 + KEYS.length;
  var BAD = ["regression", "fail", "timeout", "crash", "error", "missing", "blocked", "flaky", "xpass"];
  var CODE = {};
  Object.keys(D.names).forEach(function (c) { CODE[D.names[c]] = c; });
  var table = document.getElementById("mx");
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var ids = [], secs = [], lvls = [], text = [];
  rows.forEach(function (row, i) {
    row.setAttribute("data-i", i);
    ids.push(row.cells[0].textContent);
    secs.push(row.getAttribute("data-s"));
    lvls.push(row.getAttribute("data-v"));
    text.push((ids[i] + " " + row.cells[3].textContent + " " + S[D.checks[i][0]]).toLowerCase());
  });
  var $ = function (id) { return document.getElementById(id); };
  var chips = Array.prototype.slice.call(document.querySelectorAll(".chip"));
  var dyn = document.createElement("style");
  document.head.appendChild(dyn);
  var EMPTY = { st: [], loop: "", sec: "", lvl: "", q: "", open: "" };
  var state = copy(EMPTY);

  function copy(s) { return { st: s.st.slice(), loop: s.loop, sec: s.sec, lvl: s.lvl, q: s.q, open: s.open }; }
  function parse(hash) {
    var h = (hash || "").replace(/^#/, "");
    if (h.indexOf("=") < 0) { return null; }
    var s = copy(EMPTY);
    h.split("&").forEach(function (part) {
      var i = part.indexOf("=");
      if (i < 0) { return; }
      var k = decodeURIComponent(part.slice(0, i)), v = decodeURIComponent(part.slice(i + 1).replace(/\+/g, " "));
      if (k === "st") {
        s.st = [];
        v.split(",").forEach(function (x) { if (x === "bad") { s.st = s.st.concat(BAD); } else if (x) { s.st.push(x); } });
      } else if (k in s) { s[k] = v; }
    });
    return s;
  }
  function serialise(s) {
    var parts = [];
    ["loop", "sec", "lvl"].forEach(function (k) { if (s[k]) { parts.push(k + "=" + encodeURIComponent(s[k])); } });
    if (s.st.length) { parts.push("st=" + s.st.join(",")); }
    if (s.q) { parts.push("q=" + encodeURIComponent(s.q)); }
    if (s.open) { parts.push("open=" + encodeURIComponent(s.open)); }
    return parts.length ? "#" + parts.join("&") : "";
  }
  function saveHash(push) {
    var h = serialise(state);
    var url = location.pathname + location.search + h;
    try {
      if (push) { history.pushState(null, "", url); } else { history.replaceState(null, "", url); }
    } catch (e) { /* file:// in some browsers */ }
    $("share").setAttribute("href", h || "#matrix");
  }

  function apply() {
    var li = state.loop ? KEYS.indexOf(state.loop) : -1;
    var want = {}, anySt = state.st.length === 0;
    state.st.forEach(function (n) { if (D.names.hasOwnProperty(CODE[n])) { want[CODE[n]] = true; } });
    var terms = state.q.toLowerCase().trim().split(/\s+/).filter(Boolean);
    var shown = 0, counts = {};
    for (var i = 0; i < rows.length; i++) {
      var ok = (!state.sec || secs[i] === state.sec) && (!state.lvl || lvls[i] === state.lvl);
      for (var t = 0; ok && t < terms.length; t++) { ok = text[i].indexOf(terms[t]) !== -1; }
      var codes = D.codes[i];
      if (ok) {
        var hit = anySt;
        for (var j = 0; j < codes.length; j++) {
          if (li >= 0 && j !== li) { continue; }
          counts[codes[j]] = (counts[codes[j]] || 0) + 1;
          if (want[codes[j]]) { hit = true; }
        }
        ok = hit;
      }
      rows[i].hidden = !ok;
      var next = rows[i].nextElementSibling;
      if (next && next.classList.contains("detail")) { next.hidden = !ok; }
      if (ok) { shown++; }
    }
    dyn.textContent = li >= 0 ? "#mx tr > :nth-child(n+5):not(:nth-child(" + (5 + li) + ")){display:none}" : "";
    chips.forEach(function (c) {
      var name = c.getAttribute("data-st");
      c.setAttribute("aria-pressed", String(state.st.indexOf(name) !== -1));
      c.querySelector("b").textContent = counts[CODE[name]] || 0;
    });
    document.querySelector(".chips").classList.toggle("active", !anySt);
    $("f-loop").value = li >= 0 ? state.loop : "";
    $("f-sec").value = state.sec;
    $("f-lvl").value = state.lvl;
    if (document.activeElement !== $("search")) { $("search").value = state.q; }
    $("count").textContent = shown + " of " + rows.length + " checks shown";
    $("empty").hidden = shown !== 0;
    $("share").setAttribute("href", serialise(state) || "#matrix");
  }

  // -- evidence, built on demand with textContent only --------------------------------------
  function el(tag, cls, txt) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (txt !== undefined && txt !== null) { e.textContent = txt; }
    return e;
  }
  function block(parent, label, value, cls) {
    var lines = value.split("\n");
    if (value.length > 600 || lines.length > 8) {
      var d = el("details", "long"), s = el("summary", null, (label ? label + ": " : "") + lines[0].slice(0, 160) + " … (" + lines.length + " lines)");
      d.appendChild(s); d.appendChild(el("pre", cls, value)); parent.appendChild(d);
    } else { parent.appendChild(el("pre", cls, value)); }
  }
  function detailRow(i) {
    var c = D.checks[i], tr = el("tr", "detail"), td = el("td"), body = el("div", "dbody");
    td.colSpan = NCOL; tr.appendChild(td); td.appendChild(body);
    var req = el("div", "req"); req.appendChild(el("strong", null, "Requirement: ")); req.appendChild(document.createTextNode(S[c[0]]));
    body.appendChild(req);
    var spec = el("div", "spec"), sec = secs[i];
    spec.appendChild(document.createTextNode("Spec " + sec + " " + (D.sections[sec] || "") + " · " + rows[i].cells[3].textContent +
      " · judged by the Python " + S[c[3]] + " docs" + (S[c[4]] ? " · applies to Python " + S[c[4]] : "") + " · "));
    if (/^https:\/\//.test(S[c[2]])) { var a = el("a", null, S[c[1]]); a.href = S[c[2]]; a.rel = "noreferrer"; spec.appendChild(a); }
    if (S[c[5]]) { spec.appendChild(document.createTextNode(" · spec note ")); var n = el("a", null, S[c[5]]); n.href = "#note-" + S[c[5]]; spec.appendChild(n); }
    body.appendChild(spec);
    var li = state.loop ? KEYS.indexOf(state.loop) : -1;
    (D.ev[i] || []).forEach(function (r) {
      if (li >= 0 && r.l !== li) { return; }
      var code = D.codes[i][r.l], name = D.names[code];
      var ev = el("div", "ev" + (BAD.indexOf(name) !== -1 ? " bad" : name === "expected" ? " xf" : ""));
      var head = el("div", "evhead");
      head.appendChild(el("strong", null, D.labels[r.l]));
      head.appendChild(el("span", "st s-" + code, D.full[name]));
      head.appendChild(el("span", "sub", r.d + " s" + (r.rr ? " · rerun " + r.rr + "×" : "")));
      if (r.x !== undefined) { head.appendChild(el("span", "sub", "expectation: " + S[r.x] + (r.rs !== undefined ? " — " + S[r.rs] : ""))); }
      ev.appendChild(head);
      if (r.m !== undefined) { block(ev, "message", S[r.m], "msg"); }
      if (r.e !== undefined || r.o !== undefined) {
        var dl = el("dl", "eo");
        if (r.e !== undefined) { dl.appendChild(el("dt", null, "expected")); var dd = el("dd"); block(dd, "", S[r.e]); dl.appendChild(dd); }
        if (r.o !== undefined) { dl.appendChild(el("dt", null, "observed")); var od = el("dd"); block(od, "", S[r.o]); dl.appendChild(od); }
        ev.appendChild(dl);
      }
      if (r.bb !== undefined) { ev.appendChild(el("div", null, "blocked: could not reach its own clause because " + S[r.bb] + " failed first")); }
      if (r.at !== undefined) { ev.appendChild(el("div", "sub", "loop-wide finding moved to " + S[r.at])); }
      if (r.f) {
        var ul = el("ul");
        r.f.forEach(function (f) { ul.appendChild(el("li", null, S[f[0]] + (S[f[1]] ? " " + S[f[1]] : "") + (S[f[2]] ? ": " + S[f[2]] : ""))); });
        ev.appendChild(el("div", null, "findings:")); ev.appendChild(ul);
      }
      if (r.os) { ev.appendChild(el("div", null, "outcomes across repeats: " + r.os.join(", "))); }
      if (r.tb !== undefined) {
        var d = el("details", "tb");
        d.appendChild(el("summary", null, "traceback" + (r.h ? " (check and loop frames; " + r.h.length + " loopconf helper frame" + (r.h.length > 1 ? "s" : "") + " hidden: " + r.h.map(function (h) { return S[h]; }).join(", ") + ")" : "")));
        d.appendChild(el("pre", null, S[r.tb]));
        ev.appendChild(d);
      }
      if (r.rp !== undefined) {
        var rp = el("div", "repro"), cmd = el("code", null, S[r.rp]), b = el("button", null, "copy");
        b.type = "button";
        b.addEventListener("click", function () {
          var done = function () { b.textContent = "copied"; };
          if (navigator.clipboard) { navigator.clipboard.writeText(S[r.rp]).then(done, function () { select(cmd); }); } else { select(cmd); }
        });
        rp.appendChild(el("span", "sub", "reproduce:")); rp.appendChild(cmd); rp.appendChild(b); ev.appendChild(rp);
      }
      body.appendChild(ev);
    });
    return tr;
  }
  function select(node) { var r = document.createRange(); r.selectNodeContents(node); var s = getSelection(); s.removeAllRanges(); s.addRange(r); }
  function toggle(row, open) {
    var next = row.nextElementSibling, isOpen = !!(next && next.classList.contains("detail"));
    if (open === undefined) { open = !isOpen; }
    if (open && !isOpen) { row.parentNode.insertBefore(detailRow(+row.getAttribute("data-i")), row.nextSibling); }
    if (!open && isOpen) { next.parentNode.removeChild(next); }
    row.classList.toggle("open", open);
    row.cells[0].firstChild.setAttribute("aria-expanded", String(open));
    return open;
  }

  // -- wiring ------------------------------------------------------------------------------
  table.tBodies[0].addEventListener("click", function (e) {
    var b = e.target.closest("th.cid button");
    if (!b) { return; }
    var row = b.closest("tr"), open = toggle(row);
    state.open = open ? ids[+row.getAttribute("data-i")] : "";
    saveHash(false);
  });
  chips.forEach(function (c) {
    c.addEventListener("click", function () {
      var name = c.getAttribute("data-st"), at = state.st.indexOf(name);
      if (at === -1) { state.st.push(name); } else { state.st.splice(at, 1); }
      apply(); saveHash(false);
    });
  });
  [["f-loop", "loop"], ["f-sec", "sec"], ["f-lvl", "lvl"]].forEach(function (p) {
    $(p[0]).addEventListener("change", function () { state[p[1]] = $(p[0]).value; apply(); saveHash(false); });
  });
  var timer = null;
  $("search").addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { state.q = $("search").value; apply(); saveHash(false); }, 80);
  });
  $("reset").addEventListener("click", function () { state = copy(EMPTY); apply(); saveHash(false); });
  function closeAll() {
    Array.prototype.slice.call(table.querySelectorAll("tr.detail")).forEach(function (d) { toggle(d.previousElementSibling, false); });
  }
  function openFromState(scroll) {
    closeAll();
    if (!state.open) { return; }
    var i = ids.indexOf(state.open);
    if (i < 0 || rows[i].hidden) { return; }
    toggle(rows[i], true);
    if (scroll) { rows[i].scrollIntoView({ block: "center" }); rows[i].focus({ preventScroll: true }); }
  }
  function fromHash(scroll) {
    var s = parse(location.hash);
    if (!s) { return false; }
    state = s; apply(); openFromState(scroll);
    if (scroll && !state.open) { $("matrix").scrollIntoView(); }
    return true;
  }
  document.addEventListener("click", function (e) {
    var a = e.target.closest("a[data-filter]");
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey) { return; }
    var s = parse(a.getAttribute("href") || a.getAttribute("xlink:href"));
    if (!s) { return; }
    e.preventDefault();
    state = s; apply(); saveHash(true); openFromState(true);
    if (!state.open) { $("matrix").scrollIntoView(); }
  });
  window.addEventListener("hashchange", function () { fromHash(true); });
  window.addEventListener("popstate", function () { if (!fromHash(false)) { state = copy(EMPTY); apply(); } });

  // Keyboard: "/" search, j/k or arrows move between visible rows, Enter/o opens, Esc leaves search.
  function visible() { return rows.filter(function (r) { return !r.hidden; }); }
  function move(d) {
    var list = visible();
    if (!list.length) { return; }
    var cur = document.activeElement && document.activeElement.closest ? document.activeElement.closest("tr.row") : null;
    var at = cur ? list.indexOf(cur) : -1;
    var next = list[Math.max(0, Math.min(list.length - 1, at + d))];
    if (at === -1) { next = list[0]; }
    next.focus({ preventScroll: true });
    next.scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.altKey || e.ctrlKey || e.metaKey) { return; }
    if (t.matches && t.matches("input, select, textarea")) {
      if (e.key === "Escape") { t.blur(); if (t.id === "search") { move(0); } }
      if (e.key === "Enter" && t.id === "search") { clearTimeout(timer); state.q = t.value; apply(); saveHash(false); move(0); }
      return;
    }
    var row = t.closest ? t.closest("tr.row") : null;
    if (e.key === "/") { e.preventDefault(); $("search").focus(); $("search").select(); }
    else if (e.key === "j" || (row && e.key === "ArrowDown")) { e.preventDefault(); move(1); }
    else if (e.key === "k" || (row && e.key === "ArrowUp")) { e.preventDefault(); move(-1); }
    else if (row && (e.key === "Enter" || e.key === "o" || e.key === " ")) {
      e.preventDefault();
      var open = toggle(row);
      state.open = open ? ids[+row.getAttribute("data-i")] : ""; saveHash(false);
    }
  });

  // A shared link (filter state in the hash) opens on the matrix.
  if (!fromHash(true)) { apply(); }
  document.documentElement.setAttribute("data-ready", String(Math.round(performance.now())));  // benchmarks/report_render.py
})();
