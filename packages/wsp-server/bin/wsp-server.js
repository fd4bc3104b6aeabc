#!/usr/bin/env node
// The command npm links, kept in git: `npm ci` links a bin only if its file exists, and it links before the
// `prepare` build has written dist/ (a bin pointing at dist/server/cli.js is silently left out: "not found").
import '../dist/server/cli.js';
