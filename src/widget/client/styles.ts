/** The widget's own styles; the shadow root keeps host page CSS out and these in. */
export const WIDGET_CSS = `
:host { all: initial; display: block; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2329; }
*, *::before, *::after { box-sizing: border-box; }
.tl { max-width: 48rem; margin: 0 auto; }
h2 { font-size: 1.25rem; margin: 0; }
.bar .field { flex: 0 1 12rem; margin: 0; }
.bar { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; justify-content: space-between; margin-bottom: .75rem; }
.status:not(:empty) { margin: .5rem 0; padding: .5rem .75rem; border-radius: .375rem; background: #eef5ff; border: 1px solid #b9d3f5; }
.status[data-kind="error"] { background: #fdeeee; border-color: #f0b5b5; color: #7a1b1b; }
.status[data-kind="success"] { background: #edf8ef; border-color: #b3dfbb; color: #1c5a28; }
.panel { border: 1px solid #d5dbe1; border-radius: .5rem; padding: .75rem; margin-bottom: 1rem; background: #fafbfc; }
.row { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.field { display: flex; flex-direction: column; gap: .25rem; margin-bottom: .5rem; flex: 1 1 14rem; }
label { font-weight: 600; font-size: .875rem; }
input, textarea, select { font: inherit; color: inherit; padding: .4rem .5rem; border: 1px solid #9aa5b1; border-radius: .375rem; background: #fff; width: 100%; }
textarea { min-height: 5rem; resize: vertical; }
button { font: inherit; font-size: .875rem; cursor: pointer; padding: .35rem .75rem; border-radius: .375rem; border: 1px solid #9aa5b1; background: #fff; color: #1d2329; }
button.primary { background: #1f5fbf; border-color: #1f5fbf; color: #fff; font-weight: 600; }
button.link { border: 0; background: none; padding: .2rem .35rem; color: #1f5fbf; }
button[aria-pressed="true"] { background: #1f5fbf; border-color: #1f5fbf; color: #fff; }
button:disabled { opacity: .6; cursor: default; }
button:focus-visible, input:focus-visible, textarea:focus-visible, select:focus-visible, [tabindex="-1"]:focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }
ol { list-style: none; margin: 0; padding: 0; }
ol.replies.indent { margin-left: 1.25rem; padding-left: .75rem; border-left: 2px solid #e2e7ec; }
.comment > article { padding: .6rem 0; }
.meta { display: flex; flex-wrap: wrap; gap: .25rem .6rem; align-items: baseline; font-size: .875rem; color: #59636e; }
.author { font-weight: 700; color: #1d2329; }
.badge { font-size: .75rem; font-weight: 600; padding: 0 .4rem; border-radius: 1rem; background: #fff4d6; color: #6b4e00; border: 1px solid #ecd28a; }
.body { overflow-wrap: anywhere; margin: .25rem 0; }
.body p { margin: 0 0 .5rem; }
.body pre, .body code { white-space: pre-wrap; }
.tombstone { font-style: italic; color: #59636e; margin: .25rem 0; }
.actions { display: flex; flex-wrap: wrap; gap: .25rem; align-items: center; }
.score { min-width: 1.5rem; text-align: center; font-weight: 600; font-size: .875rem; }
.more { margin-top: 1rem; width: 100%; }
.hint { font-size: .875rem; color: #59636e; margin: .25rem 0 .5rem; }
@media (max-width: 30rem) {
  ol.replies.indent { margin-left: .5rem; padding-left: .5rem; }
  .bar { flex-direction: column; align-items: stretch; }
}
`;
