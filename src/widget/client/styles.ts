/**
 * The widget's own styles; the shadow root keeps host page CSS out and these in. Colours, font and
 * radius are custom properties a site may set on the host element (`--tl-accent`, ...); the light and
 * dark defaults below meet WCAG AA contrast.
 */
export const WIDGET_CSS = `
:host { all: initial; display: block; }
.tl {
  --bg: var(--tl-bg, #ffffff); --surface: var(--tl-surface, #f6f8fa); --text: var(--tl-text, #1d2329);
  --muted: var(--tl-muted, #56606b); --border: var(--tl-border, #d0d7de); --field: var(--tl-field-border, #767f89);
  --accent: var(--tl-accent, #1f5fbf); --on-accent: var(--tl-accent-text, #ffffff); --focus: var(--tl-focus, #f2a900);
  --info-bg: #eef5ff; --info-line: #b9d3f5; --error-bg: #fdeeee; --error-line: #f0b5b5; --error-text: #7a1b1b;
  --ok-bg: #edf8ef; --ok-line: #b3dfbb; --ok-text: #1c5a28; --held-bg: #fff4d6; --held-line: #ecd28a; --held-text: #5c4300;
  --fresh: #fff3b8; --code-bg: #eef1f4;
  --radius: var(--tl-radius, .5rem);
  font: 16px/1.5 var(--tl-font, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif);
  color: var(--text); background: var(--bg); border-radius: var(--radius);
  max-width: 48rem; margin: 0 auto; padding: 1rem; color-scheme: light;
}
:host([data-tl-scheme="dark"]) .tl {
  --bg: var(--tl-bg, #161b22); --surface: var(--tl-surface, #1f2630); --text: var(--tl-text, #e6edf3);
  --muted: var(--tl-muted, #a2adb9); --border: var(--tl-border, #3a434e); --field: var(--tl-field-border, #8b949e);
  --accent: var(--tl-accent, #6cb0ff); --on-accent: var(--tl-accent-text, #0b1420);
  --info-bg: #14273f; --info-line: #2f5584; --error-bg: #3d1518; --error-line: #8a3a3a; --error-text: #ffc9c9;
  --ok-bg: #12301c; --ok-line: #2f6b40; --ok-text: #b8f0c6; --held-bg: #3b2f0a; --held-line: #7a6320; --held-text: #f5d98a;
  --fresh: #3d3510; --code-bg: #262e39;
  color-scheme: dark;
}
*, *::before, *::after { box-sizing: border-box; }
h2 { font-size: 1.25rem; margin: 0; }
.bar { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; justify-content: space-between; margin-bottom: .75rem; }
.bar .field { flex: 0 1 12rem; margin: 0; }
.sr-only { position: absolute; width: 1px; height: 1px; margin: -1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; border: 0; padding: 0; }
.status:not(:empty), .note:not(:empty) { margin: .5rem 0; padding: .5rem .75rem; border-radius: var(--radius); background: var(--info-bg); border: 1px solid var(--info-line); color: var(--text); }
.status[data-kind="error"], .note[data-kind="error"] { background: var(--error-bg); border-color: var(--error-line); color: var(--error-text); }
.status[data-kind="success"], .note[data-kind="success"] { background: var(--ok-bg); border-color: var(--ok-line); color: var(--ok-text); }
.status.sr-only { padding: 0; margin: -1px; border: 0; }
.panel { border: 1px solid var(--border); border-radius: var(--radius); padding: .75rem; margin-bottom: 1rem; background: var(--surface); }
.row { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.field { display: flex; flex-direction: column; gap: .25rem; margin-bottom: .5rem; flex: 1 1 14rem; }
label { font-weight: 600; font-size: .875rem; }
input, textarea, select { font: inherit; color: var(--text); padding: .4rem .5rem; border: 1px solid var(--field); border-radius: calc(var(--radius) * .75); background: var(--bg); width: 100%; min-height: 2.25rem; }
textarea { min-height: 5rem; resize: vertical; }
button, a.link { font: inherit; font-size: .875rem; cursor: pointer; padding: .35rem .75rem; border-radius: calc(var(--radius) * .75); border: 1px solid var(--field); background: var(--bg); color: var(--text); min-height: 24px; min-width: 24px; }
button.primary { background: var(--accent); border-color: var(--accent); color: var(--on-accent); font-weight: 600; }
button.link, a.link { border: 0; background: none; padding: .2rem .4rem; color: var(--accent); text-decoration: none; display: inline-flex; align-items: center; }
a.link:hover, button.link:hover { text-decoration: underline; }
button[aria-pressed="true"] { background: var(--accent); border-color: var(--accent); color: var(--on-accent); }
button:disabled, button[aria-disabled="true"] { opacity: .7; cursor: default; }
button:focus-visible, a:focus-visible, input:focus-visible, textarea:focus-visible, select:focus-visible, summary:focus-visible, [tabindex="-1"]:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
ol { list-style: none; margin: 0; padding: 0; }
ol.thread > li.comment + li.comment { border-top: 1px solid var(--border); }
ol.replies.indent { margin-left: 1.1rem; padding-left: .9rem; border-left: 2px solid var(--border); }
.comment > article { padding: .6rem 0; border-radius: var(--radius); }
.comment > article.fresh { animation: tl-fresh 2.5s ease-out; }
@keyframes tl-fresh { from { background: var(--fresh); } to { background: transparent; } }
@media (prefers-reduced-motion: reduce) { .comment > article.fresh { animation: none; outline: 2px solid var(--accent); } }
.head { display: flex; gap: .6rem; align-items: center; }
.avatar { flex: none; width: 2rem; height: 2rem; border-radius: 50%; display: inline-flex; align-items: center; justify-content: center; font-size: .8rem; font-weight: 700; color: #fff; background: #4b5563; }
.avatar.c0 { background: #1f5fbf; } .avatar.c1 { background: #b3261e; } .avatar.c2 { background: #1e6e40; } .avatar.c3 { background: #8a4b00; }
.avatar.c4 { background: #6f42c1; } .avatar.c5 { background: #0f6570; } .avatar.c6 { background: #a3366f; } .avatar.c7 { background: #4b5563; }
.meta { display: flex; flex-wrap: wrap; gap: .1rem .5rem; align-items: center; font-size: .875rem; color: var(--muted); }
.meta a.link { font-size: .875rem; color: var(--muted); padding: 0 .2rem; }
.author { font-weight: 700; color: var(--text); }
.badge { font-size: .75rem; font-weight: 600; padding: 0 .45rem; border-radius: 1rem; background: var(--held-bg); color: var(--held-text); border: 1px solid var(--held-line); }
.badge.you, .badge.staff, .badge.guest { background: var(--surface); color: var(--text); border-color: var(--border); }
.badge.staff { border-color: var(--accent); }
fieldset.guest { border: 1px solid var(--border); border-radius: var(--radius); margin: 0 0 .5rem; padding: .25rem .75rem .5rem; }
fieldset.guest .row { align-items: flex-start; }
fieldset.guest legend { font-weight: 600; padding: 0 .25rem; }
.field .hint { margin: 0; }
.field-error { margin: 0; font-size: .875rem; color: var(--error-text); }
.field-error:empty { display: none; }
input[aria-invalid="true"] { border-color: var(--error-text); }
.body { overflow-wrap: anywhere; margin: .25rem 0; }
.body p { margin: 0 0 .5rem; }
.body blockquote { margin: .25rem 0 .5rem; padding: .1rem .75rem; border-left: 3px solid var(--border); color: var(--muted); }
.body code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .875em; background: var(--code-bg); padding: .05rem .3rem; border-radius: .25rem; }
.body pre { background: var(--code-bg); padding: .5rem .75rem; border-radius: calc(var(--radius) * .75); white-space: pre-wrap; overflow-wrap: anywhere; }
.body pre code { padding: 0; background: none; }
.body a { color: var(--accent); }
.tombstone { font-style: italic; color: var(--muted); margin: .25rem 0; }
.actions { display: flex; flex-wrap: wrap; gap: .25rem; align-items: center; }
.score { min-width: 1.5rem; text-align: center; font-weight: 600; font-size: .875rem; }
.window { font-size: .8rem; color: var(--muted); }
.more { margin-top: 1rem; width: 100%; }
.slot:not(:empty) { margin-top: .5rem; }
.hint { font-size: .875rem; color: var(--muted); margin: .25rem 0 .5rem; }
.empty { text-align: center; color: var(--muted); margin: 1rem 0; font-size: 1.05rem; }
.counter { font-size: .8rem; color: var(--muted); margin-left: auto; }
.counter[data-over="true"] { color: var(--error-text); font-weight: 600; }
.preview { border: 1px dashed var(--field); border-radius: var(--radius); padding: .5rem .75rem; margin-bottom: .5rem; }
details.help { font-size: .875rem; margin: .25rem 0 .5rem; }
details.help summary { cursor: pointer; color: var(--accent); display: inline-flex; align-items: center; min-height: 24px; }
details.help ul { margin: .25rem 0; padding-left: 1.25rem; }
details.help code { background: var(--code-bg); padding: 0 .25rem; border-radius: .25rem; }
.signin h3 { font-size: 1rem; margin: 0 0 .5rem; }
@media (max-width: 30rem) {
  .tl { padding: .75rem .5rem; }
  ol.replies.indent { margin-left: .4rem; padding-left: .6rem; }
  .bar { flex-direction: column; align-items: stretch; }
  /* Stacked, a flex-basis would become a height: the sort menu takes only its own. */
  .bar .field { flex: none; }
}
/* Last, so it wins over every size above: touch needs bigger targets. */
@media (pointer: coarse) { button, a.link, details.help summary, select { min-height: 44px; min-width: 44px; } }
`;
