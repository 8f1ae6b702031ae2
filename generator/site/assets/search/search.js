// The search page (/search/): Pagefind's JS API over the site's own index.
//
// * Pinyin: the index holds hidden pinyin words (generator/site/search_fields.py), each
//   starting with MARK; an excerpt is cut at the first MARK so a reader never
//   sees them, and shows the record's summary when nothing visible matched.
// * Traditional characters: a query with Chinese characters is converted
//   character by character with t2s.json (fetched once, only for such a query).
// * Filters and sort live in the address (?q=&platform=&year=...&sort=&all=1), so a
//   search can be shared, and the form also works as a plain GET form.
// * A large archive's index is in several Pagefind bundles cut by age
//   (generator/search/bundles.py, listed newest first in pagefind/bundles.json):
//   a search looks in the newest one first, which is all a first search
//   downloads, and in the older ones too when the reader asks (the button
//   under the status line), when the newest gives fewer than a page of
//   results, when a year is chosen (only the bundles with cases of that year)
//   or when the oldest come first. The older bundles are merged into the
//   newest's Pagefind instance (mergeIndex: they share its WebAssembly), each
//   tagged with a synthetic filter naming it; results come by score as
//   Pagefind merges them, and for the date order bundle after bundle (one
//   search per bundle, by its filter), since Pagefind would interleave the
//   dates of different bundles.
// Everything is loaded from this site, relative to this file: it works under
// any sub-path.

const ROOT = new URL("../../", import.meta.url);
const MARK = "\u2042";
const PAGE_SIZE = 10;
const DEBOUNCE_MS = 300;
const FILTERS = ["platform", "year", "category", "status", "form", "source"];
const BUNDLE_PATH = "pagefind/";
const HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/u;
const PINYIN = /^[\p{Script=Latin}\s'\u2019\u00b7-]+$/u;

const $ = (id) => document.getElementById(id);
const form = $("xs-search");
const input = $("xs-search-q");
const statusLine = $("xs-search-live");
const list = $("xs-search-results");
const nextButton = $("xs-search-next");
const options = $("xs-search-options");
const sortSelect = $("xs-search-sort");
const chosen = $("xs-search-chosen");
const scopeLine = $("xs-search-scope");
const scopeText = $("xs-search-scope-text");
const olderButton = $("xs-search-older");
const selects = Object.fromEntries(
  FILTERS.map((name) => [name, form.querySelector(`select[data-filter="${name}"]`)]),
);

// ---------------------------------------------------------------- loading

let modulePromise = null;
function loadModule() {
  modulePromise ??= import(new URL(`${BUNDLE_PATH}pagefind.js`, ROOT).href).catch((error) => {
    modulePromise = null; // try again on the next search
    throw error;
  });
  return modulePromise;
}

// The newest bundle: Pagefind's module itself.
let pagefindPromise = null;
function loadPagefind() {
  pagefindPromise ??= loadModule()
    .then(async (pagefind) => {
      await pagefind.options({ baseUrl: ROOT.pathname });
      await pagefind.init();
      return pagefind;
    })
    .catch((error) => {
      pagefindPromise = null;
      throw error;
    });
  return pagefindPromise;
}

// The bundles, newest first; a site without the list is one bundle.
let bundlesPromise = null;
function loadBundles() {
  bundlesPromise ??= fetch(new URL(`${BUNDLE_PATH}bundles.json`, ROOT))
    .then((response) => (response.ok ? response.json() : { bundles: [] }))
    .then(({ bundles }) => (Array.isArray(bundles) && bundles.length ? bundles : [{ path: "" }]))
    .catch(() => {
      bundlesPromise = null;
      return [{ path: "" }];
    });
  return bundlesPromise;
}

// The older bundles merged into the newest's instance so far, by path.
const BUNDLE_FILTER = "xs-bundle";
const NEWEST = "newest";
const merged = new Map();
function tag(bundle) {
  return bundle.path || NEWEST;
}

async function loadBundlesOf(wanted) {
  const pagefind = await loadPagefind();
  for (const bundle of wanted) {
    if (!bundle.path || merged.has(bundle.path)) continue;
    if (!merged.size) await pagefind.options({ mergeFilter: { [BUNDLE_FILTER]: NEWEST } });
    const loading = pagefind.mergeIndex(new URL(BUNDLE_PATH + bundle.path, ROOT).pathname, {
      baseUrl: ROOT.pathname,
      mergeFilter: { [BUNDLE_FILTER]: tag(bundle) },
    });
    merged.set(bundle.path, loading);
  }
  await Promise.all(merged.values());
  return pagefind;
}

// "2025年7月" from "2025-07-09".
function month(iso) {
  const match = /^(\d{4})-(\d{2})/u.exec(iso ?? "");
  return match ? `${match[1]}年${Number(match[2])}月` : "";
}

// What some of the bundles hold, for the reader: "2019年3月至2023年6月", one
// such span for each run of neighbouring bundles, the newest first.
function span(bundles, all) {
  const runs = [];
  let previous = -2;
  for (const bundle of bundles) {
    const at = all.indexOf(bundle);
    if (at !== previous + 1 || !runs.length) runs.push([]);
    runs.at(-1).push(bundle);
    previous = at;
  }
  return runs.map((run) => {
    const dated = run.filter((bundle) => bundle.from && bundle.to);
    if (!dated.length) return "";
    const from = month(dated.map((bundle) => bundle.from).sort()[0]);
    const to = month(dated.map((bundle) => bundle.to).sort().at(-1));
    return from === to ? from : `${from}至${to}`;
  }).filter(Boolean).join("、");
}

let t2sPromise = null;
function loadT2S() {
  t2sPromise ??= fetch(new URL("assets/search/t2s.json", ROOT))
    .then((response) => {
      if (!response.ok) throw new Error(`t2s.json: ${response.status}`);
      return response.json();
    })
    .then(({ pairs }) => {
      const chars = Array.from(pairs);
      const map = new Map();
      for (let i = 0; i + 1 < chars.length; i += 2) map.set(chars[i], chars[i + 1]);
      return map;
    })
    .catch((error) => {
      t2sPromise = null;
      throw error;
    });
  return t2sPromise;
}

// What people type -> what the index holds.
async function normalize(raw) {
  let query = raw.normalize("NFKC").replace(/\s+/gu, " ").trim();
  if (HAN.test(query)) {
    const map = await loadT2S();
    query = Array.from(query, (ch) => map.get(ch) ?? ch).join("");
  } else if (PINYIN.test(query)) {
    // Tone marks, ü and syllable separators as people type pinyin: tíngchē, lǜ, xi'an.
    query = query
      .toLowerCase()
      .replace(/ü/gu, "v")
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/gu, "")
      .replace(/['\u2019\u00b7-]/gu, "");
  }
  return query;
}

// ---------------------------------------------------------------- state

function activeFilters() {
  const filters = {};
  for (const [name, select] of Object.entries(selects)) {
    if (select.value) filters[name] = select.value;
  }
  return filters;
}

function setSelect(select, value) {
  if (value && ![...select.options].some((option) => option.value === value)) {
    select.add(new Option(value, value));
  }
  select.value = value;
}

function readAddress() {
  const params = new URLSearchParams(window.location.search);
  input.value = params.get("q") ?? "";
  for (const [name, select] of Object.entries(selects)) setSelect(select, params.get(name) ?? "");
  const sort = params.get("sort");
  sortSelect.value = sort === "new" || sort === "old" ? sort : "";
  everything = params.get("all") === "1";
}

function writeAddress() {
  const params = new URLSearchParams();
  const query = input.value.trim();
  if (query) params.set("q", query);
  for (const [name, value] of Object.entries(activeFilters())) params.set(name, value);
  if (sortSelect.value) params.set("sort", sortSelect.value);
  if (everything) params.set("all", "1");
  const search = params.toString();
  window.history.replaceState(null, "", search ? `?${search}` : window.location.pathname);
  document.title = query ? `搜索：${query} - ${baseTitle}` : `搜索 - ${baseTitle}`;
}

function showChosen() {
  const count = Object.keys(activeFilters()).length + (sortSelect.value ? 1 : 0);
  chosen.textContent = count ? `（已选 ${count} 项）` : "";
}

const baseTitle = document.title.replace(/^搜索 - /u, "");

// ---------------------------------------------------------------- filters

let totals = null; // every filter value with its count over the bundles searched
let allYears = null; // year -> cases, over every bundle (bundles.json)
let searchedYears = null; // the years of the bundles the last search looked in

function orderedValues(select, name, counts) {
  const values = Object.keys(counts);
  const fixed = (select.dataset.order ?? "").split(",").filter(Boolean);
  if (name === "year") return values.sort((a, b) => Number(b) - Number(a));
  if (fixed.length) {
    const rank = (v) => (fixed.includes(v) ? fixed.indexOf(v) : fixed.length);
    return values.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b, "zh"));
  }
  return values.sort((a, b) => counts[b] - counts[a] || a.localeCompare(b, "zh"));
}

function fillFilters(current) {
  if (!totals) return;
  for (const [name, select] of Object.entries(selects)) {
    const all = name === "year" && allYears ? allYears : (totals[name] ?? {});
    const here = current?.[name];
    const value = select.value;
    const choices = orderedValues(select, name, all).map((v) => {
      const label = name === "year" ? `${v} 年` : v;
      // A year the last search did not look in has no count of its own.
      if (name === "year" && here && searchedYears && !searchedYears.has(v)) {
        return new Option(label, v);
      }
      const count = here ? (here[v] ?? 0) : all[v];
      return new Option(`${label}  ${count} 条`, v);
    });
    select.replaceChildren(select.options[0], ...choices);
    setSelect(select, value);
  }
}

async function loadFilters() {
  if (totals) return;
  try {
    const [pagefind, bundles] = await Promise.all([loadPagefind(), loadBundles()]);
    totals = await pagefind.filters();
    setYears(bundles);
    fillFilters(null);
  } catch {
    // the next search tries again and says so
  }
}

function setYears(bundles) {
  if (!bundles.some((bundle) => bundle.years)) return; // the index's own year filter
  allYears = {};
  for (const bundle of bundles) {
    for (const [year, count] of Object.entries(bundle.years ?? {})) {
      allYears[year] = (allYears[year] ?? 0) + count;
    }
  }
}

// ---------------------------------------------------------------- results

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function dateTag(iso) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(iso ?? "");
  if (!match) return null;
  const time = element("time", "", `${match[1]}年${Number(match[2])}月${Number(match[3])}日`);
  time.dateTime = iso;
  return time;
}

// Pagefind's excerpt as text and <mark> nodes only, cut before the hidden pinyin.
function excerpt(data) {
  let html = data.excerpt ?? "";
  const cut = html.indexOf(MARK);
  if (cut >= 0) html = html.slice(0, cut);
  const parsed = new DOMParser().parseFromString(html, "text/html").body;
  const nodes = [];
  let marked = false;
  for (const node of parsed.childNodes) {
    if (node.nodeName === "MARK") {
      nodes.push(element("mark", "", node.textContent));
      marked = true;
    } else {
      nodes.push(document.createTextNode(node.textContent));
    }
  }
  if (marked) return nodes;
  return data.meta.summary ? [document.createTextNode(data.meta.summary)] : [];
}

function renderResult(data) {
  const meta = data.meta ?? {};
  const item = element("li", "xs-result");
  const heading = element("h2", "xs-result__title");
  const link = element("a", "", meta.title || data.url);
  link.href = data.url;
  heading.append(link);
  const facts = element("p", "xs-result__meta");
  if (meta.kind && meta.kind !== "案例") facts.append(element("span", "xs-badge xs-badge--level", meta.kind), " ");
  if (meta.platform) facts.append(element("span", "xs-result__platform", meta.platform));
  const date = dateTag(meta.date);
  if (date) facts.append(" · ", date);
  if (meta.status) {
    facts.append(" ", element("span", `xs-badge xs-badge--${meta.badge || "other"}`, meta.status));
  }
  item.append(heading, facts);
  const text = excerpt(data);
  if (text.length) {
    const paragraph = element("p", "xs-result__excerpt");
    paragraph.append(...text);
    item.append(paragraph);
  }
  return item;
}

// ---------------------------------------------------------------- searching

let generation = 0;
let shown = { results: [], count: 0 };
let everything = false; // search every bundle, not only the newest

// Which bundles a search looks in first.
function bundlesFor(bundles, filters) {
  if (filters.year) {
    const holding = bundles.filter((bundle) => !bundle.years || filters.year in bundle.years);
    return holding.length ? holding : bundles.slice(0, 1);
  }
  if (everything || sortSelect.value === "old") return bundles;
  return bundles.slice(0, 1);
}

// One search over the bundles loaded: results by score, or bundle after bundle
// (newest first, or oldest first) when sorted by date; filter counts added up.
async function searchLoaded(pagefind, loaded, query, options) {
  if (!options.sort || loaded.length === 1) return pagefind.search(query, options);
  const order = options.sort.date === "asc" ? loaded.toReversed() : loaded;
  const each = [];
  for (const bundle of order) {
    const filters = { ...options.filters, [BUNDLE_FILTER]: tag(bundle) };
    const search = await pagefind.search(query, { ...options, filters });
    if (!search) return null;
    each.push(search);
  }
  return {
    results: each.flatMap((search) => search.results),
    filters: addCounts(each.map((search) => search.filters)),
    totalFilters: each[0].totalFilters, // counts without the filters: the same in each
  };
}

function addCounts(lists) {
  const sum = {};
  for (const list of lists) {
    for (const [name, values] of Object.entries(list ?? {})) {
      sum[name] ??= {};
      for (const [value, count] of Object.entries(values)) {
        sum[name][value] = (sum[name][value] ?? 0) + count;
      }
    }
  }
  return sum;
}

// Under the status line: what was searched, and the button for the rest.
function showScope(bundles, searched, filters) {
  const rest = bundles.filter((bundle) => !searched.includes(bundle));
  if (!rest.length || filters.year) {
    scopeLine.hidden = true;
    return "";
  }
  const here = span(searched, bundles);
  scopeText.textContent = here ? `只搜索了${here}的案例和全部协商平台。` : "只搜索了较新的案例。";
  const older = span(rest, bundles);
  olderButton.textContent = older ? `也搜索更早的案例（${older}）` : "也搜索更早的案例";
  scopeLine.hidden = false;
  return here ? `，只搜索了${here}的案例` : "，只搜索了较新的案例";
}

function say(text) {
  statusLine.textContent = text;
}

function clearResults() {
  list.replaceChildren();
  nextButton.hidden = true;
  shown = { results: [], count: 0 };
}

async function showMore(ticket, focusFirst) {
  const slice = shown.results.slice(shown.count, shown.count + PAGE_SIZE);
  const data = await Promise.all(slice.map((result) => result.data()));
  if (ticket !== generation) return;
  const items = data.map(renderResult);
  list.append(...items);
  shown.count += slice.length;
  nextButton.hidden = shown.count >= shown.results.length;
  if (focusFirst && items.length) items[0].querySelector("a").focus();
}

async function run() {
  const ticket = ++generation;
  writeAddress();
  showChosen();
  const raw = input.value.trim();
  const filters = activeFilters();
  const filtered = Object.keys(filters).length > 0;
  if (!raw && !filtered) {
    clearResults();
    scopeLine.hidden = true;
    say("");
    return;
  }
  list.setAttribute("aria-busy", "true");
  try {
    const [bundles, query] = await Promise.all([loadBundles(), normalize(raw)]);
    if (ticket !== generation) return;
    let sort;
    if (sortSelect.value) sort = { date: sortSelect.value === "new" ? "desc" : "asc" };
    else if (!query) sort = { date: "desc" };
    const options = sort ? { filters, sort } : { filters };
    let pagefind = await loadBundlesOf(bundlesFor(bundles, filters));
    if (ticket !== generation) return;
    const loaded = () => bundles.filter((bundle) => !bundle.path || merged.has(bundle.path));
    let searched = loaded();
    let search = await searchLoaded(pagefind, searched, query || null, options);
    if (ticket !== generation || !search) return;
    if (search.results.length < PAGE_SIZE && searched.length < bundles.length && !filters.year) {
      // Few results in the newest cases: the older ones too, without being asked.
      pagefind = await loadBundlesOf(bundles);
      searched = loaded();
      search = await searchLoaded(pagefind, searched, query || null, options);
      if (ticket !== generation || !search) return;
    }
    const counted = { ...search.totalFilters };
    delete counted[BUNDLE_FILTER];
    if (Object.keys(counted).length) totals = counted;
    setYears(bundles);
    searchedYears = new Set(searched.flatMap((bundle) => Object.keys(bundle.years ?? {})));
    if (!searched.some((bundle) => bundle.years)) searchedYears = null;
    fillFilters(search.filters);
    clearResults();
    shown.results = search.results;
    await showMore(ticket, false);
    if (ticket !== generation) return;
    const scope = showScope(bundles, searched, filters);
    const count = search.results.length;
    if (count) say(`找到 ${count} 条结果${scope}`);
    else if (raw) say(`没有找到与“${raw}”有关的结果。可以换个词语，或减少筛选条件。`);
    else say("没有符合筛选条件的案例。");
  } catch (error) {
    if (ticket !== generation) return;
    clearResults();
    scopeLine.hidden = true;
    say("搜索暂时无法使用，请稍后再试。");
    console.warn("search failed:", error);
  } finally {
    if (ticket === generation) list.removeAttribute("aria-busy");
  }
}

let timer = 0;
function runSoon() {
  window.clearTimeout(timer);
  timer = window.setTimeout(run, DEBOUNCE_MS);
}

// ---------------------------------------------------------------- wiring

form.addEventListener("submit", (event) => {
  event.preventDefault();
  window.clearTimeout(timer);
  run();
  // On a phone, close the keyboard so that the results can be seen.
  if (window.matchMedia("(pointer: coarse)").matches) input.blur();
});
input.addEventListener("input", (event) => {
  if (!event.isComposing) runSoon(); // not while an input method is still composing
});
input.addEventListener("compositionend", runSoon);
input.addEventListener("focus", () => loadPagefind().catch(() => {}), { once: true });
for (const select of [...Object.values(selects), sortSelect]) {
  select.addEventListener("change", () => {
    window.clearTimeout(timer);
    run();
  });
}
options.addEventListener("toggle", () => {
  if (options.open) loadFilters();
});
$("xs-search-reset").addEventListener("click", () => {
  for (const select of Object.values(selects)) select.value = "";
  sortSelect.value = "";
  run();
});
nextButton.addEventListener("click", () => showMore(generation, true));
olderButton.addEventListener("click", async () => {
  everything = true;
  await run();
  const first = list.querySelector("a");
  if (first) first.focus();
});

readAddress();
if (Object.keys(activeFilters()).length || sortSelect.value) options.open = true;
if (input.value.trim() || Object.keys(activeFilters()).length) run();
else input.focus();
