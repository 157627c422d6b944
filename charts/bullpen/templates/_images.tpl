{{/* Image references of Bullpen's containers. */}}

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
