#!/usr/bin/env python3
"""Drives payhookd's console in headless Chromium through the DevTools protocol.

Started by ConsoleBrowserIntegrationTests (and scripts/bench-console.sh with --bench) against a
running daemon. Checks what a person would see, saves a screenshot of each view, and prints one
JSON line with the results; exit status 1 when a check failed.
"""
import argparse, base64, hashlib, hmac, json, os, re, shutil, subprocess, sys, tempfile, time
import urllib.request
from websockets.sync.client import connect

p = argparse.ArgumentParser()
p.add_argument("--admin", required=True)
p.add_argument("--ingest")
p.add_argument("--token")
p.add_argument("--secret", default="nonstopay-test-secret")
p.add_argument("--out", default=".build/console-screenshots")
p.add_argument("--merchant-ref")
p.add_argument("--payment")
p.add_argument("--statuses", default="")
p.add_argument("--bench", action="store_true", help="only measure the first load")
p.add_argument("--timeout", type=float, default=60.0)
args = p.parse_args()
BASE = "http://" + args.admin
failures, checks, figures = [], [], {}


def check(ok, what):
    (checks if ok else failures).append(what)
    print(("ok   " if ok else "FAIL ") + what, file=sys.stderr, flush=True)
    return ok


class Browser:
    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="payhookd-chromium-")
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        self.proc = subprocess.Popen(
            [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
             "--disable-extensions", "--disable-background-networking", "--remote-debugging-port=0",
             "--user-data-dir=" + self.profile, "--window-size=1280,900", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + args.timeout
        port = None
        while time.time() < deadline and port is None:  # Chromium on loaded cores starts slowly
            line = self.proc.stderr.readline()
            m = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
            if m: port = m.group(1)
            if not line and self.proc.poll() is not None: break
        if port is None: sys.exit("chromium did not start")
        pages = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        page = next(t for t in pages if t["type"] == "page")
        self.ws = connect(page["webSocketDebuggerUrl"], max_size=64 << 20, open_timeout=args.timeout)
        self.next_id, self.events = 0, []
        for domain in ["Page", "Runtime", "Log", "Network"]: self.call(domain + ".enable")
        self.call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=args.timeout))
            if msg.get("id") == self.next_id:
                if "error" in msg: raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def pump(self):  # takes the events sent while we waited
        while True:
            try: msg = json.loads(self.ws.recv(timeout=0.01))
            except TimeoutError: return
            if "id" not in msg: self.events.append(msg)

    def eval(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in r: raise RuntimeError(f"{expr}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def wait(self, expr, what, timeout=None):
        deadline = time.time() + (timeout or args.timeout)
        while time.time() < deadline:
            if self.eval(expr): return True
            time.sleep(0.05)
        return check(False, "timed out waiting: " + what)

    def shot(self, name):
        os.makedirs(args.out, exist_ok=True)
        data = self.call("Page.captureScreenshot", format="png")["data"]
        open(os.path.join(args.out, name + ".png"), "wb").write(base64.b64decode(data))

    def key(self, name, code=9):
        for kind in ("keyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", type=kind, key=name, code=name, windowsVirtualKeyCode=code)

    def go(self, hash_):
        self.eval(f"location.hash = {json.dumps(hash_)}")

    def errors(self):
        self.pump()
        out = []
        for e in self.events:
            m, prm = e.get("method"), e.get("params", {})
            if m == "Runtime.exceptionThrown": out.append(json.dumps(prm["exceptionDetails"])[:300])
            elif m == "Runtime.consoleAPICalled" and prm.get("type") in ("error", "assert"): out.append(json.dumps(prm["args"])[:300])
            # The 401 of the login probe is a network entry, not a script error; CSP violations
            # ("security") and everything else count.
            elif m == "Log.entryAdded" and prm["entry"]["level"] == "error" and prm["entry"].get("source") != "network":
                out.append(prm["entry"]["text"][:300])
        return out

    def close(self):
        try: self.ws.close()
        finally:
            self.proc.kill()
            self.proc.wait()
            shutil.rmtree(self.profile, ignore_errors=True)


def http(path, method="GET", token=None):
    req = urllib.request.Request(BASE + path, method=method, data=b"" if method == "POST" else None)
    if token: req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as r: return r.status, r.read().decode()
    except urllib.error.HTTPError as e: return e.code, e.read().decode()


def post_event(payment, status, merchant_ref=None):
    body = {"status": status, "id": payment}
    if merchant_ref: body["merchant_data"] = merchant_ref
    raw = json.dumps(body, separators=(",", ":")).encode()
    sig = hmac.new(args.secret.encode(), raw, hashlib.sha256).hexdigest()
    req = urllib.request.Request(f"http://{args.ingest}/hooks/nonstopay-payin", data=raw, method="POST",
                                 headers={"Content-Type": "application/json", "X-Signature": sig})
    with urllib.request.urlopen(req, timeout=30) as r: return json.load(r)["seq"]


def metrics_counts():
    _, text = http("/metrics", token=args.token)
    counts = {}
    for m in re.finditer(r'^payhook_ingest_total\{source="([^"]+)",result="([^"]+)"\} (\S+)$', text, re.M):
        counts[(m.group(1), m.group(2))] = int(float(m.group(3)))
    for m in re.finditer(r'^payhook_ingest_rejected_total\{source="([^"]+)",reason="[^"]+"\} (\S+)$', text, re.M):
        counts[(m.group(1), "rejected")] = counts.get((m.group(1), "rejected"), 0) + int(float(m.group(2)))
    return counts


def first_load(b):
    """Loads the page; returns (bytes transferred, ms to the first view rendered)."""
    b.events.clear()
    b.call("Network.setCacheDisabled", cacheDisabled=True)
    b.call("Page.navigate", url=BASE + "/")
    b.wait(f"location.origin === {json.dumps(BASE)} && (performance.getEntriesByName('view-rendered').length > 0 || "
           "performance.getEntriesByName('login-shown').length > 0)", "first render")
    rendered = b.eval("(performance.getEntriesByName('view-rendered')[0] || performance.getEntriesByName('login-shown')[0] || {}).startTime")
    time.sleep(0.3)
    b.pump()
    transferred = sum(e["params"]["encodedDataLength"] for e in b.events if e.get("method") == "Network.loadingFinished")
    b.call("Network.setCacheDisabled", cacheDisabled=False)
    return transferred, rendered


def main():
    b = Browser()
    try:
        if args.bench:
            weight, render = first_load(b)
            figures.update(first_load_bytes=weight, first_render_ms=round(render or -1, 1))
            # Where the time went: the document, first paint, and each API answer's duration.
            figures.update(b.eval("""(() => {
              const nav = performance.getEntriesByType('navigation')[0];
              const fcp = performance.getEntriesByName('first-contentful-paint')[0];
              const api = Object.fromEntries(performance.getEntriesByType('resource')
                .map(r => [new URL(r.name).pathname, Math.round(r.duration)]));
              return { document_ms: Math.round(nav.responseEnd), fcp_ms: fcp ? Math.round(fcp.startTime) : null, resources_ms: api };
            })()"""))
            return
        weight, render = first_load(b)
        figures.update(first_load_bytes=weight, first_render_ms=round(render or -1, 1))
        # Without the token only the login form shows.
        check(b.eval("!document.querySelector('#login').hidden && document.querySelector('#nav').hidden && "
                     "document.querySelector('#view').children.length === 0"), "without a token only the login form shows")
        b.shot("login")
        b.eval(f"document.querySelector('#token').value = {json.dumps(args.token)}; document.querySelector('#login').requestSubmit()")
        b.wait("document.querySelectorAll('[data-count]').length > 0", "overview counts")
        shown = b.eval("Object.fromEntries([...document.querySelectorAll('[data-count]')].map(e => [e.dataset.count, e.textContent]))")
        want = metrics_counts()
        diffs = [k for k, v in shown.items() if k.endswith(":hour") and
                 int(v.replace(",", "")) != want.get(tuple(k.rsplit(":", 1)[0].split(":", 1)), 0)]
        check(not diffs and len(shown) > 0, f"overview hour counts equal /metrics ({len(shown)} cells, differing: {diffs})")
        b.shot("overview")
        b.call("Emulation.setDeviceMetricsOverride", width=640, height=900, deviceScaleFactor=2, mobile=False)
        b.go("#/hooks")
        b.wait("document.querySelector('#view h1')?.textContent === 'Hooks' && document.querySelector('[data-retry]') !== null", "hooks at 200% zoom")
        check(b.eval("document.documentElement.scrollWidth <= innerWidth + 1"), "200% zoom (640 CSS px wide): no page-wide horizontal scroll")
        b.shot("hooks-zoom-200")
        b.call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)

        # Keyboard: Tab from the top reaches the skip link, the views and the search box in order.
        b.eval("document.querySelector('.skip').focus()")
        visited = [b.eval("document.activeElement.textContent.trim()")]
        for _ in range(5):
            b.key("Tab")
            visited.append(b.eval("document.activeElement.id || document.activeElement.textContent.trim()"))
        check(visited == ["Skip to content", "Overview", "Live events", "Rejects", "Hooks", "q"], f"Tab order: {visited}")
        b.call("Emulation.setEmulatedMedia", features=[{"name": "prefers-color-scheme", "value": "dark"}])
        dark = b.eval("getComputedStyle(document.body).backgroundColor")
        b.shot("hooks-dark")
        b.call("Emulation.setEmulatedMedia", features=[{"name": "prefers-color-scheme", "value": "light"}])
        check(dark != b.eval("getComputedStyle(document.body).backgroundColor"), f"prefers-color-scheme: dark changes the colours ({dark})")

        b.go("#/live")
        b.wait("document.querySelector('#view h1')?.textContent === 'Live events' && document.querySelectorAll('#live-rows tr').length > 0", "live rows")
        seqs = b.eval("[...document.querySelectorAll('#live-rows tr')].map(r => +r.dataset.seq)")
        check(seqs == sorted(seqs, reverse=True), "live view lists newest first")
        time.sleep(0.5)  # the long poll is waiting now
        t0 = time.time()
        seq = post_event("live-" + str(int(t0 * 1000)), "invoice:created")
        acked = time.time()
        b.wait(f"document.querySelector('#live-rows tr')?.dataset.seq === '{seq}'", "new event in the live view", timeout=5)
        latency = time.time() - acked
        figures["live_latency_ms"] = round(latency * 1000)
        check(latency < 1.0, f"a new event appears at the top of the live view within a second ({latency * 1000:.0f} ms after its 200)")
        b.shot("live")
        b.go("#/live?source=noventiq")
        time.sleep(0.5)
        srcs = b.eval("[...document.querySelectorAll('#live-rows tr')].map(r => r.children[2].textContent)")
        check(all(s == "noventiq" for s in srcs), f"the source filter keeps only its rows ({len(srcs)} rows)")

        for text in [args.merchant_ref, args.payment]:
            b.go("#/overview")
            b.eval(f"document.querySelector('#q').value = {json.dumps(text)}; document.querySelector('#search').requestSubmit()")
            found = b.wait(f"document.querySelector('h1 code')?.textContent === {json.dumps(args.payment)} && "
                           "document.querySelectorAll('#timeline li').length > 0", "search result " + text)
            check(found, f"search for {text!r} opens payment {args.payment}")
        marks = b.eval("[...document.querySelectorAll('#timeline li.change')].map(li => li.dataset.status)")
        check(marks == args.statuses.split(","), f"timeline marks the status changes in order: {marks}")
        masked = b.eval("[...document.querySelectorAll('#timeline .masked')].map(s => s.textContent)")
        check(len(masked) > 0 and not any("@" in m for m in masked), f"e-mail and card fields masked by default ({len(masked)} fields)")
        b.eval("document.querySelector('#timeline details').open = true; document.querySelector('#timeline button.reveal').click()")
        check("@" in b.eval("document.querySelector('#timeline .masked').textContent"), "reveal shows one field")
        b.shot("payment")

        b.go("#/rejects")
        b.wait("document.querySelector('#view h1')?.textContent === 'Rejects' && document.querySelectorAll('[data-reject]').length > 0", "rejects listed")
        check(b.eval("document.querySelector('[data-reject] td.bad').textContent.length > 0"), "rejects show a reason")
        b.shot("rejects")

        b.go("#/hooks")
        b.wait("document.querySelector('#view h1')?.textContent === 'Hooks' && document.querySelectorAll('[data-parked-seq]').length > 0", "a parked event listed")
        b.shot("hooks")
        b.eval("sessionStorage.setItem('payhookd-admin-token', 'wrong-token-wrong-token'); document.querySelector('[data-retry]').click()")
        b.wait("!document.querySelector('#login').hidden", "login after a refused retry")
        parked = json.loads(http("/v1/hooks", token=args.token)[1])["hooks"][0]["parked"]
        check(parked == 1, f"retry with a wrong token is refused (401, login shown, still {parked} parked)")
        b.eval(f"document.querySelector('#token').value = {json.dumps(args.token)}; document.querySelector('#login').requestSubmit()")
        b.wait("document.querySelector('[data-retry]') !== null", "hooks view after login")
        b.eval("document.querySelector('[data-retry]').click()")
        ok = b.wait("/Queued 1 of 1/.test(document.querySelector('[data-result]').textContent)", "retry answer")
        check(ok, "retry with the token queues the parked event")
        b.eval("document.querySelector('[data-replay]').click()")
        check(b.eval("document.querySelector('.confirm button.danger') !== null"), "replay asks for confirmation first")
        for _ in range(200):
            if json.loads(http("/v1/hooks", token=args.token)[1])["hooks"][0]["parked"] == 0: break
            time.sleep(0.05)
        check(json.loads(http("/v1/hooks", token=args.token)[1])["hooks"][0]["parked"] == 0, "the retried event is delivered")
        errors = b.errors()
        check(not errors, f"no console errors on any view: {errors}")
    finally:
        b.close()


try:
    main()
finally:
    print(json.dumps({"ok": not failures, "checks": len(checks), "failures": failures, **figures}), flush=True)
sys.exit(1 if failures else 0)
