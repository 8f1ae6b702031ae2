// Printing: the 打印公示 buttons, and the date printed on notices (打印日期).
//
// The build is deterministic, so it cannot know the day a notice is printed:
// this script writes today's date (the reader's own calendar day) into every
// [data-xs-printed] element when the page loads and again just before
// printing. Without JavaScript the notice keeps blanks to fill in by hand,
// and the buttons stay hidden (the browser's own print command still works).
(function () {
  "use strict";

  function today() {
    var now = new Date();
    return now.getFullYear() + "年" + (now.getMonth() + 1) + "月" + now.getDate() + "日";
  }

  function stamp() {
    var text = today();
    document.querySelectorAll("[data-xs-printed]").forEach(function (element) {
      element.textContent = text;
    });
  }

  function setUp() {
    stamp();
    document.querySelectorAll("button[data-xs-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        stamp();
        window.print();
      });
    });
  }

  window.addEventListener("beforeprint", stamp);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
