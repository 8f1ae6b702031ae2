// 朗读: a case page read aloud by the browser's own speech synthesis, in Mandarin.
//
// The button (templates/case.html, [data-xs-read]) stays hidden unless the browser
// has speech synthesis with a zh-CN voice; voices often arrive a moment after the page
// loads (the voiceschanged event). Nothing is fetched: the voice is the system's.
// The page is read a block at a time (a heading, a paragraph, a table row...), each an
// utterance of its own, since some voices stop in the middle of a long one; the block
// being read is highlighted. The record's history, its footer and the printed notice
// are not read.
(function () {
  "use strict";

  var BLOCKS = "h1, h2, h3, p, li, caption, tr, .xs-facts > div";
  var SKIP = ".xs-print-bar, .xs-revisions, .xs-record, .xs-notice, [hidden]";
  var MANDARIN = /^(zh|cmn)([-_]hans)?[-_]cn$/i;
  var READ = "朗读";
  var STOP = "停止朗读";

  var synth = window.speechSynthesis;
  var button = document.querySelector("button[data-xs-read]");
  var reading = false;

  function voice() {
    var voices = synth.getVoices() || [];
    for (var i = 0; i < voices.length; i += 1) {
      if (MANDARIN.test(voices[i].lang)) return voices[i];
    }
    return null;
  }

  // The blocks to read, in page order; a block inside another is read with it.
  function blocks() {
    var page = button.closest(".xs-page");
    var found = [];
    page.querySelectorAll(BLOCKS).forEach(function (element) {
      if (element.closest(SKIP) || !element.getClientRects().length) return;
      if (found.length && found[found.length - 1].element.contains(element)) return;
      var text = element.innerText.replace(/\s*[\t\n]+\s*/g, "，").trim();
      if (text) found.push({ element: element, text: text });
    });
    return found;
  }

  function mark(element, on) {
    element.classList.toggle("xs-reading", on);
  }

  function finish() {
    reading = false;
    button.textContent = READ;
    document.querySelectorAll(".xs-reading").forEach(function (element) {
      mark(element, false);
    });
  }

  function stop() {
    synth.cancel();
    finish();
  }

  function start() {
    var chosen = voice();
    var list = blocks();
    if (!chosen || !list.length) return;
    synth.cancel();
    reading = true;
    button.textContent = STOP;
    list.forEach(function (block, index) {
      var utterance = new window.SpeechSynthesisUtterance(block.text);
      utterance.voice = chosen;
      utterance.lang = "zh-CN";
      utterance.rate = 0.9; // a little slower than the default, for older listeners
      utterance.onstart = function () {
        mark(block.element, true);
      };
      utterance.onend = function () {
        mark(block.element, false);
        if (index === list.length - 1 && reading) finish();
      };
      utterance.onerror = function () {
        if (reading) stop();
      };
      synth.speak(utterance);
    });
  }

  function offer() {
    if (!voice()) return;
    button.hidden = false;
  }

  if (!button || !synth || typeof window.SpeechSynthesisUtterance !== "function") return;
  button.addEventListener("click", function () {
    if (reading) stop();
    else start();
  });
  // Leaving the page stops the reading.
  window.addEventListener("pagehide", stop);
  offer();
  if (typeof synth.addEventListener === "function") {
    synth.addEventListener("voiceschanged", offer);
  }
})();
