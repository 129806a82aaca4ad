/* LossDesk page behaviour. Loaded as a file because the CSP forbids inline scripts. */
(function () {
  "use strict";

  // <button data-confirm="…"> asks before submitting its form (close, cancel, issue …).
  document.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var message = (submitter && submitter.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // A second click on a submit button while the first request runs would post twice.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.method && form.method.toLowerCase() === "post" && !event.defaultPrevented) {
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
    }
  });

  // Re-enable buttons when the page comes back from the bfcache (browser "back").
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form button[type=submit]").forEach(function (b) { b.disabled = false; });
  });

  // Show a readable message when an HTMX request fails instead of silently doing nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : "";
    window.alert("请求失败（" + status + "），请刷新页面后重试。");
  });
})();
