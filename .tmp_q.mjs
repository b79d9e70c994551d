import { DuckDBInstance } from '@duckdb/node-api';
const db = await DuckDBInstance.create(':memory:'); const c = await db.connect();
for (const q of process.argv.slice(2)) { const r = await c.runAndReadAll(q); console.log(r.columnNames().join(','), r.columnTypes().map(String).join(',')); console.log(JSON.stringify(r.getRowObjectsJson().slice(0,3))); }
