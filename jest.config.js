/** Two projects: fast unit tests beside the code, and end-to-end tests that run the bundles. */
const tsJest = {
  '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }]
};
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: tsJest
};
export default {
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/core/**/*.test.ts',
        '<rootDir>/actions/**/*.test.ts',
        '<rootDir>/scripts/**/*.test.ts',
        // Pure tests of the end-to-end helpers and the stand-ins: no stack needed.
        '<rootDir>/test/**/*.test.ts',
        '<rootDir>/sim/**/*.test.ts'
      ],
      testPathIgnorePatterns: ['/node_modules/', '\\.e2e\\.test\\.ts$']
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e.test.ts', '<rootDir>/sim/**/*.e2e.test.ts'],
      slowTestThreshold: 60,
      // `npm run test:e2e` runs four files at once on two cores: most of an end-to-end test is waiting on the
      // bundle's child process, moto or a stand-in's clock (about a third of the wall time is CPU), so two workers
      // left the cores idle. A long file is split (deploy-eks, deploy-eks-edges) so that none outlasts the rest.
      // The local stack (scripts/local-stack.sh) is stopped after the run when tests started it: test/stack.ts.
      globalSetup: '<rootDir>/test/stack/global-setup.js',
      globalTeardown: '<rootDir>/test/stack/global-teardown.js'
    }
  ]
};
