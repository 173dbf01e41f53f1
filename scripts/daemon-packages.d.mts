// The types of daemon-packages.mjs, which test/package/cli-modules.test.ts imports.
export declare const daemonPackages: readonly string[]
