// Hearth: start GOV.UK Frontend's JavaScript.
//
// Loaded on every page as <script type="module" src=".../hearth/js/init.js">.
// An external module instead of GOV.UK's usual inline snippet, because our
// Content Security Policy forbids inline scripts.
//
// Module scripts only run in browsers that support ES modules, which is
// exactly what GOV.UK Frontend's `govuk-frontend-supported` class means, so
// both classes can be added unconditionally. Modules also run after the
// document has been parsed, so document.body exists.
//
// Note: ES module imports are evaluated before this file's body runs, and
// GOV.UK Frontend does nothing on import; the classes below are therefore in
// place before initAll() checks for them.
import { initAll } from '../vendor/govuk-frontend/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')

// initAll() only starts components whose markup is on the page
// (data-module="govuk-..."). Hearth never renders GOV.UK's Exit This Page
// (data-module="govuk-exit-this-page"): quick-exit.js is our own version, so
// GOV.UK's is never initialised. initAll() catches and logs component errors
// itself; the try/catch is a last line of defence so a failure here never
// breaks other scripts on the page.
try {
  initAll()
} catch (error) {
  console.error('Hearth: GOV.UK Frontend failed to start', error)
}
