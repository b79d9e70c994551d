// Removes the run's temp folder made by tmpSetup.cjs (kept with DAG_KEEP_TEST_TMP=1, to look at a failure).
const { rmSync } = require('node:fs');

module.exports = async function teardown() {
  const root = process.env.DAG_TEST_TMP_ROOT;
  if (!root || process.env.DAG_KEEP_TEST_TMP === '1') return;
  rmSync(root, { recursive: true, force: true, maxRetries: 3 });
};
