/* Recycling Network: scanning on the consignment screens.
   Dispatch: each scanned code joins the list (the form's text box stays the source of
   truth) and is checked against the stock at the chosen outlet.
   Receipt: each scanned code ticks its row; the rows left unticked need a reason.
   Without JavaScript both forms work with the text box and the tick boxes. */
(function () {
  "use strict";

  var scan = window.RNScan;
  if (!scan) {
    return;
  }

  function texts(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : {};
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function onEnter(input, handler) {
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        var value = input.value;
        input.value = "";
        value
          .split(/[\s,;，；、]+/)
          .filter(Boolean)
          .forEach(handler);
      }
    });
  }

  // --- dispatch ------------------------------------------------------------------------

  function dispatch(form) {
    var T = texts("dispatch-texts");
    var box = form.querySelector("#id_batteries");
    var outlet = form.querySelector("#id_from_outlet");
    var scanBlock = form.querySelector("[data-dispatch-scan]");
    var input = form.querySelector("#dispatch-scan");
    var list = form.querySelector("[data-pick-list]");
    var total = form.querySelector("[data-pick-total]");
    var checkUrl = form.dataset.checkUrl;
    var answers = {};

    scanBlock.hidden = false;
    form.classList.add("dispatch--enhanced");

    function codes() {
      return box.value
        .split(/[\s,;，；、]+/)
        .map(scan.normalizeCode)
        .filter(Boolean)
        .filter(function (code, index, all) {
          return all.indexOf(code) === index;
        });
    }

    function setCodes(values) {
      box.value = values.join("\n");
      render();
    }

    function check(code) {
      var key = outlet.value + ":" + code;
      if (answers[key]) {
        return;
      }
      answers[key] = { status: "checking" };
      var url = checkUrl + "?code=" + encodeURIComponent(code) + "&from_outlet=" + encodeURIComponent(outlet.value);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.json();
        })
        .then(function (answer) {
          answers[key] = answer;
          scan.beep(answer.status === "ready" ? "ok" : "error");
          render();
        })
        .catch(function () {
          delete answers[key];
        });
    }

    function render() {
      list.textContent = "";
      var kg = 0;
      var current = codes();
      current.forEach(function (code) {
        var answer = answers[outlet.value + ":" + code] || { status: "checking" };
        var kind = { ready: "success", checking: "pending" }[answer.status] || "error";
        var item = element("li", "pick-list__item pick-list__item--" + kind);
        item.dataset.code = code;
        item.appendChild(element("span", "code", code));
        var note = answer.status === "ready" ? T.ready + " · " + answer.weight_kg + " kg" : T[answer.status] || "…";
        if (answer.status === "invalid" && answer.message) {
          note = answer.message;
        }
        item.appendChild(element("span", "pick-list__note", note));
        if (answer.status === "ready") {
          kg += Number(answer.weight_kg);
        }
        var remove = element("button", "button button--small button--quiet", "✕");
        remove.type = "button";
        remove.setAttribute("aria-label", scan.format(T.remove, { code: code }));
        remove.addEventListener("click", function () {
          setCodes(
            codes().filter(function (c) {
              return c !== code;
            })
          );
          input.focus();
        });
        item.appendChild(remove);
        list.appendChild(item);
        check(code);
      });
      total.textContent = current.length ? scan.format(T.total, { n: current.length, kg: kg.toFixed(2) }) : "";
    }

    onEnter(input, function (raw) {
      var code = scan.normalizeCode(raw);
      var current = codes();
      if (current.indexOf(code) >= 0) {
        scan.beep("warning");
        return;
      }
      current.push(code);
      setCodes(current);
    });
    box.addEventListener("input", render);
    outlet.addEventListener("change", render);
    scan.keepFocus(input);
    render();
    if (!form.querySelector("[data-error-summary]")) {
      input.focus();
    }
  }

  // --- receipt -------------------------------------------------------------------------

  function receive(form) {
    var T = texts("receive-texts");
    var scanBlock = form.querySelector("[data-receive-scan]");
    var input = form.querySelector("#receive-scan");
    var progress = form.querySelector("[data-receive-progress]");
    var rows = Array.prototype.slice.call(form.querySelectorAll(".receive-row"));

    scanBlock.hidden = false;

    function update() {
      var done = 0;
      rows.forEach(function (row) {
        var box = row.querySelector("input[type=checkbox]");
        row.classList.toggle("receive-row--confirmed", box.checked);
        row.querySelector("select").disabled = box.checked;
        if (box.checked) {
          done += 1;
        }
      });
      progress.textContent = scan.format(T.progress, { done: done, total: rows.length });
    }

    function say(kind, text) {
      progress.textContent = text;
      progress.className = "scan-field__help result--" + kind;
      window.setTimeout(function () {
        progress.className = "scan-field__help";
        update();
      }, 2500);
    }

    onEnter(input, function (raw) {
      var code = scan.normalizeCode(raw);
      var row = rows.filter(function (r) {
        return r.dataset.code === code;
      })[0];
      if (!row) {
        scan.beep("error");
        say("error", scan.format(T.unknown, { code: code }));
        return;
      }
      var box = row.querySelector("input[type=checkbox]");
      if (box.checked) {
        scan.beep("warning");
        say("warning", scan.format(T.again, { code: code }));
        return;
      }
      box.checked = true;
      row.querySelector("select").value = "";
      update();
      scan.beep("ok");
      say("success", scan.format(T.confirmed, { code: code }));
      row.scrollIntoView({ block: "nearest" });
    });
    form.addEventListener("change", update);
    scan.keepFocus(input);
    update();
    if (!form.querySelector("[data-error-summary]")) {
      input.focus();
    }
  }

  var dispatchForm = document.querySelector("[data-dispatch]");
  if (dispatchForm) {
    dispatch(dispatchForm);
  }
  var receiveForm = document.querySelector("[data-receive]");
  if (receiveForm) {
    receive(receiveForm);
  }
})();
