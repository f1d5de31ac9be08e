// Detect the visitor's IANA time zone in the browser and use it where the page asks for it.
(function () {
  "use strict";
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { zone = null; }
  if (!zone) { return; }
  document.addEventListener("DOMContentLoaded", function () {
    // Meeting page: no zone chosen yet -> show the page in the detected zone.
    var picker = document.querySelector("select[data-detect-zone='yes']");
    if (picker && picker.querySelector("option[value='" + zone + "']")) {
      var url = new URL(window.location.href);
      if (!url.searchParams.get("tz")) {
        url.searchParams.set("tz", zone);
        window.location.replace(url.toString());
        return;
      }
    }
    // Zone selects submit the picker form when changed.
    var form = document.querySelector("form[data-zone-picker]");
    if (form) {
      form.querySelector("select").addEventListener("change", function () { form.submit(); });
    }
    // Registration form: preselect the detected zone when the server had none.
    var marker = document.querySelector("[data-timezone-target]");
    if (marker) {
      var select = document.getElementById(marker.getAttribute("data-timezone-target"));
      if (select && select.value === "UTC" && select.querySelector("option[value='" + zone + "']")) {
        select.value = zone;
      }
    }
  });
})();
