// Entry point of the browser page (bundled by scripts/build-web.js).
document.documentElement.dataset['ready'] = 'true';
