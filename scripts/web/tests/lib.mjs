// What the browser tests share: the hub's address and demo credentials, Chromium, signing in
// with a TOTP code computed here (RFC 6238 with Node's own HMAC, not the hub's code), and a
// screenshot of every step. Set by scripts/web/run.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const base = process.env.PALERMO_URL;
export const credentials = JSON.parse(fs.readFileSync(process.env.PALERMO_CREDENTIALS, 'utf8'));
const artifacts = process.env.PALERMO_WEB_ARTIFACTS;

export function person(username) {
  const found = credentials.people.find((p) => p.username === username);
  if (!found) throw new Error(`no demo person ${username}`);
  return found;
}

function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '').toUpperCase()) {
    const value = alphabet.indexOf(c);
    if (value < 0) throw new Error(`not base32: ${c}`);
    bits += value.toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

export function totp(secret, step = Math.floor(Date.now() / 30000)) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const hmac = crypto.createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = hmac[hmac.length - 1] & 15;
  return String((hmac.readUInt32BE(offset) & 0x7fffffff) % 1000000).padStart(6, '0');
}

// The hub takes each code once: a second sign-in within the same 30 s waits for the next code.
const lastStep = new Map();
export async function freshCode(secret) {
  let step = Math.floor(Date.now() / 30000);
  while (lastStep.get(secret) !== undefined && lastStep.get(secret) >= step) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    step = Math.floor(Date.now() / 30000);
  }
  lastStep.set(secret, step);
  return totp(secret, step);
}

let browser;
export async function launch() {
  browser ??= await chromium.launch({ executablePath: process.env.PALERMO_CHROMIUM || '/usr/bin/chromium' });
  return browser;
}

export async function close() {
  await browser?.close();
  browser = undefined;
}

// A page of its own (its own cookies) that fails the test on any script error or any
// Content-Security-Policy violation.
export async function newPage(options = {}) {
  const context = await (await launch()).newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (error) => page.problems.push(`script error: ${error.message}`));
  page.on('console', (message) => {
    // A page answered with 404 or 422 is logged too: that is the page's point, not a fault.
    const status = /^Failed to load resource: the server responded with a status of (401|403|404|422)/;
    if (message.type() === 'error' && !status.test(message.text())) {
      page.problems.push(`console: ${message.text()}`);
    }
  });
  page.on('dialog', (dialog) => dialog.accept());
  return page;
}

export async function signIn(page, username, code) {
  const who = person(username);
  await page.goto(`${base}/`);
  await page.waitForURL(/\/signin/);
  await page.getByLabel('User name').fill(who.username);
  await page.getByLabel('Password').fill(who.password);
  await page.getByLabel(/Code from your authenticator/).fill(code ?? (await freshCode(who.totp_secret)));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState();
  return page;
}

// One signed-in page per person, kept for the whole run (one sign-in each).
const sessions = new Map();
export async function as(username) {
  if (!sessions.has(username)) {
    const page = await newPage();
    await signIn(page, username);
    if (page.url().includes('/signin')) throw new Error(`${username} could not sign in`);
    sessions.set(username, page);
  }
  return sessions.get(username);
}

let shots = 0;
export async function shot(page, name, options = {}) {
  shots += 1;
  const file = path.join(artifacts, `${String(shots).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true, ...options });
  return file;
}

export function noProblems(page) {
  const problems = page.problems.splice(0);
  if (problems.length) throw new Error(problems.join('\n'));
}
