/** Dockyard's version, sent in the user agent. A unit test keeps it equal to package.json. */
export const VERSION = '1.0.0';

/** The user agent of every request Dockyard makes: AWS calls and the Kubernetes API alike. */
export const USER_AGENT = `dockyard/${VERSION}`;
