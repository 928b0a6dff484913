// Run first thing in <body>, before the header is drawn (a file, because CSP forbids inline scripts): marks the page
// as having JavaScript, so a phone's header is drawn folded behind "Menu" from the start (daybook.js then makes the
// button work) instead of drawing two rows and then jumping.
document.body.classList.add("js-enabled");
