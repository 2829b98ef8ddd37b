// Renders Adaptive Cards in headless Chromium with the official renderer, clicks their
// buttons with real mouse events over the DevTools protocol, and saves a PNG of each card.
// Prints one JSON report on stdout; the Rust test (card_chromium.rs) asserts on it.
//
// usage: node drive-chromium.js <chromium> <adaptivecards dist dir> <screenshot dir> <card.json>...
//
// Chromium is driven over --remote-debugging-pipe (fd 3: commands in, fd 4: replies out,
// NUL-separated JSON): no port to pick, no WebSocket client needed, nothing but Node.
"use strict";

const { spawn } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const [chromiumPath, distDir, shotDir, ...files] = process.argv.slice(2);
if (!chromiumPath || !distDir || !shotDir || files.length === 0) {
  console.error("usage: node drive-chromium.js <chromium> <adaptivecards dist dir> <screenshot dir> <card.json>...");
  process.exit(2);
}

const REASON = "Use the packaged VPN installer from Company Portal";
const STEP_TIMEOUT_MS = 30000;

class Browser {
  constructor() {
    this.profile = fs.mkdtempSync(path.join(os.tmpdir(), "jitadmin-chromium-"));
    this.stderr = "";
    this.nextId = 1;
    this.pending = new Map();
    this.buffer = Buffer.alloc(0);
    this.child = spawn(
      chromiumPath,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--mute-audio",
        `--user-data-dir=${this.profile}`,
        "--remote-debugging-pipe",
        "about:blank",
      ],
      { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] }
    );
    this.child.stderr.on("data", (d) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => this.child.on("exit", (code, signal) => resolve({ code, signal })));
    this.exited.then(({ code, signal }) => {
      for (const { reject } of this.pending.values()) {
        reject(new Error(`chromium exited (code ${code}, signal ${signal}): ${this.stderr}`));
      }
      this.pending.clear();
    });
    this.child.on("error", (e) => {
      for (const { reject } of this.pending.values()) reject(e);
      this.pending.clear();
    });
    this.child.stdio[4].on("data", (chunk) => this.receive(chunk));
  }

  receive(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    let end;
    while ((end = this.buffer.indexOf(0)) >= 0) {
      const message = JSON.parse(this.buffer.subarray(0, end).toString("utf8"));
      this.buffer = this.buffer.subarray(end + 1);
      const waiter = message.id !== undefined && this.pending.get(message.id);
      if (waiter) {
        this.pending.delete(message.id);
        if (message.error) {
          waiter.reject(new Error(`${waiter.method}: ${JSON.stringify(message.error)}`));
        } else {
          waiter.resolve(message.result);
        }
      }
    }
  }

  send(method, params = {}, sessionId = undefined) {
    const id = this.nextId++;
    const message = { id, method, params };
    if (sessionId) message.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer in ${STEP_TIMEOUT_MS} ms; chromium stderr: ${this.stderr}`));
      }, STEP_TIMEOUT_MS);
      this.pending.set(id, {
        method,
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.child.stdio[3].write(JSON.stringify(message) + "\0");
    });
  }

  async close() {
    try {
      await Promise.race([this.send("Browser.close"), new Promise((r) => setTimeout(r, 3000))]);
    } catch (_) {
      // Already gone.
    }
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 5000))]);
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill("SIGKILL");
      await this.exited;
    }
    fs.rmSync(this.profile, { recursive: true, force: true });
  }
}

class Page {
  constructor(browser, sessionId) {
    this.browser = browser;
    this.sessionId = sessionId;
  }

  send(method, params = {}) {
    return this.browser.send(method, params, this.sessionId);
  }

  async eval(expression) {
    const r = await this.send("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true });
    if (r.exceptionDetails) {
      const e = r.exceptionDetails;
      throw new Error(`in page: ${e.exception ? e.exception.description : e.text}`);
    }
    return r.result.value;
  }

  // A real click: mouse moved, pressed and released at the element's centre.
  async click(selector, text) {
    const at = await this.eval(`__cards.locate(${JSON.stringify(selector)}, ${JSON.stringify(text)})`);
    if (!at) {
      throw new Error(`nothing to click: ${selector} ${JSON.stringify(text)}; buttons: ${JSON.stringify(await this.eval("__cards.buttons()"))}`);
    }
    const base = { x: at.x, y: at.y, button: "left", clickCount: 1 };
    await this.send("Input.dispatchMouseEvent", { type: "mouseMoved", x: at.x, y: at.y });
    await this.send("Input.dispatchMouseEvent", { type: "mousePressed", ...base });
    await this.send("Input.dispatchMouseEvent", { type: "mouseReleased", ...base });
    // Let the renderer's handlers and any re-layout run.
    await this.eval("new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))");
  }

  async screenshot(file) {
    const box = await this.eval("__cards.box()");
    const clip = { x: box.x, y: box.y, width: Math.ceil(box.width), height: Math.ceil(box.height), scale: 1 };
    const shot = await this.send("Page.captureScreenshot", { format: "png", clip, captureBeyondViewport: true });
    fs.writeFileSync(file, Buffer.from(shot.data, "base64"));
    return { file, width: clip.width, height: clip.height };
  }
}

async function openPage(browser) {
  const { targetId } = await browser.send("Target.createTarget", { url: "about:blank" });
  const { sessionId } = await browser.send("Target.attachToTarget", { targetId, flatten: true });
  const page = new Page(browser, sessionId);
  await page.send("Runtime.enable");
  await page.send("Page.enable");
  await page.send("Emulation.setDeviceMetricsOverride", { width: 700, height: 1000, deviceScaleFactor: 1, mobile: false });
  const css = fs.readFileSync(path.join(distDir, "adaptivecards.css"), "utf8");
  const shell = `
    document.documentElement.innerHTML = '<head><meta charset="utf-8"></head><body></body>';
    const style = document.createElement("style");
    style.textContent = ${JSON.stringify(css)} + "body { margin: 0; background: #f5f5f5; } #card { width: 600px; margin: 16px; background: #fff; border: 1px solid #e1e1e1; border-radius: 4px; }";
    document.head.appendChild(style);
    const card = document.createElement("div");
    card.id = "card";
    document.body.appendChild(card);
    true`;
  await page.eval(shell);
  await page.eval(fs.readFileSync(path.join(distDir, "adaptivecards.min.js"), "utf8") + "\n;typeof AdaptiveCards");
  await page.eval(fs.readFileSync(path.join(__dirname, "page.js"), "utf8") + "\n;true");
  if ((await page.eval("typeof window.AdaptiveCards")) !== "object") {
    throw new Error("the adaptivecards bundle did not define window.AdaptiveCards");
  }
  return page;
}

async function exercise(page, file) {
  const name = path.basename(file, ".json");
  const json = JSON.parse(fs.readFileSync(file, "utf8"));
  const result = { file: path.basename(file), name };
  const rendered = await page.eval(`__cards.render(${JSON.stringify(json)})`);
  Object.assign(result, rendered);
  result.screenshot = await page.screenshot(path.join(shotDir, `${name}.png`));
  if (!rendered.buttons.includes("Approve")) {
    return result;
  }

  await page.click("#card button", "Approve");
  result.approve = await page.eval("__cards.take()");

  await page.click("#card button", "Deny…");
  result.denyOpened = { buttons: await page.eval("__cards.buttons()"), executed: await page.eval("__cards.take()") };
  result.screenshotDenyOpen = await page.screenshot(path.join(shotDir, `${name}-deny-open.png`));

  await page.click("#card button", "Deny");
  result.denyWithoutReason = { executed: await page.eval("__cards.take()"), validation: await page.eval("__cards.validation()") };
  result.screenshotDenyBlocked = await page.screenshot(path.join(shotDir, `${name}-deny-blocked.png`));

  await page.click("#card textarea", null);
  await page.send("Input.insertText", { text: REASON });
  await page.click("#card button", "Deny");
  result.denyWithReason = { typed: REASON, executed: await page.eval("__cards.take()") };
  return result;
}

async function main() {
  fs.mkdirSync(shotDir, { recursive: true });
  const browser = new Browser();
  const report = { chromium: null, cards: [] };
  try {
    const version = await browser.send("Browser.getVersion");
    report.chromium = version.product;
    const page = await openPage(browser);
    for (const file of files) {
      report.cards.push(await exercise(page, file));
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(report, null, 2) + "\n");
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
