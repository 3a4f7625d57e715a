// Push-to-talk for the voice assistant: records from the microphone while the button
// (or Alt+Shift+V) is held, or between two presses in toggle mode, sends 16 kHz mono
// WAV to POST /v1/voice/audio, shows what was heard and understood, announces the
// reply in a live region and speaks it (speechSynthesis, can be turned off), and
// offers Confirm / Cancel for commands waiting for a yes. Typed commands go through
// POST /v1/voice/transcripts. The session cookie authenticates; the CSRF token rides
// in X-CSRF-Token.
'use strict';

(function () {
  var RATE = 16000;
  var el = {};
  var rec = null;        // the recording in progress
  var starting = false;  // waiting for the microphone
  var stopAsked = false; // released before the microphone opened
  var pending = null;    // id of a command waiting for a yes

  document.addEventListener('DOMContentLoaded', init);

  function init() {
    var panel = document.getElementById('voice');
    if (!panel || !window.fetch) return;
    el.panel = panel;
    el.controls = panel.querySelector('[data-voice-controls]');
    el.ptt = document.getElementById('ptt');
    el.toggle = document.getElementById('ptt-toggle');
    el.speak = document.getElementById('speak-replies');
    el.output = panel.querySelector('[data-voice-output]');
    el.heard = panel.querySelector('[data-heard]');
    el.understood = panel.querySelector('[data-understood]');
    el.reply = panel.querySelector('[data-voice-reply]');
    el.confirm = panel.querySelector('[data-voice-confirm]');
    el.say = panel.querySelector('form.say');

    el.say.addEventListener('submit', function (event) {
      var input = el.say.querySelector('input[name="text"]');
      var text = input.value.trim();
      if (!text) return;
      event.preventDefault();
      send('/v1/voice/transcripts', JSON.stringify({ text: text }), 'application/json');
      input.value = '';
    });
    Array.prototype.forEach.call(panel.querySelectorAll('[data-voice-answer]'), function (b) {
      b.addEventListener('click', function () { answer(b.getAttribute('data-voice-answer')); });
    });

    var canRecord = navigator.mediaDevices && navigator.mediaDevices.getUserMedia &&
      (window.AudioContext || window.webkitAudioContext);
    if (!canRecord) return;
    el.controls.hidden = false;
    try { el.speak.checked = localStorage.getItem('holomesh.speak') !== 'off'; } catch (e) { /* private mode */ }
    el.speak.addEventListener('change', function () {
      try { localStorage.setItem('holomesh.speak', el.speak.checked ? 'on' : 'off'); } catch (e) { /* ignore */ }
      if (!el.speak.checked && window.speechSynthesis) speechSynthesis.cancel();
    });
    el.toggle.addEventListener('change', label);

    var ptt = el.ptt;
    ptt.addEventListener('click', function () {
      if (el.toggle.checked) { if (rec || starting) stop(); else start(); }
    });
    ptt.addEventListener('pointerdown', function (e) {
      if (!el.toggle.checked && e.button === 0) { e.preventDefault(); ptt.focus(); start(); }
    });
    ['pointerup', 'pointercancel', 'pointerleave'].forEach(function (name) {
      ptt.addEventListener(name, function () { if (!el.toggle.checked) stop(); });
    });
    ptt.addEventListener('keydown', function (e) {
      if (!el.toggle.checked && (e.key === ' ' || e.key === 'Enter')) {
        e.preventDefault();
        if (!e.repeat) start();
      }
    });
    ptt.addEventListener('keyup', function (e) {
      if (!el.toggle.checked && (e.key === ' ' || e.key === 'Enter')) { e.preventDefault(); stop(); }
    });
    document.addEventListener('keydown', function (e) {
      if (e.altKey && e.shiftKey && e.code === 'KeyV') {
        e.preventDefault();
        if (e.repeat) return;
        if (el.toggle.checked && (rec || starting)) stop(); else start();
      }
    });
    document.addEventListener('keyup', function (e) {
      if (!el.toggle.checked && (rec || starting) && (e.code === 'KeyV' || e.key === 'Alt' || e.key === 'Shift')) stop();
    });
  }

  function label() {
    var on = !!(rec || starting);
    el.ptt.setAttribute('aria-pressed', on ? 'true' : 'false');
    if (on) el.ptt.textContent = el.toggle.checked ? 'Recording… press to send' : 'Recording… release to send';
    else el.ptt.textContent = el.toggle.checked ? 'Press to talk' : 'Hold to talk';
  }

  function start() {
    if (rec || starting) return;
    starting = true;
    stopAsked = false;
    label();
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      var ctx = new Ctx();
      var source = ctx.createMediaStreamSource(stream);
      var node = ctx.createScriptProcessor(4096, 1, 1);
      var chunks = [];
      node.onaudioprocess = function (e) { chunks.push(new Float32Array(e.inputBuffer.getChannelData(0))); };
      source.connect(node);
      node.connect(ctx.destination);
      rec = { stream: stream, ctx: ctx, source: source, node: node, chunks: chunks, rate: ctx.sampleRate };
      starting = false;
      label();
      status('Listening…');
      if (stopAsked) stop();
    }).catch(function () {
      starting = false;
      label();
      status('The microphone is not available. Allow it in the browser, or type the command.');
    });
  }

  function stop() {
    if (starting) { stopAsked = true; return; }
    if (!rec) return;
    var r = rec;
    rec = null;
    label();
    r.source.disconnect();
    r.node.disconnect();
    r.stream.getTracks().forEach(function (t) { t.stop(); });
    r.ctx.close();
    var samples = resample(join(r.chunks), r.rate, RATE);
    if (samples.length < RATE / 4) { status('That was too short. Hold the button while you speak.'); return; }
    send('/v1/voice/audio', wav(samples, RATE), 'audio/wav');
  }

  function join(chunks) {
    var n = chunks.reduce(function (a, c) { return a + c.length; }, 0);
    var out = new Float32Array(n);
    var at = 0;
    chunks.forEach(function (c) { out.set(c, at); at += c.length; });
    return out;
  }

  // Box-filter down-sampling (averaging each output sample's span of input).
  function resample(input, from, to) {
    if (from === to) return input;
    var ratio = from / to;
    var out = new Float32Array(Math.floor(input.length / ratio));
    for (var i = 0; i < out.length; i++) {
      var a = Math.floor(i * ratio);
      var b = Math.min(input.length, Math.max(a + 1, Math.floor((i + 1) * ratio)));
      var sum = 0;
      for (var j = a; j < b; j++) sum += input[j];
      out[i] = sum / (b - a);
    }
    return out;
  }

  function wav(samples, rate) {
    var buf = new ArrayBuffer(44 + samples.length * 2);
    var v = new DataView(buf);
    function str(o, s) { for (var i = 0; i < s.length; i++) v.setUint8(o + i, s.charCodeAt(i)); }
    str(0, 'RIFF'); v.setUint32(4, 36 + samples.length * 2, true); str(8, 'WAVE');
    str(12, 'fmt '); v.setUint32(16, 16, true); v.setUint16(20, 1, true); v.setUint16(22, 1, true);
    v.setUint32(24, rate, true); v.setUint32(28, rate * 2, true); v.setUint16(32, 2, true); v.setUint16(34, 16, true);
    str(36, 'data'); v.setUint32(40, samples.length * 2, true);
    for (var i = 0; i < samples.length; i++) {
      var s = Math.max(-1, Math.min(1, samples[i]));
      v.setInt16(44 + i * 2, s < 0 ? s * 0x8000 : s * 0x7fff, true);
    }
    return new Blob([buf], { type: 'audio/wav' });
  }

  function headers(type) {
    var h = { 'X-CSRF-Token': window.holomesh ? window.holomesh.csrfToken() : '' };
    if (type) h['Content-Type'] = type;
    return h;
  }

  function send(url, body, type) {
    status('Working…');
    return fetch(url, { method: 'POST', headers: headers(type), body: body, credentials: 'same-origin' })
      .then(function (r) {
        return r.json().then(function (j) { return { ok: r.ok, body: j }; });
      })
      .then(function (res) {
        if (!res.ok) { say('Sorry: ' + (res.body.detail || 'that did not work.')); return; }
        show(res.body);
      })
      .catch(function () { say('The server could not be reached.'); });
  }

  function answer(kind) {
    if (!pending) return;
    var id = pending;
    pending = null;
    el.confirm.hidden = true;
    send('/v1/voice/commands/' + encodeURIComponent(id) + '/' + kind, null, null);
  }

  function words(name) {
    return name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase().replace(/^./, function (c) { return c.toUpperCase(); });
  }

  function value(v) {
    if (v && typeof v === 'object' && 'amount_minor' in v) return (v.amount_minor / 100).toFixed(2) + ' ' + v.currency;
    if (v && typeof v === 'object') return JSON.stringify(v);
    return String(v);
  }

  function describe(c) {
    if (!c.intent) return 'Nothing I can do';
    var slots = c.slots || {};
    var parts = Object.keys(slots).map(function (k) { return k.replace(/_/g, ' ') + ': ' + value(slots[k]); });
    return words(c.intent) + (parts.length ? ' (' + parts.join(', ') + ')' : '');
  }

  function show(a) {
    var c = a.command;
    el.output.hidden = false;
    if (c.transcript) el.heard.textContent = c.transcript;
    el.understood.textContent = describe(c);
    say(a.reply.text);
    if (c.status === 'needs_confirmation') {
      pending = c.id;
      el.confirm.hidden = false;
    } else {
      pending = null;
      el.confirm.hidden = true;
    }
  }

  function status(text) {
    el.reply.textContent = text;
  }

  function say(text) {
    el.reply.textContent = text;
    if (el.speak && el.speak.checked && window.speechSynthesis && window.SpeechSynthesisUtterance) {
      speechSynthesis.cancel();
      speechSynthesis.speak(new SpeechSynthesisUtterance(text));
    }
  }
})();
