/**
 * Clients made when first needed, one per region: the verify step reads ECR, SSM, Secrets Manager and
 * CloudWatch Logs in the region an image, a secret or a log group lives in, which need not be the step's.
 */
import { createClient, type ClientOptions } from '../../../core/index.js';

export interface PerRegion<C> {
  get: (region: string) => C;
  destroy: () => void;
}

export function perRegion<C extends { destroy(): void }>(
  Ctor: new (config: never) => C,
  options: ClientOptions
): PerRegion<C> {
  const made = new Map<string, C>();
  return {
    get: region => {
      let client = made.get(region);
      if (!client) {
        client = createClient(Ctor as never, { ...options, region }) as C;
        made.set(region, client);
      }
      return client;
    },
    destroy: () => made.forEach(c => c.destroy())
  };
}
