/* Parts pages: submit the manual make/series form when a select changes (no inline JS: CSP). */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
      if (target.name === "make" && target.form.elements.series) {
        target.form.elements.series.value = "";
      }
      target.form.requestSubmit ? target.form.requestSubmit() : target.form.submit();
    }
  });
})();
