// Hearth quick exit.
//
// Loaded as <script type="module" src=".../hearth/js/quick-exit.js">. Starts by
// itself and does nothing if the page has no quick-exit bar. No dependencies.
//
// Markup (rendered by the templates on every page):
//
//   <div class="hearth-quick-exit" data-hearth-quick-exit
//        data-neutral-url="https://www.bbc.co.uk/weather"
//        data-end-session-url="/exit/end-session/"
//        data-announce-template="Shift pressed {count} of 3 times"  (optional)
//        data-csrf-token="..."                                      (optional)>
//     <a href="/exit/" class="govuk-button govuk-button--warning hearth-quick-exit__button"
//        data-hearth-quick-exit-button>Leave this site</a>
//     <span class="hearth-quick-exit__hint">or press Shift 3 times</span>
//     <a href="/safety/" class="govuk-link hearth-quick-exit__help">How this works</a>
//   </div>
//
// Without JavaScript the button is a plain link to /exit/, where the server
// ends the session and redirects to the neutral site. With JavaScript, the
// button or pressing Shift 3 times:
//   1. hides the page at once (html.hearth-exiting, styled in hearth.scss),
//   2. asks the server to end the session without waiting for the answer,
//   3. replaces this page in the history with the neutral site.
//
// data-announce-template may use {count} (presses so far) and {remaining}
// (presses still needed), so the server can send a translated message.
// data-csrf-token is only needed if the end-session view checks CSRF; it is
// sent as the usual `csrfmiddlewaretoken` form field.

const PRESSES_NEEDED = 3
const MAX_GAP_MS = 5000 // the longest pause allowed between two Shift presses
const STORAGE_KEY = 'hearth-quick-exit' // per tab (sessionStorage)

const container = document.querySelector('[data-hearth-quick-exit]')
if (container) {
  setUp(container)
}

function setUp (container) {
  const button = container.querySelector('[data-hearth-quick-exit-button]')
  const neutralUrl =
    container.dataset.neutralUrl || (button && button.href) || '/exit/'
  const endSessionUrl = container.dataset.endSessionUrl
  const announceTemplate = container.dataset.announceTemplate
  const csrfToken = container.dataset.csrfToken

  // Screen reader announcements for the Shift count. The region has to be in
  // the page before its text changes, or some screen readers miss the update.
  const liveRegion = document.createElement('div')
  liveRegion.className = 'govuk-visually-hidden'
  liveRegion.setAttribute('aria-live', 'polite')
  container.appendChild(liveRegion)

  let exiting = false
  let presses = 0
  let resetTimer = null

  function exit (event) {
    if (event) {
      event.preventDefault()
    }
    document.documentElement.classList.add('hearth-exiting')
    if (!exiting) {
      exiting = true
      remember()
      endSession()
    }
    // replace(), not assign(): the Back button must not come back here.
    window.location.replace(neutralUrl)
  }

  function endSession () {
    if (!endSessionUrl) {
      return
    }
    const body = new FormData()
    if (csrfToken) {
      body.append('csrfmiddlewaretoken', csrfToken)
    }
    // sendBeacon POSTs and survives the page being unloaded. It returns false
    // if the browser would not queue the request; then fall back to fetch with
    // keepalive, which also outlives the page. Never wait for either.
    try {
      if (navigator.sendBeacon && navigator.sendBeacon(endSessionUrl, body)) {
        return
      }
    } catch (error) {
      // fall through to fetch
    }
    try {
      window.fetch(endSessionUrl, {
        method: 'POST',
        body,
        keepalive: true,
        credentials: 'same-origin'
      }).catch(function () {})
    } catch (error) {
      // Nothing else to try: the server-side session will still expire.
    }
  }

  // Remember, for this tab only, that the person left. Another Hearth page
  // that comes back from the back-forward cache then leaves again too.
  function remember () {
    try {
      window.sessionStorage.setItem(STORAGE_KEY, '1')
    } catch (error) {
      // Storage can be unavailable (private modes); the in-memory flag remains.
    }
  }

  function rememberedExit () {
    try {
      return window.sessionStorage.getItem(STORAGE_KEY) === '1'
    } catch (error) {
      return false
    }
  }

  function forget () {
    try {
      window.sessionStorage.removeItem(STORAGE_KEY)
    } catch (error) {
      // ignore
    }
  }

  function resetPresses () {
    presses = 0
    window.clearTimeout(resetTimer)
    liveRegion.textContent = ''
  }

  function announce (count) {
    const remaining = PRESSES_NEEDED - count
    let message
    if (announceTemplate) {
      message = announceTemplate
        .replace(/\{count\}/g, String(count))
        .replace(/\{remaining\}/g, String(remaining))
    } else {
      message =
        'Shift pressed ' + count + ' of ' + PRESSES_NEEDED + ' times. ' +
        'Press Shift ' + remaining + ' more ' + (remaining === 1 ? 'time' : 'times') +
        ' to leave this site.'
    }
    liveRegion.textContent = message
  }

  if (button) {
    button.addEventListener('click', exit)
  }

  document.addEventListener('keydown', function (event) {
    if (event.key !== 'Shift') {
      // Any other key (including Shift+letter while typing) starts again.
      if (presses) {
        resetPresses()
      }
      return
    }
    if (event.repeat) {
      return // Shift held down: count it once
    }
    presses += 1
    if (presses >= PRESSES_NEEDED) {
      resetPresses()
      exit()
      return
    }
    announce(presses)
    // Too long a pause before the next press starts the count again.
    window.clearTimeout(resetTimer)
    resetTimer = window.setTimeout(resetPresses, MAX_GAP_MS)
  })

  window.addEventListener('pageshow', function (event) {
    if (event.persisted && (exiting || rememberedExit())) {
      // Restored from the back-forward cache after leaving: do not show it.
      document.documentElement.classList.add('hearth-exiting')
      window.location.replace(neutralUrl)
    } else if (!event.persisted && !exiting) {
      // A fresh page load means the person chose to come back: start clean.
      forget()
    }
  })
}
