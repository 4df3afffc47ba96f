// Loaded (blocking) in <head> before the first paint: the stored large-type choice, so a
// projector page does not jump. A file, not an inline script: the Content-Security-Policy
// allows only the app's own script files.
try {
  if (localStorage.getItem('labs.largeType') === '1') document.documentElement.classList.add('large');
} catch (e) {
  // No storage (private mode): normal type.
}
