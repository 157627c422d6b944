{{/* Kubernetes quantities read as numbers. */}}

{{/*
A Kubernetes memory quantity ("512Mi", "1Gi", "1G", a number of bytes) in MiB; fails with the
value on a form it cannot read (e.g. an exponent: bullpen.checkMemoryQuantity).
*/}}
{{- define "bullpen.memoryMiB" -}}
{{- include "bullpen.checkMemoryQuantity" . -}}
{{- $bytes := 0.0 -}}
{{- if kindIs "string" . -}}
{{- $num := regexFind "^[0-9]+(\\.[0-9]+)?" . -}}
{{- $factors := dict "" 1.0 "k" 1000.0 "M" 1000000.0 "G" 1000000000.0 "T" 1000000000000.0 "Ki" 1024.0 "Mi" 1048576.0 "Gi" 1073741824.0 "Ti" 1099511627776.0 -}}
{{- $bytes = mulf (float64 $num) (get $factors (trimPrefix $num .)) -}}
{{- else -}}
{{- $bytes = float64 . -}}
{{- end -}}
{{- divf $bytes 1048576.0 -}}
{{- end -}}
