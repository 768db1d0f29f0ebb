"use strict";
(function () {
  const D = JSON.parse(document.getElementById("data").textContent);
  const M = D.meta;
  const LINE_STATES = ["free", "waiting", "talking"];
  const TAKER_STATES = D.takers.states;
  const C = D.calls;
  const N = C.arrived.length;
  const ANSWERED = 1, ABANDONED = 2, BLOCKED = 3;
  const $ = (id) => document.getElementById(id);
  let t = 0, playing = false, last = null;

  function stateAt(ch, s) { // ch = [t0, s0, t1, s1, ...]: the state in force at s
    let lo = 0, hi = ch.length / 2 - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ch[2 * mid] <= s) lo = mid; else hi = mid - 1;
    }
    return ch[2 * lo + 1];
  }
  function inAny(spans, s) {
    for (const sp of spans) if (sp[0] <= s && s < sp[1]) return true;
    return false;
  }
  function mmss(sec) {
    sec = Math.max(0, Math.round(sec));
    const h = Math.floor(sec / 3600), m = Math.floor(sec % 3600 / 60), x = sec % 60;
    const mm = String(m).padStart(2, "0"), ss = String(x).padStart(2, "0");
    return h ? h + ":" + mm + ":" + ss : m + ":" + ss;
  }
  function clock(s) {
    const c = (M.clock_start_s + s) % 86400;
    const f = (v) => String(Math.floor(v)).padStart(2, "0");
    return f(c / 3600) + ":" + f(c % 3600 / 60) + ":" + f(c % 60);
  }

  // --- build the tiles once --------------------------------------------------------------
  const lineEls = D.lines.map((_, i) => {
    const el = document.createElement("div");
    el.className = "tile line free";
    el.innerHTML = "<b>" + (i + 1) + "</b><span></span>";
    $("lines").appendChild(el);
    return el;
  });
  const groups = {};
  const takerEls = D.takers.tiles.map((tile) => {
    let g = groups[tile.shift];
    if (!g) {
      g = document.createElement("div");
      g.className = "shift-group";
      g.innerHTML = "<h3></h3><div class='tiles'></div>";
      g.querySelector("h3").textContent = (tile.shift || "on duty") + " shift";
      $("takers").appendChild(g);
      groups[tile.shift] = g;
    }
    const el = document.createElement("div");
    el.className = "tile taker off";
    el.title = tile.rank + " " + tile.person;
    el.textContent = tile.person;
    g.querySelector(".tiles").appendChild(el);
    return el;
  });

  // --- the timeline strip (SVG) ------------------------------------------------------------
  const svgNS = "http://www.w3.org/2000/svg";
  // The strip is drawn in its own pixel width (redrawn on resize) so its texts keep their shape.
  let W = 1000;
  const H = 120, dur = M.duration_s;
  const strip = $("strip");
  function add(tag, attrs, parent) {
    const el = document.createElementNS(svgNS, tag);
    for (const k in attrs) el.setAttribute(k, attrs[k]);
    (parent || strip).appendChild(el);
    return el;
  }
  function drawStrip() {
    W = Math.max(200, Math.round(strip.getBoundingClientRect().width) || 1000);
    strip.setAttribute("viewBox", "0 0 " + W + " " + H);
    while (strip.firstChild) strip.removeChild(strip.firstChild);
    const S = D.series, x = (s) => s / dur * W;
    const qmax = Math.max(1, ...S.queue), lmax = Math.max(M.lines || 0, ...S.lines, 1);
    const bmax = Math.max(1, ...S.busy_per_15min);
    const top = Math.max(qmax, lmax);
    const y = (v) => H - 14 - v / top * (H - 24);
    for (const m of D.marks) if (m.kind === "surge")
      add("rect", { x: x(m.at), y: 0, width: x(m.until - m.at), height: H - 12, fill: "rgba(197,48,48,.12)" });
    S.busy_per_15min.forEach((b, i) => {
      if (b > 0) add("rect", { x: x(i * 900) + 1, width: Math.max(1, x(900) - 2), y: H - 12 - b / bmax * 30, height: b / bmax * 30, fill: "rgba(197,48,48,.55)" });
    });
    let d = "M0," + y(0);
    S.queue.forEach((q, i) => { d += " L" + x(i * S.step_s).toFixed(1) + "," + y(q).toFixed(1); });
    d += " L" + x((S.queue.length - 1) * S.step_s).toFixed(1) + "," + y(0) + " Z";
    add("path", { d: d, fill: "#f6ad55", stroke: "#dd6b20", "stroke-width": 1 });
    let l = "";
    S.lines.forEach((v, i) => { l += (i ? " L" : "M") + x(i * S.step_s).toFixed(1) + "," + y(v).toFixed(1); });
    add("path", { d: l, fill: "none", stroke: "#2b6cb0", "stroke-width": 1.5 });
    if (M.lines) add("line", { x1: 0, x2: W, y1: y(M.lines), y2: y(M.lines), stroke: "#2b6cb0", "stroke-dasharray": "2,3", "stroke-width": 0.8 });
    for (const m of D.marks) {
      if (m.kind === "shift") add("line", { x1: x(m.at), x2: x(m.at), y1: 0, y2: H - 12, stroke: "#555", "stroke-dasharray": "4,3" });
      const surge = m.kind === "surge";
      const txt = add("text", { x: surge ? x((m.at + m.until) / 2) : x(m.at) + 3, y: surge ? 24 : 10, "font-size": 10,
        "text-anchor": surge ? "middle" : "start", fill: surge ? "#9b2c2c" : "#333", class: "halo" });
      txt.textContent = m.label;
    }
    for (let h = 0; h * 3600 <= dur; h++) {
      const s = h * 3600 - (M.clock_start_s % 3600);
      if (s < 0 || s > dur) continue;
      const c = Math.floor((M.clock_start_s + s) / 3600) % 24;
      if ((dur > 6 * 3600 && c % 3) || (W < 500 && dur > 6 * 3600 && c % 6)) continue;
      const txt = add("text", { x: x(s), y: H - 1, "font-size": 9, fill: "#555", "text-anchor": s < dur * 0.02 ? "start" : s > dur * 0.98 ? "end" : "middle" });
      txt.textContent = String(c).padStart(2, "0") + ":00";
    }
    add("line", { id: "cursor", x1: 0, x2: 0, y1: 0, y2: H - 12, stroke: "#000", "stroke-width": 2 });
  }
  drawStrip();

  // --- one frame ---------------------------------------------------------------------------
  function snapshot(s) {
    const lines = D.lines.map((ch) => LINE_STATES[stateAt(ch, s)]);
    const takers = D.takers.tiles.map((tile) => ({
      state: TAKER_STATES[stateAt(tile.changes, s)],
      overtime: inAny(tile.overtime, s),
    }));
    const waiting = [];
    let answered = 0, abandoned = 0, busy = 0, within = 0;
    for (let i = 0; i < N; i++) {
      const a = C.arrived[i];
      if (a > s) break; // sorted by arrival
      const o = C.outcome[i];
      if (o === BLOCKED) { if (a >= 0) busy++; continue; }
      const qe = C.queue_end[i];
      if (qe > s) waiting.push(s - a);
      if (o === ANSWERED && C.answered[i] <= s && C.answered[i] >= 0) {
        answered++;
        if (C.answered[i] - a <= M.service_level_s) within++;
      } else if (o === ABANDONED && qe <= s && qe >= 0) abandoned++;
    }
    waiting.sort((p, q) => q - p);
    return { t: s, clock: clock(s), lines: lines, takers: takers, waiting: waiting, answered: answered, abandoned: abandoned, busy: busy, within: within };
  }
  function count(arr) {
    const c = {};
    for (const v of arr) c[v] = (c[v] || 0) + 1;
    return c;
  }
  function rag(el, cls) { el.classList.remove("red", "amber", "neutral"); if (cls) el.classList.add(cls); }
  function render() {
    const snap = snapshot(t);
    $("clock").textContent = clock(t);
    $("scrub").value = String(Math.round(t));
    const cx = (t / dur * W).toFixed(1);
    const cur = $("cursor"); cur.setAttribute("x1", cx); cur.setAttribute("x2", cx);
    snap.lines.forEach((st, i) => { if (lineEls[i].dataset.state !== st) { lineEls[i].className = "tile line " + st; lineEls[i].dataset.state = st; } });
    const lc = count(snap.lines);
    $("lines-count").textContent = (lc.talking || 0) + " talking, " + (lc.waiting || 0) + " waiting, " + (lc.free || 0) + " free";
    snap.takers.forEach((tk, i) => {
      const cls = "tile taker " + tk.state + (tk.overtime ? " ot" : "");
      if (takerEls[i].className !== cls) { takerEls[i].className = cls; takerEls[i].dataset.state = tk.state; }
    });
    const tc = count(snap.takers.map((x) => x.state));
    const ot = snap.takers.filter((x) => x.overtime).length;
    $("takers-count").textContent = ["talking", "with_officer", "after_call", "free", "break", "present_no_seat"]
      .map((k) => (tc[k] || 0) + " " + k.replace(/_/g, " ").replace("present no seat", "no seat")).join(", ") + (ot ? ", " + ot + " in overtime" : "");
    const q = $("queue");
    q.textContent = "";
    if (!snap.waiting.length) { const e = document.createElement("span"); e.className = "none"; e.textContent = "nobody waiting"; q.appendChild(e); }
    snap.waiting.slice(0, 60).forEach((w) => {
      const e = document.createElement("span");
      e.className = "caller" + (w > M.service_level_s ? " late" : "");
      e.textContent = mmss(w);
      q.appendChild(e);
    });
    if (snap.waiting.length > 60) { const e = document.createElement("span"); e.className = "none"; e.textContent = "+" + (snap.waiting.length - 60) + " more"; q.appendChild(e); }
    $("queue-count").textContent = snap.waiting.length ? snap.waiting.length + " waiting, longest " + mmss(snap.waiting[0]) : "";
    const nw = snap.waiting.length, longest = nw ? snap.waiting[0] : 0, thr = M.service_level_s;
    const wbv = (id, v) => { $(id).querySelector(".v").textContent = v; };
    wbv("wb-waiting", nw); rag($("wb-waiting"), nw === 0 ? "" : nw <= 5 ? "amber" : "red");
    wbv("wb-longest", mmss(longest)); rag($("wb-longest"), longest <= thr ? "" : longest <= 3 * thr ? "amber" : "red");
    const sl = snap.answered ? snap.within / snap.answered : NaN;
    wbv("wb-sl", isNaN(sl) ? "-" : (sl * 100).toFixed(1) + "%");
    rag($("wb-sl"), isNaN(sl) ? "neutral" : sl >= M.service_level_target ? "" : sl >= M.service_level_target - M.amber_pp ? "amber" : "red");
    wbv("wb-answered", snap.answered); rag($("wb-answered"), "neutral");
    const offered = snap.answered + snap.abandoned;
    wbv("wb-abandoned", snap.abandoned);
    rag($("wb-abandoned"), !offered || snap.abandoned / offered <= 0.05 ? "" : snap.abandoned / offered <= 0.10 ? "amber" : "red");
    const att = offered + snap.busy;
    wbv("wb-busy", snap.busy);
    rag($("wb-busy"), !att || snap.busy / att <= 0.01 ? "" : snap.busy / att <= 0.05 ? "amber" : "red");
    return snap;
  }
  function frame(now) {
    if (!playing) { last = null; return; }
    if (last !== null) t = Math.min(dur, t + (now - last) / 1000 * Number($("speed").value));
    last = now;
    render();
    if (t >= dur) { pause(); return; }
    requestAnimationFrame(frame);
  }
  function play() {
    if (t >= dur) t = 0;
    playing = true; last = null;
    $("play").innerHTML = "&#10074;&#10074; pause";
    requestAnimationFrame(frame);
  }
  function pause() { playing = false; $("play").innerHTML = "&#9654; play"; }
  function seek(s) { t = Math.max(0, Math.min(dur, s)); return render(); }
  let resizing = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => { drawStrip(); render(); }, 100);
  });
  $("play").addEventListener("click", () => (playing ? pause() : play()));
  $("scrub").addEventListener("input", (e) => seek(Number(e.target.value)));
  strip.addEventListener("click", (e) => {
    const r = strip.getBoundingClientRect();
    seek((e.clientX - r.left) / r.width * dur);
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === " " && e.target.tagName !== "SELECT") { e.preventDefault(); playing ? pause() : play(); }
    if (e.key === "ArrowRight") seek(t + 300);
    if (e.key === "ArrowLeft") seek(t - 300);
  });
  // For tests and for embedding: the page's state, read from what is drawn.
  window.replay = {
    seek: seek, play: play, pause: pause,
    time: () => t, playing: () => playing, clockStart: M.clock_start_s, duration: dur,
    state: () => {
      const snap = snapshot(t);
      return {
        t: t, clock: $("clock").textContent,
        lines: lineEls.map((el) => el.dataset.state || "free"),
        waiting: snap.waiting.length,
        takers: count(snap.takers.map((x) => x.state)),
        answered: snap.answered, abandoned: snap.abandoned, busy: snap.busy,
      };
    },
  };
  render();
})();
