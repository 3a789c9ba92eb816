// dxplan: small enhancements only — every page works without this script.
(function () {
  "use strict";
  // Move focus to the error summary so screen-reader and keyboard users hear it first.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
  // Wall screen: show the dashboard's panels one at a time, in turn.
  var panels = document.querySelector(".panels[data-rotate]");
  if (panels) {
    var list = panels.querySelectorAll(".panel");
    var seconds = parseInt(panels.getAttribute("data-rotate"), 10) || 20;
    var i = 0;
    panels.classList.add("rotating");
    var show = function () {
      for (var k = 0; k < list.length; k++) { list[k].classList.toggle("shown", k === i); }
      i = (i + 1) % list.length;
    };
    show();
    window.setInterval(show, seconds * 1000);
  }
})();
