/** The e2e project's globalSetup: registers this jest run as a user of the local stack (test/stack/lease.js). */
import { beginStackUse } from './lease.js';

export default async function globalSetup() {
  await beginStackUse();
}
