{{/* Whether a prometheus-operator object renders: on, off, or when the cluster serves its API. */}}

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
