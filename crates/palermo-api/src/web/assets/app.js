// Palermo's one script: small enhancements of pages that work without it.
// - locks the page when the session has been idle as long as the hub allows;
// - shows the review rules' verdicts while a notice request is typed;
// - asks before a destructive button (withdraw, refuse, cancel) sends its form.
'use strict';

(function idleLock() {
  const seconds = Number(document.body.dataset.idleSeconds || 0);
  const lock = document.getElementById('lock');
  if (!seconds || !lock) return;
  let last = Date.now();
  const touch = () => { last = Date.now(); };
  for (const type of ['keydown', 'pointerdown', 'input', 'scroll']) {
    window.addEventListener(type, touch, { passive: true });
  }
  setInterval(() => {
    if (Date.now() - last >= seconds * 1000 && lock.hidden) {
      lock.hidden = false;
      document.querySelector('main')?.setAttribute('inert', '');
      lock.querySelector('a')?.focus();
    }
  }, 5000);
})();

(function liveVerdicts() {
  const form = document.querySelector('form[data-evaluate]');
  if (!form || !document.getElementById('verdicts')) return;
  let timer = null;
  let sequence = 0;
  const evaluate = async () => {
    const mine = ++sequence;
    try {
      const response = await fetch(form.dataset.evaluate, {
        method: 'POST',
        body: new URLSearchParams(new FormData(form)),
        headers: { 'X-Palermo-Fragment': '1' },
        credentials: 'same-origin',
      });
      if (!response.ok || mine !== sequence) return;
      const html = await response.text();
      const parsed = new DOMParser().parseFromString(html, 'text/html');
      const fresh = parsed.getElementById('verdicts');
      const current = document.getElementById('verdicts');
      if (fresh && current) current.replaceWith(fresh);
    } catch (_) { /* offline: the button still checks */ }
  };
  form.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(evaluate, 400);
  });
  evaluate();
})();

// A file's upload shows its progress; the answer then replaces the page.
for (const form of document.querySelectorAll('form[data-progress]')) {
  form.addEventListener('submit', (event) => {
    const bar = form.querySelector('progress');
    if (!bar || !window.XMLHttpRequest) return;
    event.preventDefault();
    const request = new XMLHttpRequest();
    request.open('POST', form.action);
    bar.hidden = false;
    request.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
    });
    request.addEventListener('load', () => {
      document.open();
      document.write(request.responseText);
      document.close();
    });
    request.addEventListener('error', () => form.submit());
    request.send(new FormData(form));
  });
}

// An answer takes the focus (screen readers read it first; the page starts at it).
document.querySelector('[data-focus]')?.focus();

for (const button of document.querySelectorAll('button.danger')) {
  button.addEventListener('click', (event) => {
    if (!window.confirm(button.textContent.trim() + '?')) event.preventDefault();
  });
}
