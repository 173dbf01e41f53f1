/**
 * How an area server says it is one: every answer (routes, problems, 404s, the log stream, the
 * start-up probe) carries this header with the server's version. The CLI refuses an answer
 * without it, so `--api-url` pointed at another server says so instead of failing on its JSON.
 */
export const AREA_VERSION_HEADER = 'x-area-version'
