// payhookd console: reads the admin API of the listener it came from. Every call carries the
// admin token (sessionStorage, this tab only) as a Bearer; a 401 brings back the login form.
"use strict";
const $ = (sel) => document.querySelector(sel);
const TOKEN_KEY = "payhookd-admin-token";
let poll = null; // AbortController of the view's running requests (long poll included)

class Unauthorized extends Error {}

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const kid of kids.flat()) if (kid !== null && kid !== undefined) e.append(kid instanceof Node ? kid : String(kid));
  return e;
}
const svgEl = (tag, attrs) => {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
};

async function api(path, opts = {}) {
  const headers = {};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = "Bearer " + token;
  const res = await fetch(path, { method: opts.method || "GET", headers, signal: opts.signal, cache: "no-store" });
  if (res.status === 401) throw new Unauthorized();
  showApp(); // the views show only once the API answered with the token (or needs none)
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error((body.error && body.error.message) || body.message || "HTTP " + res.status);
  return body;
}

// Marks for the page's own timing (scripts/bench-console.sh reads the first one).
function shown(box, ...kids) {
  box.replaceChildren(...kids);
  performance.mark("view-rendered");
}

function showLogin(message) {
  performance.mark("login-shown");
  sessionStorage.removeItem(TOKEN_KEY);
  for (const id of ["#nav", "#search", "#logout"]) $(id).hidden = true;
  $("#view").replaceChildren();
  $("#login").hidden = false;
  $("#login-error").textContent = message || "";
  $("#token").focus();
}

function showApp() {
  $("#login").hidden = true;
  for (const id of ["#nav", "#search", "#logout"]) $(id).hidden = false;
}

// --- routing: #/overview, #/live?source=..., #/payment/SRC/ID, #/search/TEXT, #/rejects, #/hooks
const views = { overview, live, payment, search, rejects, hooks };

async function route() {
  if (poll) poll.abort();
  poll = new AbortController();
  const signal = poll.signal;
  const hash = location.hash.replace(/^#\/?/, "") || "overview";
  const [pathPart, queryPart] = hash.split("?");
  const parts = pathPart.split("/").map(decodeURIComponent);
  const view = views[parts[0]] ? parts[0] : "overview";
  for (const a of document.querySelectorAll("nav a"))
    a.toggleAttribute("aria-current", a.getAttribute("href") === "#/" + view) && a.setAttribute("aria-current", "page");
  const box = $("#view");
  try {
    await views[view](box, parts.slice(1), new URLSearchParams(queryPart || ""), signal);
    document.title = "payhookd · " + view;
  } catch (e) {
    if (e instanceof Unauthorized) return showLogin(sessionStorage.getItem(TOKEN_KEY) ? "That token was refused." : "");
    if (e.name === "AbortError") return;
    shown(box, el("p", { class: "error", role: "alert", text: "Could not load: " + e.message }));
  }
}

const fmt = (n) => (n === null || n === undefined ? "–" : Number(n).toLocaleString("en"));
function bytes(n) {
  const u = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : n) + " " + u[i];
}
function age(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  if (seconds < 120) return seconds + " s";
  if (seconds < 7200) return Math.round(seconds / 60) + " min";
  if (seconds < 172800) return Math.round(seconds / 3600) + " h";
  return Math.round(seconds / 86400) + " d";
}
const statusCell = (s) => el("span", { class: "st-" + s, text: s });
const paymentHref = (src, id) => "#/payment/" + encodeURIComponent(src) + "/" + encodeURIComponent(id);
const pathSeg = (s) => encodeURIComponent(s);
const table = (head, rows, cls) =>
  el("div", { class: "scroll" }, el("table", { class: cls },
    el("thead", {}, el("tr", {}, head.map((h) => el("th", { class: /^#|count|lag|seq|in flight|hour|day/i.test(h) ? "n" : null, scope: "col", text: h })))),
    el("tbody", {}, rows)));

// --- Overview
const RESULTS = ["accepted", "quarantined", "duplicate", "rejected"];

function chart(series, label) {
  const w = 240, h = 48, n = series.length;
  const max = Math.max(1, ...series.map((c) => Math.max(c[0] + c[1] + c[2], c[3])));
  const line = (idx) => series.map((c, i) => {
    const v = idx.reduce((s, k) => s + c[k], 0);
    return (i ? "L" : "M") + ((i * w) / Math.max(1, n - 1)).toFixed(1) + "," + (h - 2 - (v / max) * (h - 4)).toFixed(1);
  }).join("");
  const svg = svgEl("svg", { class: "chart", viewBox: `0 0 ${w} ${h}`, role: "img", "aria-label": label, preserveAspectRatio: "none" });
  svg.append(svgEl("line", { class: "base", x1: 0, y1: h - 1, x2: w, y2: h - 1 }));
  svg.append(svgEl("path", { class: "a", d: line([0, 1, 2]) }));
  svg.append(svgEl("path", { class: "r", d: line([3]) }));
  const title = svgEl("title", {});
  title.textContent = label;
  svg.prepend(title);
  return svg;
}

async function overview(box, _parts, _query, signal) {
  const [ov, hk] = await Promise.all([api("/v1/overview", { signal }), api("/v1/hooks", { signal })]);
  const log = ov.log;
  const card = (label, value, id) => el("div", { class: "card" }, el("span", { text: label }), el("b", { id, text: value }));
  const rows = ov.sources.map((s) => el("tr", { "data-source": s.source },
    el("th", { scope: "row", text: s.source }),
    ...RESULTS.map((r) => el("td", { class: "n", "data-count": `${s.source}:${r}:hour` }, fmt(s.hour[r]))),
    ...RESULTS.map((r) => el("td", { class: "n", "data-count": `${s.source}:${r}:day` }, fmt(s.day[r]))),
    el("td", {}, chart(s.minutes, `${s.source}: accepted, quarantined and duplicate (green) and rejected (red) per minute, last hour`)),
    el("td", {}, chart(s.hours, `${s.source}: per hour, last day`))));
  shown(box,
    el("h1", { text: "Overview" }),
    el("div", { class: "cards" },
      card("Log size", bytes(log.bytes), "log-bytes"), card("Last seq", fmt(log.last_seq), "last-seq"),
      card("Payments", fmt(log.payments), "payments"), card("Segments", fmt(log.segments)),
      card("Snapshot age", age(log.snapshot_age_seconds) + (log.snapshot_seq ? " (seq " + log.snapshot_seq + ")" : ""), "snapshot-age")),
    el("p", {}, "Oldest retained event: ", el("span", { id: "oldest", text: log.first_seq ? "seq " + log.first_seq : "–" })),
    el("h2", { text: "Requests per source" }),
    table(["source", ...RESULTS.map((r) => r + " (hour)"), ...RESULTS.map((r) => r + " (day)"), "last hour", "last day"], rows, "counts"),
    el("h2", { text: "Hooks" }),
    hookTable(hk.hooks, false));
  // Its time needs a read of the log: shown when it comes, not awaited by the first render.
  if (log.first_seq) {
    const page = await api(`/v1/events?after=${log.first_seq - 1}&limit=1`, { signal });
    if (page.events.length) $("#oldest").textContent = page.events[0].received_at + " (seq " + page.events[0].seq + ")";
  }
}

function hookTable(list, details) {
  if (!list.length) return el("p", { class: "muted", text: "No hooks configured." });
  const head = ["hook", "state", "delivered seq", "lag events", "lag seconds", "in flight", "parked"];
  if (details) head.push("failed attempts", "last error");
  return table(head, list.map((h) => el("tr", { "data-hook": h.name },
    el("th", { scope: "row" }, el("a", { href: "#/hooks", text: h.name })),
    el("td", { class: h.state === "running" ? "ok" : "bad", text: h.state }),
    el("td", { class: "n", text: fmt(h.delivered_seq) }), el("td", { class: "n", text: fmt(h.lag_events) }),
    el("td", { class: "n", text: fmt(h.lag_seconds) }), el("td", { class: "n", text: fmt(h.in_flight) }),
    el("td", { class: "n", "data-parked": h.name, text: fmt(h.parked) }),
    details ? el("td", { class: "n", text: fmt(h.failed_attempts) }) : null,
    details ? el("td", {}, h.last_error ? el("span", { class: "error", text: h.last_error + " (" + h.last_error_at + ")" }) : "–") : null)));
}

// --- Live events: newest first, follows the long poll
const STATUSES = ["created", "pending", "failed", "expired", "cancelled", "succeeded", "refunded", "unknown"];

async function live(box, _parts, query, signal) {
  const ov = await api("/v1/overview", { signal });
  const f = { source: query.get("source") || "", status: query.get("status") || "", quarantined: query.get("quarantined") || "" };
  const setFilter = (k, v) => {
    const q = new URLSearchParams({ ...f, [k]: v });
    for (const [key, val] of [...q]) if (!val) q.delete(key);
    location.hash = "#/live" + (q.toString() ? "?" + q : "");
  };
  const select = (id, label, options, value, key) => el("label", { for: id }, label + " ",
    el("select", { id, onchange: (e) => setFilter(key, e.target.value) },
      options.map(([v, t]) => el("option", { value: v, selected: v === value, text: t }))));
  const body = el("tbody", { id: "live-rows" });
  const count = el("span", { class: "muted", id: "live-count", text: "" });
  shown(box, el("h1", { text: "Live events" }),
    el("div", { class: "filters" },
      select("f-source", "Source", [["", "all"], ...ov.sources.map((s) => [s.source, s.source])], f.source, "source"),
      select("f-status", "Status", [["", "all"], ...STATUSES.map((s) => [s, s])], f.status, "status"),
      select("f-quar", "Quarantined", [["", "either"], ["yes", "only quarantined"], ["no", "not quarantined"]], f.quarantined, "quarantined"),
      count),
    el("div", { class: "scroll" }, el("table", {},
      el("thead", {}, el("tr", {}, ["seq", "received", "source", "payment", "merchant ref", "status", "event", "amount"].map((h) => el("th", { scope: "col", text: h })))),
      body)));
  const keep = (e) => (!f.source || e.source === f.source) && (!f.status || e.status === f.status) &&
    (!f.quarantined || (f.quarantined === "yes") === (e.quarantined !== null && e.quarantined !== undefined));
  let listed = 0;
  const add = (events) => {
    for (const e of events) {
      if (!keep(e)) continue;
      body.prepend(el("tr", { "data-seq": e.seq },
        el("td", { class: "n", text: e.seq }), el("td", { text: e.received_at }), el("td", { text: e.source }),
        el("td", {}, e.payment_id ? el("a", { href: paymentHref(e.source, e.payment_id), text: e.payment_id }) : el("span", { class: "quar", text: "quarantined" })),
        el("td", { text: e.merchant_ref || "" }), el("td", {}, statusCell(e.status)), el("td", { text: e.provider_event || "" }),
        el("td", { class: "n", text: e.amount ? e.amount + " " + (e.currency || "") : "" })));
      if (++listed > 500) body.lastChild.remove();
    }
    count.textContent = Math.min(listed, 500) + " shown";
  };
  let after = Math.max(0, ov.log.last_seq - 200);
  const first = await api(`/v1/events?after=${after}&limit=200`, { signal });
  add(first.events);
  after = first.next;
  for (;;) {
    let page;
    try {
      page = await api(`/v1/events?after=${after}&limit=200&wait=25`, { signal });
    } catch (e) {
      if (e.name === "AbortError" || e instanceof Unauthorized) throw e;
      await new Promise((r) => setTimeout(r, 2000)); // 503: too many waiters; try again
      continue;
    }
    add(page.events);
    after = page.next;
  }
}

// --- Search and payment
async function search(box, parts, _query, signal) {
  const text = parts.join("/");
  $("#q").value = text;
  const found = await api("/v1/search?q=" + encodeURIComponent(text), { signal });
  if (found.payments.length === 1) {
    const p = found.payments[0];
    return location.replace(paymentHref(p.source, p.payment_id));
  }
  shown(box, el("h1", {}, "Search: ", el("q", { text })),
    found.payments.length ? table(["payment", "source", "merchant ref", "status", "events", "last seen"], found.payments.map((p) => el("tr", {},
      el("td", {}, el("a", { href: paymentHref(p.source, p.payment_id), text: p.payment_id })), el("td", { text: p.source }),
      el("td", { text: p.merchant_ref || "" }), el("td", {}, statusCell(p.status)), el("td", { class: "n", text: p.events }),
      el("td", { text: p.last_seen })))) : el("p", { id: "no-results", text: "No payment has this id or merchant ref." }));
}

async function payment(box, parts, _query, signal) {
  const [src, id] = [parts[0], parts.slice(1).join("/")];
  const base = "/v1/payments/" + pathSeg(src) + "/" + pathSeg(id);
  const [p, ev] = await Promise.all([api(base, { signal }), api(base + "/events", { signal })]);
  const records = await Promise.all(ev.events.slice(-50).map((e) => api("/v1/records/" + e.seq, { signal })));
  let previous = null;
  const items = records.map((r) => {
    const e = r.event;
    const changed = e.status !== previous && e.status !== "unknown";
    const li = el("li", { class: changed ? "change" : null, "data-seq": e.seq, "data-status": e.status },
      el("div", {}, el("b", { text: e.received_at }), " · seq " + e.seq + " · " + (e.provider_event || "") + " · ",
        statusCell(e.status), changed ? el("span", { class: "change-mark" }, " ← status " + (previous ? previous + " → " : "") + e.status) : null),
      el("div", { class: "muted" }, "verified by " + e.verified_by + (e.unsigned.length ? "; not covered by the signature: " + e.unsigned.join(", ") : "; every field signed") +
        (e.quarantined ? "; quarantined: " + e.quarantined : "")),
      el("details", {}, el("summary", { text: "Stored request: " + r.request.method + " " + r.request.path }),
        table(["header", "value"], [["peer", r.request.peer], ["client", r.request.client], ...r.request.headers].map(([k, v]) =>
          el("tr", {}, el("th", { scope: "row", text: k }), el("td", { text: v })))),
        bodyView(r.request.body, r.request.body_is_json)));
    if (changed) previous = e.status;
    return li;
  });
  shown(box, el("h1", {}, "Payment ", el("code", { text: p.payment_id }), " ", statusCell(p.status)),
    el("p", {}, `${p.source} · ${p.provider} ${p.kind} · merchant ref ${p.merchant_ref || "–"} · ${p.amount || "–"} ${p.currency || ""} · ${p.events} events · first ${p.first_seen} · last ${p.last_seen}`),
    el("h2", { text: "Timeline" }), el("ol", { class: "timeline", id: "timeline" }, items));
}

// --- bodies: pretty-printed, card data and e-mail addresses masked until revealed per field
const CARD_KEY = /^(pan|card_?number|cardnumber|number|cvv|cvc|cvv2|card_?holder|expiry|exp_?(month|year)|security_?code)$/i;
const EMAIL = /[^\s"'<>@]+@[^\s"'<>@]+\.[a-z]{2,}/i;
const CARD_DIGITS = /\b(?:\d[ -]?){12,18}\d\b/;

function sensitive(key, value) {
  if (typeof value !== "string" && typeof value !== "number") return false;
  const s = String(value);
  return (key && CARD_KEY.test(key) && s.length > 2) || EMAIL.test(s) || CARD_DIGITS.test(s);
}

function masked(text) {
  const span = el("span", { class: "masked", "data-masked": "1", text: "•".repeat(Math.min(12, text.length)) });
  const button = el("button", { type: "button", class: "reveal", "aria-pressed": "false", "aria-label": "reveal field", text: "show" });
  button.addEventListener("click", () => {
    const shown = span.dataset.masked === "1";
    span.textContent = shown ? text : "•".repeat(Math.min(12, text.length));
    span.dataset.masked = shown ? "0" : "1";
    button.textContent = shown ? "hide" : "show";
    button.setAttribute("aria-pressed", String(shown));
  });
  return [span, button];
}

function bodyView(text, isJSON) {
  const pre = el("pre", { class: "body" });
  let value;
  try { value = isJSON ? JSON.parse(text) : undefined; } catch { value = undefined; }
  if (value === undefined) {
    const m = text.match(EMAIL) || text.match(CARD_DIGITS);
    if (!m) pre.textContent = text;
    else pre.append(text.slice(0, m.index), ...masked(m[0]), text.slice(m.index + m[0].length));
    return pre;
  }
  const write = (v, indent, key) => {
    if (v !== null && typeof v === "object") {
      const arr = Array.isArray(v), entries = arr ? v.map((x, i) => [null, x]) : Object.entries(v);
      if (!entries.length) return pre.append(arr ? "[]" : "{}");
      pre.append(arr ? "[\n" : "{\n");
      entries.forEach(([k, x], i) => {
        pre.append(" ".repeat(indent + 2) + (arr ? "" : JSON.stringify(k) + ": "));
        write(x, indent + 2, arr ? key : k);
        pre.append(i < entries.length - 1 ? ",\n" : "\n");
      });
      return pre.append(" ".repeat(indent) + (arr ? "]" : "}"));
    }
    const json = JSON.stringify(v);
    if (sensitive(key, v)) pre.append(...masked(json));
    else pre.append(json);
  };
  write(value, 0, null);
  return pre;
}

// --- Rejects
async function rejects(box, _parts, _query, signal) {
  const list = await api("/v1/rejects?limit=200", { signal });
  const result = el("p", { id: "reverify-result", role: "status" });
  const run = el("button", { type: "button", id: "reverify", text: "Re-verify stored rejects" });
  run.addEventListener("click", async () => {
    run.disabled = true;
    try {
      const r = await api("/v1/rejects/reverify", { method: "POST" });
      result.textContent = `checked ${r.checked}, ingested ${r.ingested}, duplicates ${r.duplicates}, still rejected ${r.still_rejected}`;
    } catch (e) {
      if (e instanceof Unauthorized) return showLogin("That token was refused.");
      result.textContent = "Re-verify failed: " + e.message;
    } finally { run.disabled = false; }
  });
  shown(box, el("h1", { text: "Rejects" }),
    el("p", { class: "muted", text: `${list.total} kept requests that failed verification; newest first. Re-verify runs them again against today's secrets.` }),
    el("p", {}, run), result,
    table(["time", "source", "reason", "client", "request"], list.rejects.map((r) => el("tr", { "data-reject": r.id },
      el("td", { text: r.received_at }), el("td", { text: r.source }), el("td", { class: "bad", text: r.reason }),
      el("td", { text: r.request.client }),
      el("td", {}, el("details", {}, el("summary", { text: r.request.method + " " + r.request.path + (r.reingested ? " (re-ingested)" : "") }),
        bodyView(r.request.body, r.request.body_is_json)))))));
}

// --- Hooks: progress, parked events, retry and replay (POST with the token)
async function hooks(box, _parts, _query, signal) {
  const hk = await api("/v1/hooks", { signal });
  const parked = await Promise.all(hk.hooks.map((h) => api("/v1/hooks/" + pathSeg(h.name) + "/parked", { signal })));
  const sections = hk.hooks.map((h, i) => {
    const status = el("p", { role: "status", "data-result": h.name });
    const post = async (path, done) => {
      try { done(await api(path, { method: "POST" })); } catch (e) {
        if (e instanceof Unauthorized) return showLogin("That token was refused.");
        status.textContent = "Refused: " + e.message;
      }
    };
    const retry = el("button", { type: "button", "data-retry": h.name, text: "Retry parked events" });
    retry.addEventListener("click", () => post(`/v1/hooks/${pathSeg(h.name)}/retry-parked`, (r) => { status.textContent = `Queued ${r.queued} of ${r.parked} parked events.`; }));
    const from = el("input", { id: "from-" + h.name, type: "number", min: 1, value: Math.max(1, h.delivered_seq), inputmode: "numeric" });
    const confirmBox = el("span", { class: "confirm" });
    const replay = el("button", { type: "button", "data-replay": h.name, text: "Replay from seq…" });
    replay.addEventListener("click", () => {
      const yes = el("button", { type: "button", class: "danger", text: `Yes, send every matching event from seq ${from.value} again` });
      const no = el("button", { type: "button", text: "Cancel" });
      yes.addEventListener("click", () => post(`/v1/hooks/${pathSeg(h.name)}/replay?from=${encodeURIComponent(from.value)}`, (r) => {
        confirmBox.replaceChildren();
        status.textContent = `Replaying from seq ${r.from}` + (r.through ? ` through ${r.through}.` : ".");
      }));
      no.addEventListener("click", () => { confirmBox.replaceChildren(); replay.focus(); });
      confirmBox.replaceChildren(yes, no);
      no.focus();
    });
    const list = parked[i].parked;
    return el("section", { "aria-labelledby": "h-" + h.name },
      el("h2", { id: "h-" + h.name, text: `${h.name} (${h.kind} → ${h.target})` }),
      el("p", {}, `cursor: scan seq ${h.scan_seq}, ${h.pending} pending · delivered ${fmt(h.delivered)}`),
      list.length ? table(["seq", "event", "attempts", "first attempt", "last attempt", "last error"], list.map((p) => el("tr", { "data-parked-seq": p.seq },
        el("td", { class: "n", text: p.seq }), el("td", { text: p.event_id }), el("td", { class: "n", text: p.attempts }),
        el("td", { text: p.first_attempt_at }), el("td", { text: p.last_attempt_at }), el("td", { class: "error", text: p.last_error || "" }))))
        : el("p", { class: "muted", text: "Nothing parked." }),
      el("div", { class: "filters" }, retry, el("label", { for: "from-" + h.name, text: "from seq" }), from, replay, confirmBox), status);
  });
  shown(box, el("h1", { text: "Hooks" }), hookTable(hk.hooks, true), ...sections);
}

// --- start
$("#login").addEventListener("submit", (e) => {
  e.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $("#token").value);
  $("#token").value = "";
  route();
});
$("#search").addEventListener("submit", (e) => {
  e.preventDefault();
  const q = $("#q").value.trim();
  if (q) location.hash = "#/search/" + encodeURIComponent(q);
});
$("#logout").addEventListener("click", () => showLogin(""));
window.addEventListener("hashchange", route);
route();
