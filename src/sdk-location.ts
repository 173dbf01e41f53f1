/**
 * Where this build's SDK module is (dist/sdk.js). This file sits at the root of src/ on purpose:
 * compiled, it is dist/sdk-location.js, and bundled into dist/offline-bundle.cjs its
 * `import.meta.url` is the bundle's; both are beside dist/sdk.js.
 */
export const sdkUrl = (): string => new URL('./sdk.js', import.meta.url).href
