/* Recycling Network: the stock list. Ticked rows go to the dispatch screen; the
   header's box ticks the whole page. Without JavaScript the form still works. */
(function () {
  "use strict";

  var bar = document.querySelector("[data-selection]");
  if (!bar) {
    return;
  }
  var count = bar.querySelector("[data-selection-count]");
  var submit = bar.querySelector("[data-selection-submit]");
  var hint = count.textContent;

  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll(".js-select-row"));
  }

  function update() {
    var ticked = boxes().filter(function (box) {
      return box.checked;
    }).length;
    submit.disabled = ticked === 0;
    count.textContent = ticked ? bar.dataset.countText.replace("%(n)s", ticked) : hint;
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches(".js-select-all")) {
      boxes().forEach(function (box) {
        box.checked = event.target.checked;
      });
    }
    if (event.target.matches(".js-select-all, .js-select-row")) {
      update();
    }
  });
  update();
})();
