{{/* Names and labels shared by every object of the chart. */}}
{{- define "hoosh.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "hoosh.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "hoosh.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "hoosh.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "hoosh.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hoosh.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "hoosh.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "hoosh.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The Secret the container's envFrom reads: the user's, or the chart's own. */}}
{{- define "hoosh.secretName" -}}
{{- default (include "hoosh.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{/* hoosh.toml as mounted: values.config rendered with tpl. */}}
{{- define "hoosh.config" -}}
{{- tpl .Values.config . }}
{{- end }}

{{/* HOOSH_REDIS_URL: redis.url, or built from host/port/db with the password as $(HOOSH_REDIS_PASSWORD)
     (Kubernetes expands it from the env var defined just before). "" when no Redis is set. */}}
{{- define "hoosh.redisUrl" -}}
{{- $r := .Values.redis }}
{{- if $r.url }}
{{- $r.url }}
{{- else if $r.host }}
{{- $auth := ternary ":$(HOOSH_REDIS_PASSWORD)@" "" (not (empty $r.existingSecret)) }}
{{- printf "%s://%s%s:%v/%v" (ternary "rediss" "redis" $r.tls) $auth $r.host $r.port $r.db }}
{{- end }}
{{- end }}
