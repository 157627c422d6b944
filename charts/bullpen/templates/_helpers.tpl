{{/* Names ---------------------------------------------------------------------------------- */}}

{{- define "bullpen.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release name, plus the chart name unless it is already in it ("bullpen" -> "bullpen"). */}}
{{- define "bullpen.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 30 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 30 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 30 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "bullpen.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "bullpen.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Labels: call with (dict "ctx" $ "component" "api"). Selector labels never change after install. */}}
{{- define "bullpen.selectorLabels" -}}
app.kubernetes.io/name: {{ include "bullpen.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "bullpen.labels" -}}
{{ include "bullpen.selectorLabels" . }}
app.kubernetes.io/part-of: bullpen
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .ctx.Chart.Name .ctx.Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Images -------------------------------------------------------------------------------- */}}

{{/*
An image reference. Bullpen's images: <registry>/<repository>:<tag>, the tag image.tag or else the
chart's appVersion, so a chart version always runs the images built for it. With a digest
("sha256:..."), <registry>/<repository>@<digest>: the digest alone says what runs, the tag is left
out. Call with (dict "ctx" $ "role" "api"|"worker").
*/}}
{{- define "bullpen.image" -}}
{{- $img := index .ctx.Values.image .role -}}
{{- $repo := $img.repository -}}
{{- with .ctx.Values.image.registry }}{{ $repo = printf "%s/%s" (trimSuffix "/" .) $repo }}{{ end -}}
{{- include "bullpen.imageRef" (dict "repository" $repo "tag" (default .ctx.Chart.AppVersion .ctx.Values.image.tag) "digest" $img.digest) -}}
{{- end -}}

{{/* repository:tag, or repository@digest when a digest is given. */}}
{{- define "bullpen.imageRef" -}}
{{- if .digest -}}
{{- printf "%s@%s" .repository .digest -}}
{{- else -}}
{{- printf "%s:%s" .repository (required "an image tag is empty" .tag) -}}
{{- end -}}
{{- end -}}

{{/* Secrets ------------------------------------------------------------------------------- */}}

{{/*
The Secret holding the API's tokens and the bare client token KEDA and `helm test` use: the one
holding the tokens file, else api.auth.existingSecret, else the generated one.
*/}}
{{- define "bullpen.apiSecretName" -}}
{{- $auth := .Values.api.auth -}}
{{- $auth.tokensFile.existingSecret | default $auth.existingSecret | default (printf "%s-api" (include "bullpen.fullname" .)) -}}
{{- end -}}

{{- define "bullpen.checkApiAuth" -}}
{{- if and .Values.api.auth.existingSecret .Values.api.auth.tokensFile.existingSecret -}}
{{- fail "api.auth: set existingSecret (API_TOKENS) or tokensFile.existingSecret (API_TOKENS_FILE), not both: the API refuses both at once" -}}
{{- end -}}
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

{{/* Environment ---------------------------------------------------------------------------- */}}

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

{{/* The CA of the bundled Redis's TLS certificate, for the app pods (NODE_EXTRA_CA_CERTS). */}}
{{- define "bullpen.redisCaVolume" -}}
{{- if and .Values.redis.enabled .Values.redis.tls.enabled }}
- name: redis-tls
  secret:
    secretName: {{ .Values.redis.tls.existingSecret }}
    items:
      - { key: ca.crt, path: ca.crt }
{{- end }}
{{- end -}}

{{- define "bullpen.redisCaMount" -}}
{{- if and .Values.redis.enabled .Values.redis.tls.enabled }}
- { name: redis-tls, mountPath: /etc/bullpen/redis-tls, readOnly: true }
{{- end }}
{{- end -}}

{{/* The bundled Redis's ACL user the apps connect as. */}}
{{- define "bullpen.redisUser" -}}bullpen{{- end -}}

{{/*
redis-server arguments that define its ACL users (arguments, not redis.conf, because the
passwords come from the Secret through $(REDIS_PASSWORD); a user may be defined only once):
- default: off with no password, so no connection can be it: a connection without a user name
  can do nothing. It keeps every permission because Redis replays the AOF at start as the
  default user: without them the replay is refused and a restart loses every job;
- bullpen (the apps): every command except @dangerous (FLUSHALL, FLUSHDB, CONFIG, DEBUG, KEYS,
  SHUTDOWN, MONITOR, MODULE, REPLICAOF, MIGRATE, SORT, SWAPDB, ...), ACL, FUNCTION, pub/sub and
  SCRIPT FLUSH/KILL; then INFO back (ioredis's ready check, BullMQ's version check, Bullpen's
  readiness and policy checks) and CLIENT LIST (the dashboard's list of workers); keys only under
  the BullMQ prefix, no pub/sub channels;
- probe (the readiness probe): PING only.
test/redis-acl.test.ts runs BullMQ and Bullpen against exactly these arguments.
*/}}
{{- define "bullpen.redisAclArgs" -}}
- --user
- default
- "off"
- resetpass
- "~*"
- "&*"
- +@all
- --user
- {{ include "bullpen.redisUser" . }}
- "on"
- ">$(REDIS_PASSWORD)"
- {{ printf "~%s:*" .Values.config.prefix | quote }}
- resetchannels
- +@all
- -@dangerous
- -@pubsub
- -acl
- -function
- -script|flush
- -script|kill
- +info
- +client|list
- --user
- probe
- "on"
- ">$(REDIS_PASSWORD)"
- -@all
- +ping
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

{{/* Pods ---------------------------------------------------------------------------------- */}}

{{/* Pod Security "restricted": non-root, no privilege escalation, no capabilities, seccomp. */}}
{{- define "bullpen.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "bullpen.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: [ALL]
{{- end -}}

{{/*
Changing the shared ConfigMap changes this, which rolls the pods. The generated Secrets need no
checksum: they never change once created; after rotating a Secret of your own, run
`kubectl rollout restart deployment -l app.kubernetes.io/instance=<release>`.
*/}}
{{- define "bullpen.checksums" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
{{- end -}}

{{/*
nodeSelector, tolerations, affinity and topologySpreadConstraints of a pod. A spread constraint
without a labelSelector gets one matching the workload's own pods (`selector`, YAML of labels), so
the values need not repeat the release's labels. Call with (dict "values" map "selector" yamlString).
*/}}
{{- define "bullpen.podScheduling" -}}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.topologySpreadConstraints }}
{{- $constraints := list }}
{{- range . }}
{{- $c := deepCopy . }}
{{- if not (hasKey $c "labelSelector") }}
{{- $_ := set $c "labelSelector" (dict "matchLabels" ($.selector | fromYaml)) }}
{{- end }}
{{- $constraints = append $constraints $c }}
{{- end }}
topologySpreadConstraints:
  {{- toYaml $constraints | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Worker groups -------------------------------------------------------------------------- */}}

{{/*
Deep merge that lets an override set false, 0 or "" (sprig's mergeOverwrite skips such values,
so a group could not turn off an autoscaler the defaults turn on). Returns YAML.
Call with (dict "base" map "over" map).
*/}}
{{- define "bullpen.deepMerge" -}}
{{- $out := deepCopy .base -}}
{{- range $k, $v := .over -}}
{{- $b := get $out $k -}}
{{- if and (kindIs "map" $v) (kindIs "map" $b) -}}
{{- $_ := set $out $k (include "bullpen.deepMerge" (dict "base" $b "over" $v) | fromYaml) -}}
{{- else -}}
{{- $_ := set $out $k $v -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/* Every group with the defaults merged in, checked; returns YAML {groups: [...]}. */}}
{{- define "bullpen.workerGroups" -}}
{{- $groups := list -}}
{{- $seen := dict -}}
{{- $consumed := dict -}}
{{- range .Values.workers.groups -}}
{{- $g := include "bullpen.deepMerge" (dict "base" $.Values.workers.defaults "over" .) | fromYaml -}}
{{- /* A group's queueWeights replaces the defaults' whole: merged, a group of fewer queues would inherit weights of queues it does not consume. */ -}}
{{- if hasKey . "queueWeights" -}}{{- $_ := set $g "queueWeights" .queueWeights -}}{{- end -}}
{{- if hasKey $seen $g.name -}}
{{- fail (printf "workers.groups: the name %q is used twice" $g.name) -}}
{{- end -}}
{{- $_ := set $seen $g.name true -}}
{{- range $g.queues -}}{{- $_ := set $consumed . true -}}{{- end -}}
{{- if le (int $g.terminationGracePeriodSeconds) (int $g.shutdownTimeoutSeconds) -}}
{{- fail (printf "workers group %q: terminationGracePeriodSeconds (%d) must be greater than shutdownTimeoutSeconds (%d), or the kubelet kills pods that are still draining" $g.name (int $g.terminationGracePeriodSeconds) (int $g.shutdownTimeoutSeconds)) -}}
{{- end -}}
{{- if and $g.hpa.enabled $g.keda.enabled -}}
{{- fail (printf "workers group %q: hpa and keda are both enabled; choose one (KEDA creates its own HPA)" $g.name) -}}
{{- end -}}
{{- if and $g.hpa.enabled (gt (int $g.hpa.minReplicas) (int $g.hpa.maxReplicas)) -}}
{{- fail (printf "workers group %q: hpa.minReplicas is greater than hpa.maxReplicas" $g.name) -}}
{{- end -}}
{{- if and $g.keda.enabled (gt (int $g.keda.minReplicaCount) (int $g.keda.maxReplicaCount)) -}}
{{- fail (printf "workers group %q: keda.minReplicaCount is greater than keda.maxReplicaCount" $g.name) -}}
{{- end -}}
{{- include "bullpen.checkWorkerSlots" $g -}}
{{- $groups = append $groups $g -}}
{{- end -}}
{{- range list "critical" "default" "low" -}}
{{- if not (hasKey $consumed .) -}}
{{- fail (printf "workers.groups: no group consumes the %q queue, so its jobs would never run" .) -}}
{{- end -}}
{{- end -}}
{{- toYaml (dict "groups" $groups) -}}
{{- end -}}

{{/*
Checks of a merged group's job slots, as the worker checks its env at start (a bad value there
would crash-loop the pods instead of failing the install): reservedCritical below concurrency and
0 without critical; queueWeights naming exactly the group's queues; jobMemoryMB below the memory
limit. Call with the merged group.
*/}}
{{- define "bullpen.checkWorkerSlots" -}}
{{- $g := . -}}
{{- $queues := join ", " $g.queues -}}
{{- if not (kindIs "invalid" $g.reservedCritical) -}}
{{- if and (gt (int $g.reservedCritical) 0) (not (has "critical" $g.queues)) -}}
{{- fail (printf "workers group %q: reservedCritical (%d) keeps slots for critical, but the group consumes only %s; set reservedCritical: 0 (or null) for it" $g.name (int $g.reservedCritical) $queues) -}}
{{- end -}}
{{- if ge (int $g.reservedCritical) (int $g.concurrency) -}}
{{- fail (printf "workers group %q: reservedCritical (%d) must be below concurrency (%d)" $g.name (int $g.reservedCritical) (int $g.concurrency)) -}}
{{- end -}}
{{- end -}}
{{- with $g.queueWeights -}}
{{- range $queue, $_ := . -}}
{{- if not (has $queue $g.queues) -}}
{{- fail (printf "workers group %q: queueWeights names %q, which the group does not consume (queues: %s); give the group its own queueWeights, or null for strict order" $g.name $queue $queues) -}}
{{- end -}}
{{- end -}}
{{- range $g.queues -}}
{{- if not (hasKey $g.queueWeights .) -}}
{{- fail (printf "workers group %q: queueWeights gives no weight to %q; weigh every queue of the group (%s), or set queueWeights: null for strict order" $g.name . $queues) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- with dig "limits" "memory" "" ($g.resources | default dict) -}}
{{- $limitMiB := include "bullpen.memoryMiB" . | float64 -}}
{{- if ge (float64 $g.jobMemoryMB) $limitMiB -}}
{{- $shown := ternary (toString .) (printf "%.0f bytes" .) (kindIs "string" .) -}}
{{- fail (printf "workers group %q: jobMemoryMB (%d) must be below the memory limit (resources.limits.memory %s = %.0f MiB): an isolated job's process shares the pod's memory with the worker" $g.name (int $g.jobMemoryMB) $shown (floor $limitMiB)) -}}
{{- end -}}
{{- end -}}
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

{{/*
A Kubernetes memory quantity ("512Mi", "1Gi", "1G", a number of bytes) in MiB; fails with the
value on a form it cannot read (e.g. an exponent).
*/}}
{{- define "bullpen.memoryMiB" -}}
{{- $bytes := 0.0 -}}
{{- if kindIs "string" . -}}
{{- $num := regexFind "^[0-9]+(\\.[0-9]+)?" . -}}
{{- $suffix := trimPrefix $num . -}}
{{- $factors := dict "" 1.0 "k" 1000.0 "M" 1000000.0 "G" 1000000000.0 "T" 1000000000000.0 "Ki" 1024.0 "Mi" 1048576.0 "Gi" 1073741824.0 "Ti" 1099511627776.0 -}}
{{- if or (not $num) (not (hasKey $factors $suffix)) -}}
{{- fail (printf "cannot read the memory quantity %q (write it like 512Mi or 1Gi)" .) -}}
{{- end -}}
{{- $bytes = mulf (float64 $num) (get $factors $suffix) -}}
{{- else -}}
{{- $bytes = float64 . -}}
{{- end -}}
{{- divf $bytes 1048576.0 -}}
{{- end -}}

{{/*
spec.replicas of a worker group no autoscaler owns: `replicas` from the values, except on an
upgrade that leaves that number as it was (the Deployment's bullpen.dev/replicas-in-values
annotation records it); then the live count, so a `kubectl scale` or `bullpen scale` made since
survives the upgrade. Rendering the live count also keeps helm's server-side apply from
conflicting with the scale's field manager over .spec.replicas. `helm template` sees no cluster
and renders the values. Call with (dict "ctx" $ "name" deploymentName "replicas" int).
*/}}
{{- define "bullpen.workerReplicas" -}}
{{- $live := lookup "apps/v1" "Deployment" .ctx.Release.Namespace .name -}}
{{- $recorded := dig "metadata" "annotations" "bullpen.dev/replicas-in-values" "" ($live | default dict) -}}
{{- $liveReplicas := dig "spec" "replicas" nil ($live | default dict) -}}
{{- if and $live (eq $recorded (toString .replicas)) (not (kindIs "invalid" $liveReplicas)) -}}
{{- $liveReplicas | int -}}
{{- else -}}
{{- .replicas -}}
{{- end -}}
{{- end -}}

{{- define "bullpen.checkRedis" -}}
{{- $ext := .Values.externalRedis -}}
{{- if and (not .Values.redis.enabled) (not $ext.url) (not $ext.sentinels) (not $ext.clusterNodes) -}}
{{- fail "redis.enabled is false: set externalRedis.url, externalRedis.sentinels or externalRedis.clusterNodes (and externalRedis.existingSecret for a password)" -}}
{{- end -}}
{{- if and $ext.sentinels $ext.clusterNodes -}}
{{- fail "externalRedis: set sentinels or clusterNodes, not both" -}}
{{- end -}}
{{- end -}}

{{/*
"true" when a prometheus-operator object is to be rendered, else "". Its `enabled` is true, false
or "auto": render exactly when the cluster serves monitoring.coreos.com/v1 (`helm template` sees
only what --api-versions names). Call with the object's values (monitoring.serviceMonitor, ...)
as "flag" and the root as "ctx".
*/}}
{{- define "bullpen.monitoringEnabled" -}}
{{- $on := .flag.enabled -}}
{{- if eq (toString $on) "auto" -}}
{{- $on = .ctx.Capabilities.APIVersions.Has "monitoring.coreos.com/v1" -}}
{{- end -}}
{{- if eq (toString $on) "true" }}true{{ end -}}
{{- end -}}
