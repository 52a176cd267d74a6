// Enhancements only: every page works without this file.
// 1. Forms are sent with fetch, so a failed save (the van's device out of reach, a dropped
//    connection) shows "Not saved" and keeps what was typed, instead of a browser error page.
//    Nothing is ever shown as saved until the server has answered: the page the server sends
//    back (after its durable commit) replaces this one.
// 2. After the idle time the server locks sessions at, the screen goes to the lock page so names
//    are not left showing on an unattended tablet.
// 3. Buttons with data-confirm ask before acting (voiding a record).

const banner = document.querySelector('.upw-offline');

function showNotSaved() {
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
    // Refused (422 with the errors and the input kept) or any other answer: show it as it is.
    const html = await response.text();
    document.open();
    document.write(html);
    document.close();
  } catch {
    buttons.forEach((b) => { b.disabled = false; });
    showNotSaved();
  }
});

const lockAfter = Number(document.body.dataset.lockAfter || 0);
if (lockAfter > 0 && !location.pathname.startsWith('/unlock') && !location.pathname.startsWith('/login')) {
  let timer;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      location.assign('/unlock?next=' + encodeURIComponent(location.pathname));
    }, lockAfter * 1000);
  };
  ['pointerdown', 'keydown', 'scroll'].forEach((e) => document.addEventListener(e, arm, { passive: true }));
  arm();
}
