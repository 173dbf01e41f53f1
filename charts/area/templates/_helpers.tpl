{{/* Names */}}
{{- define "area.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "area.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "area.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "area.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "area.selectorLabels" -}}
app.kubernetes.io/name: {{ include "area.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "area.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "area.secretName" -}}
{{- .Values.secret.existingSecret | default (printf "%s-secrets" (include "area.fullname" .)) -}}
{{- end -}}

{{- define "area.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- .Values.serviceAccount.name | default (include "area.fullname" .) -}}
{{- else -}}
{{- .Values.serviceAccount.name | default "default" -}}
{{- end -}}
{{- end -}}

{{/*
Environment shared by every role. Secrets come from the Secret; the rest is plain config.
Every variable the daemon reads at start is set here (test/charts checks it).
*/}}
{{- define "area.env" -}}
- name: DATABASE_URL
  valueFrom: { secretKeyRef: { name: {{ include "area.secretName" . }}, key: DATABASE_URL } }
- name: REDIS_URL
  valueFrom: { secretKeyRef: { name: {{ include "area.secretName" . }}, key: REDIS_URL } }
- name: AREA_ENCRYPTION_KEY
  valueFrom: { secretKeyRef: { name: {{ include "area.secretName" . }}, key: AREA_ENCRYPTION_KEY } }
- name: SUPABASE_URL
  valueFrom: { secretKeyRef: { name: {{ include "area.secretName" . }}, key: SUPABASE_URL, optional: true } }
- name: SUPABASE_ANON_KEY
  valueFrom: { secretKeyRef: { name: {{ include "area.secretName" . }}, key: SUPABASE_ANON_KEY, optional: true } }
- name: AREA_GITHUB_CLIENT_SECRET
  valueFrom: { secretKeyRef: { name: {{ include "area.secretName" . }}, key: AREA_GITHUB_CLIENT_SECRET, optional: true } }
- name: DATABASE_DIRECT_URL
  valueFrom: { secretKeyRef: { name: {{ include "area.secretName" . }}, key: DATABASE_DIRECT_URL, optional: true } }
{{- with .Values.tracing.endpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
- name: OTEL_EXPORTER_OTLP_HEADERS
  valueFrom: { secretKeyRef: { name: {{ include "area.secretName" $ }}, key: OTEL_EXPORTER_OTLP_HEADERS, optional: true } }
{{- end }}
{{- with .Values.tracing.serviceName }}
- name: OTEL_SERVICE_NAME
  value: {{ . | quote }}
{{- end }}
- name: AREA_TRACE_WEBHOOK_PARENT
  value: {{ .Values.tracing.webhookParent | default "continue" | quote }}
{{- with .Values.database.poolMode }}
- name: AREA_DATABASE_POOL_MODE
  value: {{ . | quote }}
{{- end }}
{{- with .Values.database.preparedStatements }}
- name: AREA_PREPARED_STATEMENTS
  value: {{ . | quote }}
{{- end }}
- name: AREA_PUBLIC_URL
  value: {{ .Values.publicUrl | quote }}
- name: AREA_PLUGINS
  value: {{ join "," .Values.plugins.load | quote }}
- name: LOG_LEVEL
  value: {{ .Values.config.logLevel | quote }}
- name: AREA_SIGNUP
  value: {{ .Values.config.signup | quote }}
- name: AREA_TRUST_PROXY
  value: {{ .Values.config.trustProxy | quote }}
- name: AREA_LOGIN_ACCOUNT_LIMIT
  value: {{ .Values.config.signin.accountLimit | quote }}
- name: AREA_LOGIN_ADDRESS_LIMIT
  value: {{ .Values.config.signin.addressLimit | quote }}
- name: AREA_LOGIN_WINDOW_SECONDS
  value: {{ .Values.config.signin.windowSeconds | quote }}
- name: AREA_PASSWORD_HASH_CONCURRENCY
  value: {{ .Values.config.signin.hashConcurrency | quote }}
- name: AREA_PASSWORD_HASH_QUEUE
  value: {{ .Values.config.signin.hashQueue | quote }}
- name: AREA_LOG_RETENTION_DAYS
  value: {{ .Values.config.logRetentionDays | quote }}
- name: AREA_RETRY_ATTEMPTS
  value: {{ .Values.config.retry.attempts | quote }}
- name: AREA_RETRY_MAX_ATTEMPTS
  value: {{ .Values.config.retry.maxAttempts | quote }}
- name: AREA_RETRY_BACKOFF
  value: {{ .Values.config.retry.backoff | quote }}
- name: AREA_RETRY_DELAY
  value: {{ .Values.config.retry.delay | quote }}
- name: AREA_RETRY_MAX_DELAY
  value: {{ .Values.config.retry.maxDelay | quote }}
- name: AREA_MAX_AREAS_PER_USER
  value: {{ .Values.config.quotas.maxAreasPerUser | quote }}
- name: AREA_MIN_POLL_INTERVAL_SECONDS
  value: {{ .Values.config.quotas.minPollIntervalSeconds | quote }}
- name: AREA_MAX_LOG_STREAMS_PER_USER
  value: {{ .Values.config.quotas.maxLogStreamsPerUser | quote }}
- name: AREA_MAX_APPLY_DOCUMENTS
  value: {{ .Values.config.quotas.maxApplyDocuments | quote }}
- name: AREA_MAX_SECRETS_PER_USER
  value: {{ .Values.config.quotas.maxSecretsPerUser | quote }}
- name: AREA_MAX_REVISIONS_PER_AREA
  value: {{ .Values.config.quotas.maxRevisionsPerArea | quote }}
- name: AREA_MAX_REPLAY_EVENTS
  value: {{ .Values.config.quotas.maxReplayEvents | quote }}
- name: AREA_WORKER_CONCURRENCY
  value: {{ .Values.worker.concurrency | quote }}
- name: AREA_POLL_CONCURRENCY
  value: {{ .Values.worker.pollConcurrency | quote }}
- name: AREA_USER_CONCURRENCY
  value: {{ .Values.worker.userConcurrency | quote }}
- name: AREA_REACTION_TIMEOUT_SECONDS
  value: {{ .Values.worker.reactionTimeoutSeconds | quote }}
- name: AREA_DRAIN_TIMEOUT_MS
  value: {{ mul .Values.worker.drainTimeoutSeconds 1000 | quote }}
- name: PORT
  value: {{ .Values.api.port | quote }}
{{- range $name, $value := .Values.serviceSettings }}
{{- if $value }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}
{{- range $name, $value := .Values.config.extraEnv }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}

{{- define "area.podSpecCommon" -}}
serviceAccountName: {{ include "area.serviceAccountName" . }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* A writable /tmp: the root filesystem is read-only. */}}
{{- define "area.tmpVolume" -}}
- name: tmp
  emptyDir: {}
{{- end -}}

{{/*
Postgres connections the release may hold at once: each role's pool times its replicas (workers
at their autoscaling maximum), plus one for the migration Job. Refuses to render above
database.maxConnections when that is set.
*/}}
{{- define "area.connectionTotal" -}}
{{- $workers := ternary .Values.worker.autoscaling.maxReplicas .Values.worker.replicas .Values.worker.autoscaling.enabled -}}
{{- $total := add (mul .Values.api.replicas .Values.api.databasePoolSize) (mul $workers .Values.worker.databasePoolSize) (mul .Values.scheduler.replicas .Values.scheduler.databasePoolSize) (ternary 1 0 .Values.migrations.enabled) -}}
{{- if and (gt (int .Values.database.maxConnections) 0) (gt (int $total) (int .Values.database.maxConnections)) -}}
{{- fail (printf "the pods' database pools add up to %d connections, over database.maxConnections (%d): lower api/worker/scheduler databasePoolSize or replicas, or use a transaction-mode pooler with a larger limit" (int $total) (int .Values.database.maxConnections)) -}}
{{- end -}}
{{- $total -}}
{{- end -}}
