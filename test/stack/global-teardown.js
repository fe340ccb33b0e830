/**
 * The e2e project's globalTeardown: stops the run's moto (started by global-setup.js), and the local stack when test
 * runs started it and no other jest run still uses it (test/stack/lease.js). A stack started by hand keeps running.
 */
import { endStackUse } from './lease.js';

export default async function globalTeardown() {
  await globalThis.dockyardE2eMoto?.stop();
  if (await endStackUse()) console.log('\nlocal stack stopped (it was started for this test run)');
}
