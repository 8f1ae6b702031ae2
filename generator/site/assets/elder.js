// 长辈模式 (elder mode): the switch in the header (theme_overrides/partials/elder.html).
//
// The mode is the attribute data-xs-elder="on" / "off" on <html>, which the inline
// script in main.html's <head> sets from the stored choice before the page paints;
// assets/elder.css does the rest. This script keeps each switch's aria-pressed in step,
// turns the mode on and off, and stores the choice in localStorage under KEY, so that it
// holds on every page and the next visit. Where localStorage is unavailable (blocked,
// private browsing) the switch still works, for the page at hand.
(function () {
  "use strict";

  var KEY = "xs-elder";
  var root = document.documentElement;

  function stored() {
    try {
      return window.localStorage.getItem(KEY) === "on";
    } catch (error) {
      return isOn();
    }
  }

  function remember(on) {
    try {
      window.localStorage.setItem(KEY, on ? "on" : "off");
    } catch (error) {
      // Not kept: this page only.
    }
  }

  function isOn() {
    return root.getAttribute("data-xs-elder") === "on";
  }

  function switches() {
    return document.querySelectorAll("[data-xs-elder-switch]");
  }

  function show(on) {
    root.setAttribute("data-xs-elder", on ? "on" : "off");
    switches().forEach(function (button) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }

  function setUp() {
    show(isOn());
    switches().forEach(function (button) {
      button.addEventListener("click", function () {
        var on = !isOn();
        show(on);
        remember(on);
      });
    });
  }

  // Switched in another tab: follow it.
  window.addEventListener("storage", function (event) {
    if (event.key === KEY) show(event.newValue === "on");
  });
  // A page shown again from the back-forward cache follows the latest choice.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) show(stored());
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
