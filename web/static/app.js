// Enhancements only: every page works without this file.
// 1. Forms are sent with fetch, so a failed save (the van's device out of reach, a dropped
//    connection) shows "Not saved" and keeps what was typed, instead of a browser error page.
//    Nothing is ever shown as saved until the server has answered: the page the server sends
//    back (after its durable commit) replaces this one.
// 2. After the idle time the server locks sessions at, the screen goes to the lock page so names
//    are not left showing on an unattended tablet; while someone is busy on a page, a light
//    request now and then keeps the server from locking them out mid-form.
// 3. Buttons with data-confirm ask before acting (voiding a record).

function showNotSaved() {
  // Looked up each time: a refused form's page replaces the body.
  const banner = document.querySelector('.upw-offline');
  if (!banner) return;
  banner.hidden = false;
  banner.focus?.();
  window.scrollTo({ top: 0 });
}

document.addEventListener('submit', async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== 'post') return;
  const submitter = event.submitter;
  if (submitter?.dataset.confirm && !window.confirm(submitter.dataset.confirm)) {
    event.preventDefault();
    return;
  }
  event.preventDefault();
  const buttons = form.querySelectorAll('button');
  buttons.forEach((b) => { b.disabled = true; });
  try {
    const response = await fetch(form.action, {
      method: 'POST',
      body: new URLSearchParams(new FormData(form)),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      credentials: 'same-origin',
      redirect: 'follow',
    });
    if (response.redirected) {
      // Saved (the server commits durably before its 303): show the result page.
      location.replace(response.url);
      return;
    }
    // Refused (422 with the errors and the input kept) or any other answer: show its body in
    // place. The listeners here live on the document, so they keep working on the new body, and
    // the idle lock keeps counting from the last touch.
    const html = await response.text();
    const next = new DOMParser().parseFromString(html, 'text/html');
    document.title = next.title;
    document.body.replaceWith(document.adoptNode(next.body));
    document.querySelector('.ds_error-summary')?.focus();
    window.scrollTo({ top: 0 });
  } catch {
    buttons.forEach((b) => { b.disabled = false; });
    showNotSaved();
  }
});

const lockAfter = Number(document.body.dataset.lockAfter || 0);
if (lockAfter > 0 && !location.pathname.startsWith('/unlock') && !location.pathname.startsWith('/login')) {
  let timer;
  // The server locks a session that sends nothing for the idle time; someone typing a long note
  // is not idle, so activity tells the server so (at most every half idle time, or minute).
  const pingEvery = Math.min(60, lockAfter / 2) * 1000;
  let lastPing = Date.now();
  const arm = () => {
    if (Date.now() - lastPing >= pingEvery) {
      lastPing = Date.now();
      fetch('/api/v1/session', { credentials: 'same-origin' }).catch(() => {});
    }
    clearTimeout(timer);
    timer = setTimeout(() => {
      location.assign('/unlock?next=' + encodeURIComponent(location.pathname));
    }, lockAfter * 1000);
  };
  ['pointerdown', 'keydown', 'scroll'].forEach((e) => document.addEventListener(e, arm, { passive: true }));
  arm();
}
