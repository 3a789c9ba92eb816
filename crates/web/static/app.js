// dxplan: small enhancements only — every page works without this script.
(function () {
  "use strict";
  // Move focus to the error summary so screen-reader and keyboard users hear it first.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
})();
