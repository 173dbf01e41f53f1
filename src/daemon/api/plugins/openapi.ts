/**
 * The OpenAPI document, generated from the route schemas (the same TypeBox schemas that validate
 * requests and serialize answers), served at `/openapi.json`.
 */
import swagger from '@fastify/swagger'
import type { FastifyInstance } from 'fastify'

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  // Registered before any route: it collects them as they are added.
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'area',
        version: '1.0.0',
        description:
          'The HTTP API of area, a self-hosted automation engine. Errors are application/problem+json (RFC 9457) with a stable `code`.',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description:
              'An API token (area_…) from signup, login or /v1/tokens; or, when the server has SUPABASE_URL and SUPABASE_ANON_KEY, a Supabase Auth access token of that project',
          },
        },
      },
      security: [{ bearer: [] }],
    },
  })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
}
