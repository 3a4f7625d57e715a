// HoloMesh web app: progressive enhancements. Every page works without this file.
// No tokens are stored in the browser: API calls use the HttpOnly session cookie and
// send the page's CSRF token in a header.
'use strict';

(function () {
  function csrfToken() {
    var input = document.querySelector('input[name="_csrf"]');
    return input ? input.value : '';
  }
  window.holomesh = { csrfToken: csrfToken };

  // The service worker: offline page and cached static files.
  if ('serviceWorker' in navigator) {
    window.addEventListener('load', function () {
      navigator.serviceWorker.register('/sw.js').catch(function () {});
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    // A form came back with errors: move focus to the summary so it is heard first.
    var summary = document.querySelector('[data-error-summary]');
    if (summary) summary.focus();
    setUpVerify();
    setUpLiveNotifications();
    setUpPush();
  });

  // Web Push: subscribe this browser (the service worker shows the messages).
  function setUpPush() {
    var section = document.querySelector('[data-push]');
    if (!section || !('serviceWorker' in navigator) || !('PushManager' in window) || !window.fetch) return;
    var button = section.querySelector('[data-push-toggle]');
    var status = section.querySelector('[data-push-status]');
    function key(b64) {
      var s = (b64 + '==='.slice((b64.length + 3) % 4)).replace(/-/g, '+').replace(/_/g, '/');
      var raw = atob(s);
      var out = new Uint8Array(raw.length);
      for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
      return out;
    }
    function call(method, body) {
      return fetch('/v1/me/push-subscriptions', {
        method: method,
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken() },
        body: JSON.stringify(body),
        credentials: 'same-origin'
      }).then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); });
    }
    fetch('/v1/push/public-key', { credentials: 'same-origin' }).then(function (r) {
      if (!r.ok) return;
      return r.json().then(function (k) {
        return navigator.serviceWorker.ready.then(function (reg) {
          return reg.pushManager.getSubscription().then(function (current) {
            section.hidden = false;
            var on = !!current;
            function show() {
              button.textContent = on ? 'Turn off push notifications' : 'Turn on push notifications';
            }
            show();
            button.addEventListener('click', function () {
              button.disabled = true;
              var done = on
                ? reg.pushManager.getSubscription().then(function (s) {
                    if (!s) return;
                    return call('DELETE', { endpoint: s.endpoint }).then(function () { return s.unsubscribe(); });
                  }).then(function () { on = false; status.textContent = 'Push notifications are off on this device.'; })
                : reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key(k.public_key) })
                  .then(function (s) { return call('POST', s.toJSON()); })
                  .then(function () { on = true; status.textContent = 'Push notifications are on for this device.'; });
              done.catch(function () {
                status.textContent = 'Push notifications could not be changed. Check that this site may show notifications.';
              }).then(function () { button.disabled = false; show(); });
            });
          });
        });
      });
    }).catch(function () {});
  }

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return ('0' + b.toString(16)).slice(-2);
    }).join('');
  }

  function listItem(text) {
    var li = document.createElement('li');
    li.textContent = text;
    return li;
  }

  // Verify a design file in the browser (WebCrypto SHA-256) and on the server.
  function setUpVerify() {
    var form = document.querySelector('form[data-verify]');
    var out = document.querySelector('[data-verify-result]');
    if (!form || !out || !window.crypto || !window.crypto.subtle || !window.fetch) return;
    form.addEventListener('submit', function (event) {
      var input = form.querySelector('input[type="file"]');
      if (!input.files || !input.files[0]) return;
      event.preventDefault();
      var file = input.files[0];
      out.textContent = 'Checking the file…';
      file.arrayBuffer().then(function (bytes) {
        return crypto.subtle.digest('SHA-256', bytes).then(function (digest) {
          var local = hex(digest);
          var expected = form.getAttribute('data-sha256');
          var size = String(file.size) === form.getAttribute('data-size');
          return fetch('/v1/chips/' + form.getAttribute('data-chip') + '/verify', {
            method: 'POST',
            headers: { 'Content-Type': 'application/octet-stream' },
            body: bytes,
            credentials: 'same-origin'
          }).then(function (r) { return r.ok ? r.json() : null; }).then(function (server) {
            var inBrowser = local === expected && size;
            var onServer = server ? server.valid : null;
            out.textContent = '';
            var p = document.createElement('p');
            var ok = inBrowser && onServer !== false;
            p.className = 'outcome ' + (ok ? 'ok' : 'bad');
            p.textContent = ok ? 'The file matches the signed record.' : 'The file does not match the signed record.';
            out.appendChild(p);
            var ul = document.createElement('ul');
            ul.appendChild(listItem((inBrowser ? 'Passed: ' : 'Failed: ') + 'in your browser — SHA-256 ' + local));
            if (server) {
              server.checks.forEach(function (c) {
                ul.appendChild(listItem((c.ok ? 'Passed: ' : 'Failed: ') + 'on the server, ' + c.name + ' — ' + c.detail));
              });
            } else {
              ul.appendChild(listItem('The server could not be asked.'));
            }
            out.appendChild(ul);
          });
        });
      }).catch(function () {
        out.textContent = 'The file could not be read.';
      });
    });
  }

  // On the Following page, announce new notifications as they arrive.
  function setUpLiveNotifications() {
    var list = document.querySelector('[data-live-notifications]');
    var notice = document.querySelector('[data-notice]');
    if (!list || !notice || !window.fetch) return;
    var known = null;
    function poll() {
      fetch('/v1/notifications?unread=true&limit=100', { credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) {
          if (!body) return;
          var count = body.items.length;
          if (known !== null && count > known) {
            notice.textContent = '';
            var p = document.createElement('p');
            p.textContent = (count - known) + ' new notification(s). Reload the page to see them.';
            notice.appendChild(p);
          }
          known = count;
        })
        .catch(function () {});
    }
    poll();
    setInterval(poll, 30000);
  }
})();
