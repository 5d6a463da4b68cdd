/* Recycling Network: what the scanning screens share (intake, dispatch, receipt).
   A barcode scanner types the code and presses Enter; these helpers normalise what it
   typed, give a short sound per result (WebAudio, no audio files) and keep the focus in
   the code field. Plain JavaScript, no build step. */
(function () {
  "use strict";

  var SOUND_KEY = "rn-scan:sound";
  var audio = null;

  // Like batteries.codes.normalize_battery_code: full-width to half-width, no spaces or
  // invisible characters, upper case.
  function normalizeCode(text) {
    return String(text || "")
      .normalize("NFKC")
      .replace(/[\s\u00ad\u200b-\u200f\u2060-\u2064\ufeff]/g, "")
      .toUpperCase();
  }

  function soundOn() {
    try {
      return window.localStorage.getItem(SOUND_KEY) !== "off";
    } catch (error) {
      return true;
    }
  }

  function setSound(on) {
    try {
      window.localStorage.setItem(SOUND_KEY, on ? "on" : "off");
    } catch (error) {
      /* private mode: the choice lasts for this page only */
    }
  }

  // ok: one short high tone; warning: two middle tones; error: one long low buzz.
  var TONES = {
    ok: [[1046, 0, 0.09, "sine"]],
    warning: [
      [660, 0, 0.1, "triangle"],
      [660, 0.16, 0.1, "triangle"],
    ],
    error: [[196, 0, 0.34, "square"]],
  };

  function beep(kind) {
    if (!soundOn()) {
      return;
    }
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) {
      return;
    }
    try {
      audio = audio || new Context();
      if (audio.state === "suspended") {
        audio.resume();
      }
      (TONES[kind] || TONES.ok).forEach(function (tone) {
        var start = audio.currentTime + tone[1];
        var oscillator = audio.createOscillator();
        var gain = audio.createGain();
        oscillator.type = tone[3];
        oscillator.frequency.value = tone[0];
        gain.gain.setValueAtTime(0.0001, start);
        gain.gain.exponentialRampToValueAtTime(0.18, start + 0.01);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + tone[2]);
        oscillator.connect(gain).connect(audio.destination);
        oscillator.start(start);
        oscillator.stop(start + tone[2] + 0.02);
      });
    } catch (error) {
      /* no sound device: the colour and the icon still tell */
    }
  }

  // "%(name)s" placeholders, as in the server's messages.
  function format(text, params) {
    return String(text).replace(/%\((\w+)\)s/g, function (match, name) {
      return params && params[name] !== undefined ? params[name] : match;
    });
  }

  function isEditable(element) {
    return (
      element &&
      (element.isContentEditable || /^(INPUT|SELECT|TEXTAREA|BUTTON|A|SUMMARY)$/.test(element.tagName))
    );
  }

  // Whatever the scanner types while nothing editable has the focus lands in the field;
  // a click on the page's background brings the focus back too.
  function keepFocus(field) {
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey || event.key.length !== 1) {
        return;
      }
      if (!isEditable(document.activeElement)) {
        field.focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (!isEditable(event.target) && !event.target.closest("label, a, button, input, select, textarea")) {
        if (!window.getSelection || String(window.getSelection()) === "") {
          field.focus();
        }
      }
    });
  }

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    });
    return [hex.slice(0, 4), hex.slice(4, 6), hex.slice(6, 8), hex.slice(8, 10), hex.slice(10)]
      .map(function (part) {
        return part.join("");
      })
      .join("-");
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  window.RNScan = {
    normalizeCode: normalizeCode,
    beep: beep,
    soundOn: soundOn,
    setSound: setSound,
    format: format,
    keepFocus: keepFocus,
    uuid: uuid,
    csrfToken: csrfToken,
  };
})();
