// @ts-check
// The plan job's step (action.yml runs.main).
import { main } from './plan.mjs';

main();
