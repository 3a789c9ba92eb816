// dxplan: small enhancements only — every page works without this script.
(function () {
  "use strict";
  // On a phone the header's links and menu fold behind one button (see app.css); without
  // this script they show as a row that scrolls sideways.
  document.documentElement.classList.add("js");
  var header = document.querySelector(".site-header");
  var toggle = document.querySelector(".menu-toggle");
  if (header && toggle) {
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = header.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // A phone opens the dashboard on its figures: the filters, downloads and long lists fold
  // away (each one tap from open), so the page is a few screens, not twenty.
  if (window.matchMedia && window.matchMedia("(max-width: 40rem)").matches) {
    var folds = document.querySelectorAll("details[data-fold-on-phone]");
    for (var f = 0; f < folds.length; f++) { folds[f].open = false; }
  }
  // Move focus to the error summary so screen-reader and keyboard users hear it first.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
  // Wall screen: show the dashboard's panels one at a time, in turn, saying which of how
  // many; the page reloads every five minutes for fresh figures and carries on where it was.
  var panels = document.querySelector(".panels[data-rotate]");
  if (panels) {
    var list = panels.querySelectorAll(".panel");
    var seconds = parseInt(panels.getAttribute("data-rotate"), 10) || 20;
    var count = document.querySelector("[data-screen-count]");
    var stored = 0;
    try { stored = parseInt(window.sessionStorage.getItem("dxplan-wall") || "0", 10) || 0; } catch (e) { stored = 0; }
    var i = stored % list.length;
    panels.classList.add("rotating");
    var show = function () {
      for (var k = 0; k < list.length; k++) { list[k].classList.toggle("shown", k === i); }
      if (count) { count.textContent = (i + 1) + "/" + list.length; }
      i = (i + 1) % list.length;
      try { window.sessionStorage.setItem("dxplan-wall", String(i)); } catch (e) { /* private mode */ }
    };
    show();
    window.setInterval(show, seconds * 1000);
  }
  // The wall's clock, in Vietnam's time whatever the screen's computer is set to.
  var clock = document.querySelector("[data-clock]");
  if (clock && window.Intl) {
    var format = new Intl.DateTimeFormat("vi-VN", { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: "Asia/Ho_Chi_Minh" });
    var tick = function () { clock.textContent = format.format(new Date()); };
    tick();
    window.setInterval(tick, 10000);
  }
})();
