// After a failed submit, move focus to the error summary (GOV.UK pattern) so it is read out first;
// its links focus the field they name.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      event.preventDefault();
      var visible = target.hidden && target.id ? document.getElementById(target.id + "-combo") : null;
      (visible || target).focus();
      (visible || target).scrollIntoView({block: "center"});
    });
  });
})();
