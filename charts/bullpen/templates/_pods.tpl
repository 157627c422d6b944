{{/* Pod-level settings shared by every workload: security contexts, checksums, scheduling. */}}

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
