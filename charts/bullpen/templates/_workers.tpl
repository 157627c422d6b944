{{/* Worker groups: each group merged with the defaults, and its replica count. */}}

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

{{/* Every group with the defaults merged in and keda "auto" decided, checked (bullpen.checkWorkerGroups); returns YAML {groups: [...]}. */}}
{{- define "bullpen.workerGroups" -}}
{{- $groups := list -}}
{{- $kedaServed := .Capabilities.APIVersions.Has "keda.sh/v1alpha1" -}}
{{- range .Values.workers.groups -}}
{{- $g := include "bullpen.deepMerge" (dict "base" $.Values.workers.defaults "over" .) | fromYaml -}}
{{- /* keda.enabled "auto": KEDA where the cluster serves it, in place of the group's hpa; else off. */ -}}
{{- if eq (toString $g.keda.enabled) "auto" -}}
{{- $_ := set $g.keda "enabled" $kedaServed -}}
{{- if $kedaServed -}}{{- $_ := set $g.hpa "enabled" false -}}{{- end -}}
{{- end -}}
{{- /* A group's queueWeights replaces the defaults' whole: merged, a group of fewer queues would inherit weights of queues it does not consume. */ -}}
{{- if hasKey . "queueWeights" -}}{{- $_ := set $g "queueWeights" .queueWeights -}}{{- end -}}
{{- $groups = append $groups $g -}}
{{- end -}}
{{- include "bullpen.checkWorkerGroups" $groups -}}
{{- toYaml (dict "groups" $groups) -}}
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
