// Every test's temp folders go under one folder of this jest run, removed when the run ends:
// the suites make thousands of project folders (mkdtemp under os.tmpdir()), which would
// otherwise pile up in /tmp run after run. Workers and the CLI processes tests spawn inherit TMPDIR.
const { mkdtempSync } = require('node:fs');
const { join } = require('node:path');
const { tmpdir } = require('node:os');

module.exports = async function setup() {
  const root = mkdtempSync(join(tmpdir(), 'dag-tests-'));
  process.env.DAG_TEST_TMP_ROOT = root;
  process.env.TMPDIR = root;
};
