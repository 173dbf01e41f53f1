/** Helpers shared by the API tests: a user with a token, calls with that token, documents. */
import type { LightMyRequestResponse } from 'fastify'
import { expect } from 'vitest'
import type { AreaApp } from '../../../src/daemon/api/app.js'

export interface Caller {
  token: string
  userId: string
  email: string
  call(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
  ): Promise<LightMyRequestResponse>
}

export function callerFor(app: AreaApp, token: string, user: { id: string; email: string }): Caller {
  return {
    token,
    userId: user.id,
    email: user.email,
    call: (method, url, payload) =>
      app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload === undefined ? {} : { payload: payload as object }),
      }),
  }
}

let counter = 0

/** Signs a new user up (unique e-mail unless given) and returns a caller with its token. */
export async function signUp(
  app: AreaApp,
  email?: string,
  password = 'correct horse battery',
): Promise<Caller> {
  counter += 1
  const address = email ?? `user${counter}-${process.pid}@example.test`
  const response = await app.inject({
    method: 'POST',
    url: '/v1/auth/signup',
    payload: { email: address, password },
  })
  expect(response.statusCode, response.body).toBe(201)
  const body = response.json() as { token: string; user: { id: string; email: string } }
  return callerFor(app, body.token, body.user)
}

/** A document for the `test` service: webhook action `hook`, reaction `note`. */
export function hookArea(
  name: string,
  text = 'got {{ trigger.value }}',
  extra: Record<string, unknown> = {},
) {
  return {
    apiVersion: 'area/v1',
    kind: 'Area',
    metadata: { name, ...extra },
    spec: {
      action: { service: 'test', action: 'hook' },
      reactions: [{ id: 'note', service: 'test', reaction: 'note', params: { text } }],
    },
  }
}

/** A polling document: the built-in timer, every `interval`. */
export function timerArea(name: string, interval = '1h') {
  return {
    apiVersion: 'area/v1',
    kind: 'Area',
    metadata: { name },
    spec: {
      action: { service: 'timer', action: 'every', params: { interval } },
      reactions: [
        {
          id: 'note',
          service: 'test',
          reaction: 'note',
          params: { text: 'tick {{ trigger.scheduled_at }}' },
        },
      ],
    },
  }
}

export function expectProblem(response: LightMyRequestResponse, status: number, code: string) {
  expect(response.statusCode, response.body).toBe(status)
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
  const body = response.json() as {
    type: string
    title: string
    status: number
    detail: string
    code: string
  }
  expect(body).toMatchObject({ type: `urn:area:problem:${code}`, status, code })
  expect(typeof body.title).toBe('string')
  expect(body.detail.length).toBeGreaterThan(0)
  return body as typeof body & { errors?: { path: string; message: string }[] }
}
