{{/* The env blocks of Bullpen's containers: Redis, the V8 heap limit, extra variables, queue weights. */}}

{{/*
REDIS_URL for every Bullpen container. The password is never in a ConfigMap: REDIS_PASSWORD comes
from the Secret and Kubernetes expands $(REDIS_PASSWORD) inside REDIS_URL (dependent variables).
The bundled Redis is reached as its ACL user (bullpen.redisAclArgs), over TLS when redis.tls is on:
rediss://, and NODE_EXTRA_CA_CERTS makes Node trust the mounted CA (bullpen.redisCaVolume).
*/}}
{{- define "bullpen.redisEnv" -}}
{{- $secret := include "bullpen.redisSecretName" . -}}
{{- if $secret }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ include "bullpen.redisSecretKey" . }}
{{- end }}
- name: REDIS_URL
{{- if .Values.redis.enabled }}
  value: {{ printf "%s://%s:$(REDIS_PASSWORD)@%s-redis:%d" (ternary "rediss" "redis" .Values.redis.tls.enabled) (include "bullpen.redisUser" .) (include "bullpen.fullname" .) (int .Values.redis.port) | quote }}
{{- if .Values.redis.tls.enabled }}
- name: NODE_EXTRA_CA_CERTS
  value: /etc/bullpen/redis-tls/ca.crt
{{- end }}
{{- else }}
{{- /* With Sentinels or a Cluster the URL's host is not used: only its scheme, password and db. */}}
{{- $url := .Values.externalRedis.url | default "redis://redis" }}
{{- if $secret }}
{{- $parts := splitn "://" 2 $url }}
  value: {{ printf "%s://:$(REDIS_PASSWORD)@%s" $parts._0 $parts._1 | quote }}
{{- else }}
  value: {{ $url | quote }}
{{- end }}
{{- end }}
{{- if not .Values.redis.enabled }}
{{- with .Values.externalRedis.sentinels }}
- name: REDIS_SENTINELS
  value: {{ join "," . | quote }}
- name: REDIS_SENTINEL_MASTER
  value: {{ $.Values.externalRedis.sentinelMaster | quote }}
{{- end }}
{{- with .Values.externalRedis.clusterNodes }}
- name: REDIS_CLUSTER_NODES
  value: {{ join "," . | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
NODE_OPTIONS with a V8 heap limit of 75 % of the container's memory limit, so a process that keeps
allocating fails with a heap error the service reports instead of being OOM-killed from outside.
Nothing without a memory limit, or when the user sets NODE_OPTIONS in config.extraEnv or the
workload's extraEnv. Call with (dict "ctx" $ "resources" map "extraEnv" map).
*/}}
{{- define "bullpen.nodeOptionsEnv" -}}
{{- $limit := dig "limits" "memory" "" (.resources | default dict) -}}
{{- if and $limit (not (hasKey .ctx.Values.config.extraEnv "NODE_OPTIONS")) (not (hasKey (.extraEnv | default dict) "NODE_OPTIONS")) }}
- name: NODE_OPTIONS
  value: {{ printf "--max-old-space-size=%d" (mulf (include "bullpen.memoryMiB" $limit | float64) 0.75 | floor | int) | quote }}
{{- end }}
{{- end -}}

{{- define "bullpen.extraEnv" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}

{{/* WORKER_QUEUE_WEIGHTS of a merged group, "critical:6,default:3,low:1" in priority order; empty for strict order. */}}
{{- define "bullpen.queueWeightsEnv" -}}
{{- $g := . -}}
{{- $pairs := list -}}
{{- with $g.queueWeights -}}
{{- range list "critical" "default" "low" -}}
{{- if hasKey $g.queueWeights . -}}{{- $pairs = append $pairs (printf "%s:%d" . (int (index $g.queueWeights .))) -}}{{- end -}}
{{- end -}}
{{- end -}}
{{- join "," $pairs -}}
{{- end -}}
