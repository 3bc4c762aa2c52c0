#!/usr/bin/env bash
# Build Hearth's static front-end assets.
#
#   frontend/build.sh
#
# Installs the pinned npm packages (npm ci, from package-lock.json), compiles
# frontend/hearth.scss and copies the vendored JavaScript and licence files into
# hearth/core/static/hearth/. The outputs are committed, so running the app
# never needs Node. Safe to run repeatedly: the generated folders (css/ and
# vendor/) are rebuilt from scratch each time. The hand-written files in js/
# and images/ are not touched.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
static="$(dirname "$here")/hearth/core/static/hearth"
cd "$here"

# --ignore-scripts: nothing we use needs an install script (sass is pure JS;
# its optional native file watcher is only for --watch).
npm ci --ignore-scripts --no-audit --no-fund

rm -rf "$static/css" "$static/vendor"
mkdir -p "$static/css" "$static/vendor/govuk-frontend" "$static/vendor/htmx"

# --quiet-deps hides deprecation warnings coming from GOV.UK Frontend's own
# Sass (it still uses @import); the import deprecation is silenced because
# GOV.UK Frontend 5.x must be loaded with @import to be configured this way.
npx --no-install sass \
  --load-path=node_modules \
  --style=compressed \
  --no-source-map \
  --quiet-deps \
  --silence-deprecation=import \
  hearth.scss "$static/css/hearth.min.css"

govuk="node_modules/govuk-frontend/dist/govuk"
# Drop the trailing sourceMappingURL comment: the .map files are not shipped
# (a dangling reference only causes 404s in browser dev tools, and
# ManifestStaticFilesStorage fails collectstatic on a `//# sourceMappingURL`
# line whose map is missing). Otherwise the files are byte-for-byte the
# package's own.
sed '/^\/\/# sourceMappingURL=/d; s#//\# sourceMappingURL=[^ ]*$##' \
  "$govuk/govuk-frontend.min.js" >"$static/vendor/govuk-frontend/govuk-frontend.min.js"
sed '/^\/\/# sourceMappingURL=/d; s#//\# sourceMappingURL=[^ ]*$##' \
  node_modules/htmx.org/dist/htmx.min.js >"$static/vendor/htmx/htmx.min.js"
cp node_modules/htmx.org/LICENSE "$static/vendor/htmx/LICENSE.txt"

# The govuk-frontend npm package does not contain its licence file (its
# package.json says "MIT"). This is the text of LICENSE.txt in the
# alphagov/govuk-frontend repository.
cat >"$static/vendor/govuk-frontend/LICENSE.txt" <<'EOF'
The MIT License (MIT)

Copyright (C) 2017 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
EOF

# Sanity checks on the compiled CSS: no web fonts, no GOV.UK assets.
css="$static/css/hearth.min.css"
if grep -q -e '@font-face' -e 'GDS Transport' -e 'govuk-crest' -e 'govuk-logotype' -e '/assets/' "$css"; then
  echo "build.sh: compiled CSS references GOV.UK fonts or images" >&2
  exit 1
fi

echo "Built into $static:"
(cd "$static" && find css vendor -type f | sort | xargs ls -l)
