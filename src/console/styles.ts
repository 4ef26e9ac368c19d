/** The console's stylesheet, served as a file (the CSP forbids inline styles). Works from 360 px wide. */
export const CONSOLE_CSS = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,sans-serif;color:#1d1d1f;background:#f4f4f2}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px;z-index:9}
.bar{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;padding:.5rem .75rem;background:#1d2b36;color:#fff}
.bar nav{display:flex;flex-wrap:wrap;gap:.4rem;margin-left:auto;align-items:center}
.bar a{color:#fff}.bar button{color:#fff;background:transparent;border-color:#fff}
.bar select{max-width:12rem}
main{max-width:60rem;margin:0 auto;padding:.75rem}
h1{font-size:1.3rem;margin:.25rem 0 .75rem}
h2{font-size:1.05rem;margin:1rem 0 .5rem}
a{color:#0b5cad}
button{font:inherit;padding:.35rem .7rem;border:1px solid #667;border-radius:4px;background:#fff;cursor:pointer;min-height:2.2rem}
button:focus-visible,a:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,.item:focus-visible{outline:3px solid #f0a000;outline-offset:2px}
button.primary{background:#0b5cad;color:#fff;border-color:#0b5cad}
button.danger{background:#a3221b;color:#fff;border-color:#a3221b}
input,select,textarea{font:inherit;padding:.3rem;border:1px solid #889;border-radius:4px;max-width:100%}
label{display:block;margin:.4rem 0 .15rem;font-weight:600}
label.inline{display:inline-flex;gap:.3rem;font-weight:400;align-items:center}
form.stack{display:grid;gap:.2rem;max-width:32rem}
.tabs{display:flex;flex-wrap:wrap;gap:.3rem;margin-bottom:.5rem}
.tabs a{padding:.3rem .6rem;border-radius:4px;background:#e3e6ea;text-decoration:none}
.tabs a[aria-current=page]{background:#1d2b36;color:#fff}
.toolbar{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center;margin:.4rem 0}
.items{list-style:none;margin:0;padding:0}
.item{background:#fff;border:1px solid #ccd;border-radius:6px;padding:.6rem;margin:.5rem 0}
.item.current{border-color:#0b5cad;box-shadow:0 0 0 2px #0b5cad}
.item.selected{background:#eef5ff}
.item.gone{opacity:.6}
.meta{font-size:.85rem;color:#555;display:flex;flex-wrap:wrap;gap:.2rem .7rem}
.body{white-space:pre-wrap;overflow-wrap:anywhere;margin:.4rem 0}
mark{background:#ffe08a;padding:0 .1em}
.reasons,.flags{display:flex;flex-wrap:wrap;gap:.3rem;margin:.2rem 0;padding:0;list-style:none}
.reasons li,.flags li{font-size:.8rem;background:#eef;border-radius:3px;padding:0 .35rem}
.flags li{background:#fde8e6}
.parent{border-left:3px solid #bbc;padding-left:.5rem;color:#444;font-size:.9rem;margin:.3rem 0}
.actions{display:flex;flex-wrap:wrap;gap:.35rem;margin-top:.4rem}
.note{color:#7a4b00;font-weight:600}
.featured{color:#0a6b2c;font-weight:600}
.depth1{margin-left:1rem}.depth2{margin-left:2rem}.depth3,.depth4,.depth5,.depth6,.depth7,.depth8{margin-left:3rem}
pre{background:#fff;border:1px solid #ccd;padding:.5rem;white-space:pre-wrap;overflow-wrap:anywhere}
dialog{max-width:min(30rem,94vw);border:1px solid #667;border-radius:6px}
table{border-collapse:collapse}td,th{padding:.2rem .5rem;text-align:left;border-bottom:1px solid #dde}
.error{color:#a3221b;font-weight:600}
@media (max-width:480px){main{padding:.4rem}.bar nav{margin-left:0}button{padding:.3rem .5rem}}
`;
