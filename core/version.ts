/** Dockyard's version, sent in the AWS user agent. A unit test keeps it equal to package.json. */
export const VERSION = '1.0.0';
