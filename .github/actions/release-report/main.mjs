// @ts-check
// The release job's step (action.yml runs.main).
import { main } from './report.mjs';

main();
