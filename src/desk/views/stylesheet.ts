/** The desk's only stylesheet, served from /desk/desk.css: the CSP allows no inline style and nothing from outside. */
/** The tab icon (a tick), so a browser asks for nothing the server does not have. */
export const DESK_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#17324d"/><path d="M9 16.5l4.5 4.5L23 11.5" fill="none" stroke="#fff" stroke-width="3.5" stroke-linecap="round" stroke-linejoin="round"/></svg>`;

export const DESK_CSS = `
:root {
  --ink: #1d2530; --muted: #5b6675; --line: #d9dee5; --paper: #ffffff; --wash: #f4f6f9;
  --accent: #1f5fbf; --accent-ink: #ffffff; --ok: #1b7f4c; --warn: #a35200; --bad: #b3261e;
  --opt-in: #2e7d4f; --declined: #9aa3ad; --opt-out: #c0392b; --calls: #1f5fbf;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif;
  font-size: 16px; line-height: 1.45; color: var(--ink); background: var(--wash);
}
* { box-sizing: border-box; }
body { margin: 0; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, summary:focus-visible {
  outline: 3px solid #f0b400; outline-offset: 2px;
}
.skip { position: absolute; left: -999px; top: 0; background: var(--paper); padding: .5rem 1rem; z-index: 2; }
.skip:focus { left: .5rem; top: .5rem; }
.top { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem; padding: .6rem 1.5rem;
  background: #17324d; color: #fff; }
.brand { font-weight: 700; letter-spacing: .02em; }
.top nav { display: flex; flex-wrap: wrap; gap: .25rem; flex: 1; }
.top nav a { color: #dbe7f5; text-decoration: none; padding: .35rem .7rem; border-radius: 6px; }
.top nav a:hover { background: rgba(255,255,255,.12); }
.top nav a[aria-current="page"] { background: #fff; color: #17324d; font-weight: 600; }
.sign-out { display: flex; align-items: center; gap: .6rem; margin: 0; }
.who { color: #dbe7f5; }
main { max-width: 1200px; margin: 0 auto; padding: 1.25rem 1.5rem 3rem; }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .75rem; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .5rem; }
section.card, .card { background: var(--paper); border: 1px solid var(--line); border-radius: 10px; padding: 1rem 1.25rem; margin: 0 0 1.25rem; }
.card > h2:first-child, .card > h3:first-child { margin-top: 0; }
.grid { display: grid; gap: 0 1rem; grid-template-columns: repeat(auto-fit, minmax(min(100%, 620px), 1fr)); }
.figures { display: grid; gap: .75rem; grid-template-columns: repeat(auto-fit, minmax(110px, 1fr)); margin: 0 0 1rem; }
.figure { background: var(--wash); border-radius: 8px; padding: .6rem .8rem; }
.figure dt { color: var(--muted); font-size: .85rem; }
.figure dd.mono { font-size: 1.05rem; padding-top: .35rem; }
.figure dd { margin: 0; font-size: 1.5rem; font-weight: 700; font-variant-numeric: tabular-nums; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; background: var(--paper); font-size: .95rem; }
caption { text-align: left; font-weight: 600; padding: 0 0 .4rem; }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--wash); font-weight: 600; white-space: nowrap; }
tbody th { background: transparent; }
td.when, time { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.sub td:first-child { padding-left: 1.6rem; color: var(--muted); }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: .88em; }
.hash { word-break: break-all; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: .85rem; font-weight: 600; white-space: nowrap; }
.badge.opt_in, .badge.yes { background: #e3f3ea; color: var(--ok); }
.badge.declined { background: #eceff2; color: #47505b; }
.badge.opt_out, .badge.no { background: #fbe7e5; color: var(--bad); }
.notice { padding: .7rem 1rem; border-radius: 8px; border: 1px solid; margin: 0 0 1rem; }
.notice.error { background: #fdecea; border-color: #f1b0aa; color: #7a1c15; }
.notice.info { background: #eaf1fb; border-color: #b9cff0; }
.notice.ok { background: #e6f4ec; border-color: #a9d8bd; color: #14532d; }
form.stack { display: grid; gap: .9rem; max-width: 28rem; }
form.filters { display: grid; gap: .75rem 1rem; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); align-items: start; }
form.inline { display: flex; flex-wrap: wrap; gap: .75rem; align-items: start; }
form.inline label { flex: 1 1 14rem; max-width: 24rem; }
form.inline label.narrow { flex: 0 1 10rem; }
form.inline > button, form.filters > div { align-self: start; margin-top: 1.55rem; }
form.revoke { display: grid; gap: .9rem 1rem; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); max-width: 48rem; }
form.revoke .wide { grid-column: 1 / -1; }
label { display: grid; gap: .25rem; font-weight: 600; font-size: .92rem; }
label .hint { font-weight: 400; color: var(--muted); font-size: .82rem; }
input, select, textarea { font: inherit; font-weight: 400; width: 100%; min-width: 0; padding: .5rem .6rem; border: 1px solid #9aa5b3; border-radius: 6px; background: #fff; color: var(--ink); min-height: 2.6rem; }
textarea { min-height: 5rem; resize: vertical; }
button, .button { font: inherit; font-weight: 600; padding: .55rem 1.1rem; min-height: 2.6rem; border-radius: 6px; border: 1px solid var(--accent);
  background: var(--accent); color: var(--accent-ink); cursor: pointer; text-decoration: none; display: inline-flex; align-items: center; }
button.quiet { background: transparent; color: #fff; border-color: rgba(255,255,255,.6); min-height: 2.2rem; padding: .3rem .8rem; }
button.danger { background: var(--bad); border-color: var(--bad); }
.button.secondary { background: #fff; color: var(--accent); }
.actions { display: flex; flex-wrap: wrap; gap: .6rem; align-items: center; margin: 1rem 0; }
.muted { color: var(--muted); }
.sign-in-box { max-width: 26rem; margin: 3rem auto; }
details.call { border: 1px solid var(--line); border-radius: 8px; margin: 0 0 .75rem; background: var(--paper); }
details.call > summary { cursor: pointer; padding: .7rem 1rem; font-weight: 600; }
details.call[open] > summary { border-bottom: 1px solid var(--line); }
details.call > .body { padding: .75rem 1rem 1rem; }
ol.transcript { list-style: none; margin: 0; padding: 0; }
ol.transcript li { display: grid; grid-template-columns: 15.5rem 1fr; gap: .25rem 1rem; padding: .5rem 0; border-bottom: 1px dashed var(--line); }
ol.transcript time { color: var(--muted); font-variant-numeric: tabular-nums; font-size: .9rem; }
ol.transcript blockquote { margin: .2rem 0; padding: .4rem .7rem; border-left: 4px solid var(--accent); background: var(--wash); }
.check.ok { color: var(--ok); } .check.bad { color: var(--bad); font-weight: 700; }
.key { display: inline-block; min-width: 1.8rem; text-align: center; border: 1px solid #8c96a3; border-bottom-width: 3px; border-radius: 5px; padding: 0 .35rem; font-weight: 700; background: #fff; }
.chart { width: 100%; height: auto; max-height: 340px; }
.chart .axis { stroke: #8c96a3; stroke-width: 1; }
.chart .grid-line { stroke: #e3e7ec; stroke-width: 1; }
.chart text { fill: #47505b; font-size: 11px; font-family: inherit; }
.chart .opt_in { fill: var(--opt-in); } .chart .declined { fill: var(--declined); } .chart .opt_out { fill: var(--opt-out); }
.chart .calls { fill: none; stroke: var(--calls); stroke-width: 2; }
.legend { display: flex; flex-wrap: wrap; gap: 1rem; margin: .5rem 0 0; padding: 0; list-style: none; font-size: .9rem; }
.legend li::before { content: ""; display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; margin-right: .35rem; vertical-align: -1px; }
.legend .opt_in::before { background: var(--opt-in); } .legend .declined::before { background: var(--declined); }
.legend .opt_out::before { background: var(--opt-out); } .legend .calls::before { background: var(--calls); height: 3px; vertical-align: 3px; }
.pager { display: flex; gap: .75rem; align-items: center; margin: 1rem 0; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 900px) {
  main { padding: 1rem; }
  ol.transcript li { grid-template-columns: 1fr; }
  .top { padding: .6rem 1rem; }
}
`;
