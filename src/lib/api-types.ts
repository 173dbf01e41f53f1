/**
 * The API's answers as the CLI reads them: the very TypeBox schemas the daemon validates its
 * responses with, imported for their types only (nothing of the daemon is loaded at run time).
 */
import type { Static } from '@sinclair/typebox'
import type { AreaDetailsSchema, AreaList, BatchAnswer, RunAnswer, StateAnswer } from '../contract/areas.js'
import type { CreatedTokenAnswer, MeAnswer, SessionAnswer, TokenInfoSchema } from '../contract/auth.js'
import type { EventLogSchema, LogsAnswer } from '../contract/logs.js'
import type { ServiceDetailsSchema, ServiceSummarySchema } from '../contract/services.js'
import type { StatusAnswer } from '../contract/status.js'

export type AreaDetails = Static<typeof AreaDetailsSchema>
export type AreaListPage = Static<typeof AreaList>
export type AreaListItem = AreaListPage['items'][number]
export type ApplyBatchAnswer = Static<typeof BatchAnswer>
export type ApplyBatchResult = ApplyBatchAnswer['results'][number]
export type RunResult = Static<typeof RunAnswer>
export type StateResult = Static<typeof StateAnswer>
export type Session = Static<typeof SessionAnswer>
export type Me = Static<typeof MeAnswer>
export type TokenInfo = Static<typeof TokenInfoSchema>
export type CreatedToken = Static<typeof CreatedTokenAnswer>
export type EventLog = Static<typeof EventLogSchema>
export type LogsPage = Static<typeof LogsAnswer>
export type ServiceSummary = Static<typeof ServiceSummarySchema>
export type ServiceDetails = Static<typeof ServiceDetailsSchema>
export type AccountStatus = Static<typeof StatusAnswer>
export interface Page<T> {
  items: T[]
  nextCursor: string | null
}
