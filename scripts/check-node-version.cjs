// Stops at once, with one line, on a Node.js older than package.json's engines (run first by
// `npm run demo` and `npm start`, and by .ci/run to decide whether to fetch a newer Node). Written
// for any Node.js: no modern syntax, so an old one reaches the message instead of a SyntaxError.
// Usage: node scripts/check-node-version.cjs [version to check, default this Node's]
var fs = require('fs');
var path = require('path');

var engines = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).engines || {};
var match = /^>=\s*(\d+)\.(\d+)/.exec(engines.node || '');
if (!match) {
  console.error('check-node-version: package.json engines.node must read ">=MAJOR.MINOR"');
  process.exit(2);
}
var need = [Number(match[1]), Number(match[2])];
var version = process.argv[2] || process.versions.node;
var have = version.replace(/^v/, '').split('.').map(Number);
if (have[0] < need[0] || (have[0] === need[0] && have[1] < need[1])) {
  console.error('ich-triage needs Node.js ' + need.join('.') + ' or newer (Node.js 24 LTS recommended); this is Node.js ' + version + '.');
  process.exit(1);
}
