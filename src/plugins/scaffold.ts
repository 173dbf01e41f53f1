/**
 * The files `area services init <id>` writes: a plugin that works as written (one polling action,
 * one reaction, both over HTTP through the SDK's guarded client), its package.json, a README, and
 * a test that runs both handlers against a fake of the API on 127.0.0.1 with `node --test`
 * (docs/architecture.md, "Service plugins"). Plain JavaScript: a server loads it as is, with no
 * build step; the SDK's types reach editors through `// @ts-check` and the "types" export.
 */

export function scaffoldFiles(id: string, areaVersion: string): Record<string, string> {
  const title = id
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ')
  const major = areaVersion.split('.').slice(0, 2).join('.')
  const pkg = {
    name: `area-service-${id.replaceAll('_', '-')}`,
    version: '0.1.0',
    description: `The ${title} service for area`,
    type: 'module',
    exports: './index.js',
    files: ['index.js', 'README.md'],
    scripts: { test: 'node --test' },
    keywords: ['area-plugin'],
    peerDependencies: { area: `^${major}` },
    devDependencies: { area: `^${major}` },
  }
  return {
    'package.json': `${JSON.stringify(pkg, null, 2)}\n`,
    'index.js': indexJs(id, title),
    'index.test.js': testJs(id),
    'README.md': readme(id, title),
  }
}

const indexJs = (id: string, title: string) => `// @ts-check
/**
 * The ${title} service: an area plugin. The server imports this module and registers its default
 * export beside the built-in services (AREA_PLUGINS); \`area/sdk\` is the server's own SDK.
 */
import {
  bodyText,
  defineAction,
  defineReaction,
  defineService,
  PermanentError,
  parseTarget,
  sendHttpRequest,
  statusError,
  Type,
} from 'area/sdk'

const url = (description, example) =>
  Type.String({ pattern: '^https?://', description, examples: [example] })

/** One HTTP exchange through area's client: its deadline, size cap and address policy. */
async function call(method, target, signal, body, headers = {}) {
  const response = await sendHttpRequest({
    method,
    target: parseTarget(target),
    headers: new Headers({ accept: 'application/json', ...headers }),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    timeoutMs: 10_000,
    signal,
    maxBodyBytes: 1024 * 1024,
  })
  const text = bodyText(response)
  if (response.status >= 400) throw statusError(method, target, { ...response, text })
  try {
    return text ? JSON.parse(text) : null
  } catch {
    throw new PermanentError(\`\${method} \${target} did not answer JSON\`)
  }
}

const newItem = defineAction({
  id: 'new_item',
  name: 'New item',
  description: 'Fires once for each new item of a JSON array at a URL (items have an "id")',
  params: Type.Object(
    { url: url('Where the JSON array of items is', 'https://api.example.com/items') },
    { additionalProperties: false },
  ),
  event: Type.Object({
    id: Type.String({ description: "The item's id" }),
    title: Type.String({ description: "The item's title, empty when it has none" }),
  }),
  exampleEvent: { id: '42', title: 'The answer' },
  polling: {
    defaultIntervalSeconds: 60,
    async poll({ params, signal }) {
      const items = await call('GET', params.url, signal)
      if (!Array.isArray(items)) throw new PermanentError(\`\${params.url} did not answer a JSON array\`)
      // The key is the item's identity: the engine fires each key once.
      return {
        items: items.map((item) => ({
          key: String(item.id),
          event: { id: String(item.id), title: String(item.title ?? '') },
        })),
      }
    },
  },
})

const send = defineReaction({
  id: 'send',
  name: 'Send',
  description: 'Posts a text as JSON to a URL',
  params: Type.Object(
    {
      url: url('Where to post', 'https://api.example.com/messages'),
      text: Type.String({ minLength: 1, description: 'What to send', examples: ['New: {{ trigger.title }}'] }),
    },
    { additionalProperties: false },
  ),
  output: Type.Object({ status: Type.Integer({ description: 'The HTTP status of the answer' }) }),
  exampleOutput: { status: 201 },
  async run({ params, idempotencyKey, signal }) {
    // Retries of one event carry the same key: a target that deduplicates sends once.
    await call('POST', params.url, signal, { text: params.text }, {
      'content-type': 'application/json',
      'idempotency-key': idempotencyKey,
    })
    return { status: 201 }
  },
})

export default defineService({
  id: '${id}',
  name: '${title}',
  description: 'Watches a JSON list of items and posts messages',
  auth: { kind: 'none' },
  actions: [newItem],
  reactions: [send],
})
`

const testJs = (id: string) => `/**
 * Runs the service's handlers against a fake of its API on 127.0.0.1, as area's worker would:
 * \`npm test\` (node --test). area's client refuses loopback unless allowed, as a server does.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer } from 'node:http'
import { after, before, test } from 'node:test'
import service from './index.js'

process.env.AREA_HTTP_ALLOW_PRIVATE = 'loopback'

const received = []
const fake = createServer((req, res) => {
  let body = ''
  req.on('data', (chunk) => {
    body += chunk
  })
  req.on('end', () => {
    res.setHeader('content-type', 'application/json')
    if (req.method === 'GET' && req.url === '/items') {
      res.end(JSON.stringify([{ id: 1, title: 'first' }, { id: 2 }]))
    } else if (req.method === 'POST' && req.url === '/messages') {
      received.push({ key: req.headers['idempotency-key'], body: JSON.parse(body) })
      res.statusCode = 201
      res.end('{}')
    } else {
      res.statusCode = 404
      res.end('{"error":"not found"}')
    }
  })
})
let base = ''

before(async () => {
  fake.listen(0, '127.0.0.1')
  await once(fake, 'listening')
  base = \`http://127.0.0.1:\${fake.address().port}\`
})
after(() => fake.close())

const context = (params) => ({
  params,
  auth: undefined,
  settings: {},
  logger: console,
  signal: AbortSignal.timeout(5_000),
})

test('declares the ${id} service', () => {
  assert.equal(service.id, '${id}')
  assert.deepEqual(service.actions.map((a) => a.id), ['new_item'])
  assert.deepEqual(service.reactions.map((r) => r.id), ['send'])
})

test('new_item turns each item into an event keyed by its id', async () => {
  const action = service.actions[0]
  const result = await action.polling.poll({
    ...context({ url: \`\${base}/items\` }),
    state: undefined,
    scheduledAt: new Date(),
    hookJobId: 'test',
  })
  assert.deepEqual(result.items, [
    { key: '1', event: { id: '1', title: 'first' } },
    { key: '2', event: { id: '2', title: '' } },
  ])
})

test('send posts the text with the idempotency key', async () => {
  const reaction = service.reactions[0]
  const output = await reaction.run({
    ...context({ url: \`\${base}/messages\`, text: 'hello' }),
    idempotencyKey: 'log-1:r-1',
    event: {},
  })
  assert.deepEqual(output, { status: 201 })
  assert.deepEqual(received, [{ key: 'log-1:r-1', body: { text: 'hello' } }])
})

test('an answer of 404 is an error that names the call', async () => {
  const reaction = service.reactions[0]
  await assert.rejects(
    reaction.run({ ...context({ url: \`\${base}/nowhere\`, text: 'x' }), idempotencyKey: 'k', event: {} }),
    /POST .*nowhere answered 404/,
  )
})
`

const readme = (id: string, title: string) => `# ${title}: an area service plugin

A service for area, written with the SDK the built-in services use
(\`area/sdk\`). It declares:

- the action \`${id}.new_item\` (polling): fires once for each new item of a JSON array at a URL;
- the reaction \`${id}.send\`: posts a text as JSON to a URL.

## Use it

Name this folder (or the package, once published) in \`AREA_PLUGINS\`, for the server and for the
CLI's offline commands alike:

\`\`\`sh
export AREA_PLUGINS=./${id}          # paths are relative to the working directory
area services describe ${id}
area validate -f areas/
area serve
\`\`\`

\`\`\`yaml
apiVersion: area/v1
kind: Area
metadata: { name: ${id.replaceAll('_', '-')}-to-chat }
spec:
  action: { service: ${id}, id: new_item, params: { url: https://api.example.com/items } }
  reactions:
    - { service: ${id}, id: send, params: { url: https://chat.example.com/hook, text: "New: {{ trigger.title }}" } }
\`\`\`

## Develop it

- \`index.js\` is the service; \`// @ts-check\` types it from \`area/sdk\` in editors.
- \`npm test\` runs \`index.test.js\` (node --test): each handler against a fake API on 127.0.0.1.
  It needs \`area\` installed beside it (\`npm install\`, the devDependency) for \`area/sdk\`; a
  server loading the plugin gives it its own SDK instead.
- Keep the ids stable: AREA files name them. Every param needs a description and examples (the
  server refuses the plugin otherwise, naming the field).
`
