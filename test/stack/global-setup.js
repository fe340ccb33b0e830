/**
 * The e2e project's globalSetup: registers this jest run as a user of the local stack (test/stack/lease.js), and
 * starts the run's one moto_server, whose URL the test files find in DOCKYARD_E2E_MOTO_URL (sim/moto.ts `useMoto`;
 * workers inherit the environment set here). Moto is never reset during the run: tests use names of their own.
 */
import { tsImport } from 'tsx/esm/api';
import { beginStackUse } from './lease.js';

export default async function globalSetup() {
  await beginStackUse();
  const { startMoto, SHARED_MOTO_ENV } = await tsImport('../../sim/moto.ts', import.meta.url);
  const moto = await startMoto();
  // globalTeardown runs in this same process and stops it.
  globalThis.dockyardE2eMoto = moto;
  process.env[SHARED_MOTO_ENV] = moto.endpoint;
}
