/* Recycling Network: the scan-first intake screen (DESIGN §9).

   - The code field keeps the focus; a scanner's Enter adds a line instead of submitting.
   - Each line is decoded and checked at once (GET intake/check/): invalid, already held
     by the organisation, or unknown here (fine to submit).
   - Lines are submitted one by one to POST /api/v1/intakes/ with the session, the CSRF
     token and an Idempotency-Key per line: a line sent again after a reload is recorded
     once and answered the same way.
   - Lines live in localStorage per user and outlet, so they survive a reload; undo
     removes an unsubmitted line.
   - Every result has a colour, an icon, a text and a sound. */
(function () {
  "use strict";

  var form = document.querySelector("[data-intake]");
  var configElement = document.getElementById("intake-config");
  if (!form || !configElement || !window.RNScan) {
    return;
  }
  var scan = window.RNScan;
  var config = JSON.parse(configElement.textContent);
  var T = config.texts;
  var MAX_LINES = 500;

  var codeInput = form.querySelector("#id_code");
  var outletSelect = form.querySelector("#id_outlet");
  var weightInput = form.querySelector("#id_weight_kg");
  var sourceSelect = form.querySelector("#id_source");
  var conditionSelect = form.querySelector("#id_condition");
  var section = document.querySelector("[data-intake-lines]");
  var tbody = document.getElementById("intake-lines");
  var summary = document.getElementById("intake-summary");
  var empty = document.getElementById("intake-empty");
  var lastResult = document.getElementById("last-result");
  var submitButton = section.querySelector("[data-action=submit]");
  var soundButton = section.querySelector("[data-action=sound]");
  var clearButton = section.querySelector("[data-action=clear]");

  // state -> [css modifier, icon, sound]
  var LOOK = {
    checking: ["pending", "…", null],
    ready: ["ready", "●", "ok"],
    invalid: ["error", "✕", "error"],
    already: ["info", "↺", "warning"],
    sending: ["pending", "↑", null],
    received: ["success", "✓", "ok"],
    custody: ["warning", "⚠", "warning"],
    failed: ["error", "✕", "error"],
  };
  var EDITABLE = { checking: true, ready: true, failed: true };
  var SUBMITTABLE = { ready: true, failed: true };
  var FINISHED = { received: true, already: true, custody: true, invalid: true };

  var lines = [];
  var busy = false;

  form.classList.add("intake--enhanced");
  section.hidden = false;

  function storageKey(kind) {
    return config.storageKey + ":" + kind + ":" + outletSelect.value;
  }

  function load(kind, fallback) {
    try {
      var stored = window.localStorage.getItem(storageKey(kind));
      return stored ? JSON.parse(stored) : fallback;
    } catch (error) {
      return fallback;
    }
  }

  function store(kind, value) {
    try {
      window.localStorage.setItem(storageKey(kind), JSON.stringify(value));
    } catch (error) {
      /* full or private: the lines last until the page closes */
    }
  }

  function save() {
    store("lines", lines);
  }

  function saveDefaults() {
    store("defaults", {
      weight: weightInput.value,
      source: sourceSelect.value,
      condition: conditionSelect.value,
    });
  }

  function restore() {
    var defaults = load("defaults", null);
    if (defaults) {
      weightInput.value = defaults.weight || "";
      sourceSelect.value = defaults.source || sourceSelect.value;
      conditionSelect.value = defaults.condition || conditionSelect.value;
    }
    lines = load("lines", []);
    lines.forEach(function (line) {
      // In flight when the page went away: send again with the same key (the API
      // replays the first answer if it was recorded).
      if (line.state === "sending") {
        line.state = "ready";
      }
    });
    render();
    lines.forEach(function (line) {
      if (line.state === "checking") {
        check(line);
      }
    });
  }

  // --- the lines ---------------------------------------------------------------------

  function find(id) {
    for (var i = 0; i < lines.length; i++) {
      if (lines[i].id === id) {
        return lines[i];
      }
    }
    return null;
  }

  function addLine(raw) {
    var code = scan.normalizeCode(raw);
    codeInput.value = "";
    if (!code) {
      return;
    }
    for (var i = 0; i < lines.length; i++) {
      if (lines[i].code === code && lines[i].state !== "invalid") {
        announce("warning", code, scan.format(T.duplicate, { n: lines[i].number }));
        scan.beep("warning");
        flash(lines[i].id);
        return;
      }
    }
    var number = lines.reduce(function (max, l) {
      return Math.max(max, l.number);
    }, 0);
    var line = {
      id: scan.uuid(),
      key: null,
      number: number + 1,
      code: code,
      weight: weightInput.value,
      vin: "",
      source: sourceSelect.value,
      condition: conditionSelect.value,
      state: "checking",
      message: "",
      decoded: "",
      url: "",
    };
    lines.push(line);
    if (lines.length > MAX_LINES) {
      lines = lines.filter(function (l, index) {
        return !FINISHED[l.state] || index >= lines.length - MAX_LINES;
      });
    }
    save();
    render();
    check(line);
  }

  function setState(line, state, message) {
    line.state = state;
    line.message = message || "";
    save();
    render();
    var look = LOOK[state];
    if (look[2]) {
      scan.beep(look[2]);
    }
    if (state !== "checking" && state !== "sending") {
      announce(look[0], line.code, [T[state], line.message].filter(Boolean).join(" · "));
      flash(line.id);
    }
  }

  function check(line) {
    var url = config.checkUrl + "?code=" + encodeURIComponent(line.code);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (answer) {
        if (!find(line.id) || line.state !== "checking") {
          return;
        }
        line.code = answer.code || line.code;
        if (answer.status === "invalid") {
          line.segment = answer.segment_label;
          setState(line, "invalid", answer.message);
        } else if (answer.status === "yours") {
          line.url = answer.url;
          setState(line, "already", answer.message);
        } else {
          line.decoded = answer.decoded || "";
          setState(line, "ready", line.weight ? "" : T.needs_weight);
        }
      })
      .catch(function () {
        if (find(line.id) && line.state === "checking") {
          setState(line, "ready", T.unchecked);
        }
      });
  }

  function problemMessage(problem) {
    var parts = [problem.detail || problem.title || ""];
    var errors = problem.errors || {};
    Object.keys(errors).forEach(function (field) {
      var messages = [].concat(errors[field]);
      if (messages.length && messages[0] !== problem.detail) {
        parts.push(messages.join(" "));
      }
    });
    return parts.filter(Boolean).join(" ");
  }

  function send(line) {
    if (!line.key) {
      line.key = scan.uuid();
    }
    setState(line, "sending");
    var body = {
      outlet: outletSelect.value,
      code: line.code,
      weight_kg: Number(line.weight),
      source: line.source,
      condition: line.condition,
      vin: line.vin || "",
    };
    return fetch(config.submitUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": scan.csrfToken(),
        "Idempotency-Key": line.key,
      },
      body: JSON.stringify(body),
    })
      .then(function (response) {
        return response.json().then(
          function (payload) {
            return [response.status, payload];
          },
          function () {
            return [response.status, {}];
          }
        );
      })
      .then(function (result) {
        var status = result[0];
        var payload = result[1];
        if (status === 201) {
          line.url = config.batteryUrl.replace("CODE", encodeURIComponent(payload.code || line.code));
          setState(line, "received", "");
        } else if (payload.code === "battery_already_received") {
          setState(line, "already", payload.detail);
        } else if (payload.code === "battery_in_custody") {
          setState(line, "custody", payload.detail);
        } else {
          // Refused and rolled back: the next attempt (perhaps with other values) is a new request.
          line.key = null;
          setState(line, "failed", problemMessage(payload) || String(status));
        }
      })
      .catch(function () {
        // The request may have reached the server: the same key replays its answer.
        setState(line, "failed", T.network);
      });
  }

  function submitAll() {
    if (busy) {
      return;
    }
    var queue = lines.filter(function (line) {
      return SUBMITTABLE[line.state] && line.weight;
    });
    lines.forEach(function (line) {
      if (SUBMITTABLE[line.state] && !line.weight) {
        setState(line, "failed", T.needs_weight);
      }
    });
    if (!queue.length) {
      return;
    }
    busy = true;
    render();
    queue
      .reduce(function (previous, line) {
        return previous.then(function () {
          return find(line.id) && SUBMITTABLE[line.state] ? send(line) : null;
        });
      }, Promise.resolve())
      .then(function () {
        busy = false;
        render();
        codeInput.focus();
      });
  }

  function remove(id) {
    var line = find(id);
    if (!line || !(EDITABLE[line.state] || line.state === "invalid")) {
      return;
    }
    lines = lines.filter(function (l) {
      return l.id !== id;
    });
    save();
    render();
    announce("info", line.code, scan.format(T.undone, { code: line.code }));
    codeInput.focus();
  }

  function undo() {
    for (var i = lines.length - 1; i >= 0; i--) {
      if (EDITABLE[lines[i].state] || lines[i].state === "invalid") {
        remove(lines[i].id);
        return;
      }
    }
  }

  function clearFinished() {
    lines = lines.filter(function (line) {
      return !FINISHED[line.state];
    });
    save();
    render();
    codeInput.focus();
  }

  // --- drawing -----------------------------------------------------------------------

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function choiceSelect(choices, value, label, onChange) {
    var select = element("select", "input--inline");
    select.setAttribute("aria-label", label);
    choices.forEach(function (choice) {
      var option = element("option", null, choice[1]);
      option.value = choice[0];
      option.selected = choice[0] === value;
      select.appendChild(option);
    });
    select.addEventListener("change", function () {
      onChange(select.value);
    });
    return select;
  }

  function labelOf(choices, value) {
    for (var i = 0; i < choices.length; i++) {
      if (choices[i][0] === value) {
        return choices[i][1];
      }
    }
    return value;
  }

  function edit(line, field) {
    return function (value) {
      line[field] = field === "vin" ? scan.normalizeCode(value) : value;
      line.key = null; // other values: a new request
      if (line.state === "failed") {
        line.state = "ready";
        line.message = "";
      }
      save();
      render();
    };
  }

  function cellInput(line, field, type, label) {
    var input = element("input", "input--inline");
    input.type = type;
    input.value = line[field] || "";
    input.setAttribute("aria-label", label + " " + line.code);
    if (type === "number") {
      input.step = "0.01";
      input.min = "0.01";
      input.inputMode = "decimal";
    } else {
      input.maxLength = 17;
      input.spellcheck = false;
      input.autocomplete = "off";
    }
    input.addEventListener("change", function () {
      edit(line, field)(input.value);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        input.blur();
        codeInput.focus();
      }
    });
    return input;
  }

  function headerText(index) {
    return section.querySelectorAll("thead th")[index].textContent.trim();
  }

  function row(line) {
    var look = LOOK[line.state];
    var tr = element("tr", "intake-line intake-line--" + look[0]);
    tr.dataset.id = line.id;
    tr.dataset.code = line.code;
    tr.dataset.state = line.state;
    tr.appendChild(element("td", "num", String(line.number)));

    var codeCell = element("td", "intake-line__code");
    if (line.url) {
      var link = element("a", "code", line.code);
      link.href = line.url;
      link.title = T.open;
      codeCell.appendChild(link);
    } else {
      codeCell.appendChild(element("span", "code", line.code));
    }
    if (line.decoded) {
      codeCell.appendChild(element("span", "intake-line__decoded", line.decoded));
    }
    tr.appendChild(codeCell);

    var editable = EDITABLE[line.state] && !busy;
    var weightCell = element("td", "intake-table__weight");
    var vinCell = element("td");
    var sourceCell = element("td");
    var conditionCell = element("td");
    if (editable) {
      weightCell.appendChild(cellInput(line, "weight", "number", headerText(2)));
      vinCell.appendChild(cellInput(line, "vin", "text", headerText(3)));
      sourceCell.appendChild(choiceSelect(config.sources, line.source, headerText(4), edit(line, "source")));
      conditionCell.appendChild(
        choiceSelect(config.conditions, line.condition, headerText(5), edit(line, "condition"))
      );
    } else {
      weightCell.appendChild(element("span", "num", line.weight || "—"));
      vinCell.appendChild(element("span", "code", line.vin || "—"));
      sourceCell.textContent = labelOf(config.sources, line.source);
      conditionCell.textContent = labelOf(config.conditions, line.condition);
    }
    tr.appendChild(weightCell);
    tr.appendChild(vinCell);
    tr.appendChild(sourceCell);
    tr.appendChild(conditionCell);

    var result = element("td", "intake-line__result");
    var status = element("span", "result result--" + look[0]);
    status.appendChild(element("span", "result__icon", look[1])).setAttribute("aria-hidden", "true");
    status.appendChild(element("span", "result__label", T[line.state]));
    result.appendChild(status);
    if (line.message) {
      result.appendChild(element("span", "result__message", line.message));
    }
    if (line.segment && line.state === "invalid") {
      result.appendChild(element("span", "result__segment", scan.format(T.segment, { segment: line.segment })));
    }
    tr.appendChild(result);

    var actions = element("td", "intake-line__actions");
    if ((EDITABLE[line.state] || line.state === "invalid") && !busy) {
      var button = element("button", "button button--small button--quiet", "✕");
      button.type = "button";
      button.setAttribute("aria-label", scan.format(T.remove, { code: line.code }));
      button.title = button.getAttribute("aria-label");
      button.addEventListener("click", function () {
        remove(line.id);
      });
      actions.appendChild(button);
    }
    tr.appendChild(actions);
    return tr;
  }

  function render() {
    tbody.textContent = "";
    var counts = { ready: 0, ok: 0, problems: 0 };
    for (var i = lines.length - 1; i >= 0; i--) {
      var line = lines[i];
      tbody.appendChild(row(line));
      if (SUBMITTABLE[line.state] || line.state === "checking") {
        counts.ready += 1;
      }
      if (line.state === "received") {
        counts.ok += 1;
      }
      if (line.state === "invalid" || line.state === "failed" || line.state === "custody") {
        counts.problems += 1;
      }
    }
    empty.hidden = lines.length > 0;
    summary.textContent = scan.format(T.summary, counts);
    var submittable = lines.filter(function (l) {
      return SUBMITTABLE[l.state];
    }).length;
    submitButton.textContent = submittable ? scan.format(T.submit, { n: submittable }) : T.submit_none;
    submitButton.disabled = busy || !submittable;
    clearButton.disabled = busy;
    outletSelect.disabled = busy; // the lines in flight belong to this outlet
    soundButton.textContent = scan.soundOn() ? "♪ " + T.sound_on : T.sound_off;
    soundButton.setAttribute("aria-pressed", scan.soundOn() ? "true" : "false");
  }

  function flash(id) {
    var tr = tbody.querySelector("tr[data-id='" + id + "']");
    if (tr) {
      tr.classList.remove("intake-line--flash");
      void tr.offsetWidth; // restart the animation
      tr.classList.add("intake-line--flash");
    }
  }

  function announce(kind, code, text) {
    lastResult.className = "last-result last-result--" + kind;
    lastResult.textContent = "";
    lastResult.appendChild(element("span", "code", code));
    lastResult.appendChild(element("span", null, text));
  }

  // --- wiring ------------------------------------------------------------------------

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    addLine(codeInput.value);
    codeInput.focus();
  });
  codeInput.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      addLine(codeInput.value);
    } else if (event.key === "Escape") {
      codeInput.value = "";
    } else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z" && !codeInput.value) {
      event.preventDefault();
      undo();
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submitAll();
    }
  });
  submitButton.addEventListener("click", submitAll);
  clearButton.addEventListener("click", clearFinished);
  soundButton.addEventListener("click", function () {
    scan.setSound(!scan.soundOn());
    render();
    codeInput.focus();
  });
  [weightInput, sourceSelect, conditionSelect].forEach(function (input) {
    input.addEventListener("change", saveDefaults);
  });
  outletSelect.addEventListener("change", function () {
    var url = new URL(window.location.href);
    url.searchParams.set("outlet", outletSelect.value);
    window.history.replaceState(null, "", url);
    restore();
    codeInput.focus();
  });
  window.addEventListener("storage", function (event) {
    // The same screen open in another tab: show its lines too.
    if (event.key === storageKey("lines") && !busy) {
      lines = load("lines", []);
      render();
    }
  });

  scan.keepFocus(codeInput);
  restore();
  codeInput.focus();
})();
