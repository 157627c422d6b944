{{/* Every check of the values that fails the render, each included where its values are used. */}}

{{/* The Redis to connect to; included, as bullpen.checkApiAuth is, at the top of api-deployment.yaml, which always renders. */}}
{{- define "bullpen.checkRedis" -}}
{{- $ext := .Values.externalRedis -}}
{{- if and (not .Values.redis.enabled) (not $ext.url) (not $ext.sentinels) (not $ext.clusterNodes) -}}
{{- fail "redis.enabled is false: set externalRedis.url, externalRedis.sentinels or externalRedis.clusterNodes (and externalRedis.existingSecret for a password)" -}}
{{- end -}}
{{- if and $ext.sentinels $ext.clusterNodes -}}
{{- fail "externalRedis: set sentinels or clusterNodes, not both" -}}
{{- end -}}
{{- end -}}

{{/* The API takes its tokens from one Secret or from a tokens file, never both. */}}
{{- define "bullpen.checkApiAuth" -}}
{{- if and .Values.api.auth.existingSecret .Values.api.auth.tokensFile.existingSecret -}}
{{- fail "api.auth: set existingSecret (API_TOKENS) or tokensFile.existingSecret (API_TOKENS_FILE), not both: the API refuses both at once" -}}
{{- end -}}
{{- end -}}

{{/*
Checks of the merged worker groups, in the order they are listed: a name used once, a grace period
above the drain budget, one autoscaler with min <= max, the job slots; then every queue consumed.
bullpen.workerGroups runs them, so every template that lists the groups fails the same way.
Call with the list of merged groups.
*/}}
{{- define "bullpen.checkWorkerGroups" -}}
{{- $seen := dict -}}
{{- $consumed := dict -}}
{{- range $g := . -}}
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
{{- end -}}
{{- range list "critical" "default" "low" -}}
{{- if not (hasKey $consumed .) -}}
{{- fail (printf "workers.groups: no group consumes the %q queue, so its jobs would never run" .) -}}
{{- end -}}
{{- end -}}
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

{{/*
Fails on a memory quantity bullpen.memoryMiB cannot read: a number with one of its factors'
suffixes, or a number of bytes. Included by bullpen.memoryMiB, so every reader of a limit checks it.
*/}}
{{- define "bullpen.checkMemoryQuantity" -}}
{{- if and (kindIs "string" .) (not (regexMatch "^[0-9]+(\\.[0-9]+)?(k|M|G|T|Ki|Mi|Gi|Ti)?$" .)) -}}
{{- fail (printf "cannot read the memory quantity %q (write it like 512Mi or 1Gi)" .) -}}
{{- end -}}
{{- end -}}
