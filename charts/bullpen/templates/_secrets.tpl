{{/* Which Secret holds each credential, and generated values that survive upgrades. */}}

{{/*
The Secret holding the API's tokens and the bare client token KEDA and `helm test` use: the one
holding the tokens file, else api.auth.existingSecret, else the generated one.
*/}}
{{- define "bullpen.apiSecretName" -}}
{{- $auth := .Values.api.auth -}}
{{- $auth.tokensFile.existingSecret | default $auth.existingSecret | default (printf "%s-api" (include "bullpen.fullname" .)) -}}
{{- end -}}

{{/* Where API_ID_SECRET lives: the user's Secret, else the generated one. */}}
{{- define "bullpen.idSecretName" -}}
{{- default (printf "%s-api-id" (include "bullpen.fullname" .)) .Values.api.idSecret.existingSecret -}}
{{- end -}}

{{/* Where the Redis password lives; empty when Redis needs none (external, no secret). */}}
{{- define "bullpen.redisSecretName" -}}
{{- if .Values.redis.enabled -}}
{{- default (printf "%s-redis" (include "bullpen.fullname" .)) .Values.redis.auth.existingSecret -}}
{{- else -}}
{{- .Values.externalRedis.existingSecret -}}
{{- end -}}
{{- end -}}

{{- define "bullpen.redisSecretKey" -}}
{{- if .Values.redis.enabled -}}
{{- .Values.redis.auth.existingSecretPasswordKey -}}
{{- else -}}
{{- .Values.externalRedis.existingSecretPasswordKey -}}
{{- end -}}
{{- end -}}

{{/*
A generated secret value that survives upgrades: reuse the live Secret's value when there is one
(lookup sees the cluster during install/upgrade; `helm template` sees nothing and generates).
Call with (dict "ctx" $ "name" secretName "key" dataKey).
*/}}
{{- define "bullpen.keptRandom" -}}
{{- $live := lookup "v1" "Secret" .ctx.Release.Namespace .name -}}
{{- if and $live (hasKey ($live.data | default dict) .key) -}}
{{- index $live.data .key | b64dec -}}
{{- else -}}
{{- randAlphaNum 32 -}}
{{- end -}}
{{- end -}}
