/*
 * The editors' form at /admin/: what Decap CMS needs beyond its configuration.
 *
 * - The format "xieshang-yaml": records read with js-yaml (core schema, so a
 *   date stays the text 2024-03-26) and written the way editors write them by
 *   hand: keys in the order of the record format, short lists as [甲, 乙],
 *   several lines as a "|" block, text unquoted where YAML reads it back
 *   unchanged, a blank line before each block of a case, empty fields left out.
 *   An unchanged record written by hand in that style comes out byte for byte
 *   the same, so an edit changes only the lines of the fields it touched.
 *   Comments are not kept (Decap passes values only).
 * - The widget "case-id": a new record's id (its file name); for a new case
 *   suggested from its title and date, as `generator new` does (suggestId),
 *   and following them while the field is empty or still holds the last
 *   suggestion, until the editor types another; an existing record's id,
 *   shown and never changed.
 * - Before saving a new case: the sub-folder of content/cases/ it goes into,
 *   from its platform (where that platform's cases already are).
 * The data (Decap's configuration, key order, folders) is generated from the
 * record format and inlined in index.html as #xieshang-form-data.
 */
(function () {
  "use strict";

  const CMS = window.CMS;
  const h = window.h;
  const createClass = window.createClass;
  const data = JSON.parse(document.getElementById("xieshang-form-data").textContent);

  // ---------------------------------------------------------------------------
  // YAML as editors write it

  const DATE = /^\d{4}-\d{2}-\d{2}$/;
  // Words YAML 1.1 (PyYAML, which the check uses) reads as booleans or null.
  const SPECIAL = /^(?:y|n|yes|no|true|false|on|off|null|~)$/i;
  const NUMBER_LIKE = /^[-+]?(?:[0-9][0-9_:.]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$|^[-+]?\.inf$|^\.nan$|^0[xob]/i;
  const INDICATOR = /^[-?:,[\]{}#&*!|>'"%@`]/;

  function isPlain(text, inFlow) {
    if (text === "" || text !== text.trim() || /[\n\r\t]/.test(text)) return false;
    if (INDICATOR.test(text) || /: |:$| #/.test(text)) return false;
    if (inFlow && /[,[\]{}]/.test(text)) return false;
    if (SPECIAL.test(text) || NUMBER_LIKE.test(text)) return false;
    try {
      const back = window.jsyaml.load("k: " + text, { schema: window.jsyaml.CORE_SCHEMA });
      return Boolean(back) && back.k === text;
    } catch (error) {
      return false;
    }
  }

  function scalar(value, inFlow) {
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    const text = String(value);
    if (DATE.test(text)) return text;
    return isPlain(text, inFlow) ? text : JSON.stringify(text);
  }

  function literal(text, indent) {
    const pad = " ".repeat(indent);
    const chomp = !text.endsWith("\n") ? "-" : text.endsWith("\n\n") ? "+" : "";
    const lines = text.replace(/\n$/, "").split("\n");
    const indicator = lines[0].startsWith(" ") ? "2" : "";
    return ["|" + indicator + chomp, lines.map((line) => (line ? pad + line : ""))];
  }

  function isEmpty(value) {
    return value === undefined || value === null || value === "" ||
      (Array.isArray(value) && value.length === 0) ||
      (typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0);
  }

  // Empty fields, helper fields and implied values left out, recursively; an implied
  // value the file wrote out (listed in KEPT by fromYaml) stays.
  const KEPT = "__written";

  function pruned(value, path, implied, kept) {
    if (Array.isArray(value)) {
      return value.map((item) => pruned(item, path + "[]", implied, kept))
        .filter((item) => !isEmpty(item));
    }
    if (value && typeof value === "object") {
      const out = {};
      for (const [key, inner] of Object.entries(value)) {
        const innerPath = path ? path + "." + key : key;
        if (!path && (data.formOnly.includes(key) || key === KEPT)) continue;
        if (implied[innerPath] === inner && !kept.includes(innerPath)) continue;
        const result = pruned(inner, innerPath, implied, kept);
        if (!isEmpty(result)) out[key] = result;
      }
      return out;
    }
    if (typeof value === "string") return value.replace(/\r\n?/g, "\n");
    return value;
  }

  function orderedKeys(object, order) {
    const known = (order[""] || []).filter((key) => key in object);
    return known.concat(Object.keys(object).filter((key) => !known.includes(key)));
  }

  function isBlock(value) {
    return Array.isArray(value) ? value.some((item) => item && typeof item === "object")
      : Boolean(value) && typeof value === "object" && !isNumbers(value);
  }

  function isNumbers(value) {
    return Boolean(value) && typeof value === "object" && !Array.isArray(value) &&
      Object.values(value).every((inner) => typeof inner === "number");
  }

  function mapping(object, order, indent, blankBeforeBlocks) {
    const pad = " ".repeat(indent);
    const out = [];
    for (const key of orderedKeys(object, order)) {
      const value = object[key];
      if (blankBeforeBlocks && out.length && isBlock(value)) out.push("");
      if (Array.isArray(value) && !isBlock(value)) {
        out.push(pad + key + ": [" + value.map((item) => scalar(item, true)).join(", ") + "]");
      } else if (Array.isArray(value)) {
        out.push(pad + key + ":");
        for (const item of value) out.push(...listItem(item, order[key] || {}, indent + 2));
      } else if (isNumbers(value)) { // figures such as satisfaction: {满意: 52, 不满意: 2}
        const pairs = orderedKeys(value, order[key] || {}).map((k) => scalar(k, true) + ": " + value[k]);
        out.push(pad + key + ": {" + pairs.join(", ") + "}");
      } else if (value && typeof value === "object") {
        out.push(pad + key + ":", ...mapping(value, order[key] || {}, indent + 2, false));
      } else if (typeof value === "string" && value.includes("\n")) {
        const [header, lines] = literal(value, indent + 2);
        out.push(pad + key + ": " + header, ...lines);
      } else {
        out.push(pad + key + ": " + scalar(value, false));
      }
    }
    return out;
  }

  function listItem(item, order, indent) {
    const pad = " ".repeat(indent);
    if (!item || typeof item !== "object") return [pad + "- " + scalar(item, false)];
    const lines = mapping(item, order, indent + 2, false);
    return [pad + "- " + lines[0].trimStart(), ...lines.slice(1)];
  }

  function kindOf(record) {
    return "level" in record || "host" in record ? "platforms" : "cases";
  }

  function toYaml(record) {
    const kind = kindOf(record);
    const clean = pruned(record, "", data.implied[kind] || {}, record[KEPT] || []);
    return mapping(clean, data.order[kind], 0, data.blankBeforeBlocks[kind]).join("\n") + "\n";
  }

  // The form shows an implied value (consensus.reached absent = true); toYaml leaves
  // it out again unless the file had written it.
  function fromYaml(text) {
    const record = window.jsyaml.load(text, { schema: window.jsyaml.CORE_SCHEMA }) || {};
    const implied = data.implied[kindOf(record)] || {};
    const written = [];
    for (const [path, value] of Object.entries(implied)) {
      const keys = path.split(".");
      const parent = keys.slice(0, -1).reduce((object, key) => object && object[key], record);
      if (!parent || typeof parent !== "object") continue;
      const last = keys[keys.length - 1];
      if (last in parent) written.push(path);
      else parent[last] = value;
    }
    if (written.length) record[KEPT] = written;
    return record;
  }

  window.xieshangForm = { toYaml, fromYaml }; // for the tests
  CMS.registerCustomFormat("xieshang-yaml", "yml", {
    fromFile: fromYaml,
    toFile: (record) => toYaml(record),
  });

  // ---------------------------------------------------------------------------
  // Suggested ids: the structure of records/ids.py's suggest_id, with pinyin-pro in
  // place of pypinyin. pinyin-pro's segments are the phrases whose reading differs
  // from their characters' (长者 -> zhangzhe); other characters come one by one and
  // are paired, as suggest_id pairs the characters pypinyin leaves alone. For most
  // titles both agree; the check, not the suggestion, decides what an id may be.

  const TOKEN = /([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)|([A-Za-z0-9]+)/g;
  const SYLLABLE = /^[a-z]+$/i;

  function pairs(syllables) {
    const out = [];
    for (let i = 0; i < syllables.length; i += 2) out.push(syllables.slice(i, i + 2).join(""));
    return out;
  }

  function pinyinWords(chinese) {
    const pinyinPro = window.pinyinPro;
    const segments = pinyinPro.segment(chinese, {
      toneType: "none", v: true, format: pinyinPro.OutputFormat.PinyinArray,
    });
    const words = [];
    let singles = [];
    for (const segment of segments) {
      const syllables = segment.filter((syllable) => SYLLABLE.test(syllable));
      if (segment.length === 1) {
        singles.push(...syllables);
        continue;
      }
      words.push(...pairs(singles));
      singles = [];
      if (syllables.length) words.push(syllables.join(""));
    }
    words.push(...pairs(singles));
    return words.map((word) => word.toLowerCase());
  }

  function trim(words, maxLength) {
    let result = "";
    for (const word of words) {
      const candidate = result ? result + "-" + word : word;
      if (candidate.length > maxLength) break;
      result = candidate;
    }
    return !result && words.length ? words[0].slice(0, maxLength) : result;
  }

  function suggestId(text, year, maxLength) {
    const words = [];
    for (const [, chinese, ascii] of String(text || "").matchAll(TOKEN)) {
      words.push(...(chinese ? pinyinWords(chinese) : [ascii.toLowerCase()]));
    }
    if (year && words[0] !== year) words.unshift(year);
    return trim(words, maxLength);
  }

  window.xieshangForm.suggestId = suggestId; // for the tests

  // ---------------------------------------------------------------------------
  // The id widget

  function lastSegment(slug) {
    return String(slug || "").split("/").pop();
  }

  // Nothing before there is a title: a year alone is no id.
  function suggestionFor(entry, field) {
    const title = String(entry.getIn(["data", "title"]) || "");
    if (!title.trim()) return "";
    const date = /^(\d{4})-/.exec(String(entry.getIn(["data", "date"]) || ""));
    return suggestId(title, date ? date[1] : null, field.get("max_length"));
  }

  const IdControl = createClass({
    // Decap re-renders a control only when its own value changes and hands it a
    // stale entry; so the widget listens to the form's input events and reads the
    // draft through getEntry once Decap has stored the change.
    componentDidMount() {
      this.suggested = "";
      this.schedule = () => {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.follow(), 0);
      };
      document.addEventListener("input", this.schedule);
      document.addEventListener("change", this.schedule);
      this.follow();
    },
    componentWillUnmount() {
      clearTimeout(this.timer);
      document.removeEventListener("input", this.schedule);
      document.removeEventListener("change", this.schedule);
    },
    // While the id is empty or the last suggestion, it becomes the new one.
    follow() {
      const { entry, getEntry, value, field, onChange } = this.props;
      if (!entry.get("newRecord") || !field.get("suggest")) return;
      const suggestion = suggestionFor(getEntry ? getEntry() : entry, field);
      if (suggestion === this.suggested) return;
      const following = !value || value === this.suggested;
      this.suggested = suggestion;
      if (following && value !== suggestion) onChange(suggestion);
    },
    isValid() {
      const { entry, value, field } = this.props;
      if (!entry.get("newRecord")) return true;
      const text = value || "";
      if (!text) return { error: { message: "请填写" + field.get("label") } };
      const [pattern, message] = field.get("pattern").toJS();
      if (!new RegExp(pattern).test(text) || text.length > field.get("max_length")) {
        return { error: { message } };
      }
      return true;
    },
    render() {
      const { entry, value, onChange, forID, classNameWrapper, setActiveStyle, setInactiveStyle } = this.props;
      const existing = !entry.get("newRecord");
      return h("input", {
        id: forID,
        type: "text",
        className: classNameWrapper,
        value: existing ? lastSegment(entry.get("slug")) : value || "",
        readOnly: existing,
        autoComplete: "off",
        spellCheck: false,
        lang: "en",
        onChange: (event) => onChange(event.target.value.trim()),
        onFocus: setActiveStyle,
        onBlur: setInactiveStyle,
      });
    },
  });
  CMS.registerWidget("case-id", IdControl);

  // ---------------------------------------------------------------------------
  // Where a new case goes

  CMS.registerEventListener({
    name: "preSave",
    handler: ({ entry }) => {
      const record = entry.get("data");
      if (!entry.get("newRecord") || entry.get("collection") !== "cases") return undefined;
      const platform = record.get("platform") || "";
      return record.set("folder", data.folders[platform] || platform);
    },
  });

  // make edit runs decap-server on port 8081 (Decap's default); another port can be
  // named in the address, /admin/?api=8090, which only applies on 127.0.0.1 or localhost.
  const port = new URLSearchParams(window.location.search).get("api");
  const local = /^\d{2,5}$/.test(port || "")
    ? { local_backend: { url: "http://" + window.location.hostname + ":" + port + "/api/v1" } }
    : {};
  CMS.init({ config: Object.assign({ load_config_file: false }, data.config, local) });
})();
