{{/* The bundled Redis: its ACL users, and the CA the app pods mount to trust its TLS. */}}

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
