/**
 * Setup file (vitest.config.ts): the tests' fakes, sinks and servers listen on 127.0.0.1, which
 * the address guard refuses unless the operator opts in. Code run in the test process without a
 * daemon (service handlers, the HTTP client) reads this opt-in from the environment; a test that
 * checks the strict default stubs the variable empty. Daemons get theirs in daemon/context.ts and
 * daemon/process.ts.
 */
process.env.AREA_HTTP_ALLOW_PRIVATE ??= 'loopback'
