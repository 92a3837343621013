// The version page: re-add the step allotments as they are typed and compare them with the
// legal time the server computed (data-limit on #time-fit). The server check on save and at
// publication is the rule; this is only a live hint.
(function () {
  "use strict";
  function hours(input) {
    var value = parseFloat(String(input.value || "0").replace(",", "."));
    return isNaN(value) ? 0 : value;
  }
  function update() {
    var box = document.getElementById("time-fit");
    var live = document.getElementById("time-fit-live");
    if (!box || !live) { return; }
    var limit = parseFloat(box.getAttribute("data-limit"));
    var total = 0;
    document.querySelectorAll("input.step-hours").forEach(function (input) {
      var row = input.closest("tr");
      var removed = row && row.querySelector("input[type=checkbox][name$='-DELETE']");
      if (removed && removed.checked) { return; }
      if (row && row.classList.contains("empty-form")) { return; }
      total += hours(input);
    });
    var text = live.getAttribute("data-typing") + ": " + total + " / " + limit + " " +
      live.getAttribute("data-hours");
    live.textContent = total > limit ? text + " — " + live.getAttribute("data-over") : text;
    live.classList.toggle("over", total > limit);
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("input.step-hours")) { update(); }
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[name$='-DELETE']")) { update(); }
  });
  document.addEventListener("DOMContentLoaded", update);
})();
