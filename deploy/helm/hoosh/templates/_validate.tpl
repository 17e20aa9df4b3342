{{/* Value combinations the schema cannot express; each fails `helm template`/`install` with why. */}}
{{- define "hoosh.validate" -}}
{{- $replicated := or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1) }}
{{- if and $replicated (not (include "hoosh.redisUrl" .)) }}
{{- fail "redis.url or redis.host is required when replicaCount > 1 or autoscaling.enabled: replicas share budgets, usage, rate windows and the cache through Redis" }}
{{- end }}
{{- $config := include "hoosh.config" . }}
{{- if and $replicated (not (regexMatch "(?m)^\\s*kind\\s*=\\s*\"redis\"" $config)) }}
{{- fail "config must set [store] kind = \"redis\" when replicaCount > 1 or autoscaling.enabled: a memory or sqlite store is per pod, so each replica would keep its own budgets" }}
{{- end }}
{{- $graceMs := 10000 }}
{{- with regexFind "(?m)^\\s*shutdown_grace_ms\\s*=\\s*[0-9_]+" $config }}
{{- $graceMs = regexFind "[0-9_]+$" . | replace "_" "" | int }}
{{- end }}
{{- $needMs := add $graceMs (mul (int .Values.preStop.sleepSeconds) 1000) }}
{{- if le (mul (int .Values.terminationGracePeriodSeconds) 1000) $needMs }}
{{- fail (printf "terminationGracePeriodSeconds (%v s) must exceed preStop.sleepSeconds + [server] shutdown_grace_ms (%v ms), or the kubelet kills requests still draining" .Values.terminationGracePeriodSeconds $needMs) }}
{{- end }}
{{- $pdb := .Values.podDisruptionBudget }}
{{- if and $pdb.enabled (eq (include "hoosh.isSet" $pdb.minAvailable) (include "hoosh.isSet" $pdb.maxUnavailable)) }}
{{- fail "podDisruptionBudget: set exactly one of minAvailable and maxUnavailable (the other \"\")" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- fail "autoscaling.minReplicas must not exceed autoscaling.maxReplicas" }}
{{- end }}
{{- end }}

{{/* "true" when a value is given: not null and not "" (Helm's value merging drops user nulls, so "" is the unset marker). */}}
{{- define "hoosh.isSet" -}}
{{- not (or (kindIs "invalid" .) (and (kindIs "string" .) (eq . ""))) }}
{{- end }}
