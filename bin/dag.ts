#!/usr/bin/env node
import { main } from '../lib/dag/cli.js';

await main(process.argv);
