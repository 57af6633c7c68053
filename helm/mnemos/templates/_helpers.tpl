{{- define "mnemos.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "mnemos.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "mnemos.labels" -}}
app.kubernetes.io/name: {{ include "mnemos.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "mnemos.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mnemos.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "mnemos.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{- define "mnemos.dbSecretName" -}}
{{- .Values.database.existingSecret | default (printf "%s-db" (include "mnemos.fullname" .)) -}}
{{- end -}}

{{- define "mnemos.apiKeySecretName" -}}
{{- .Values.apiKeys.existingSecret | default (printf "%s-api-keys" (include "mnemos.fullname" .)) -}}
{{- end -}}

{{- define "mnemos.artifactsClaim" -}}
{{- .Values.artifacts.existingClaim | default (printf "%s-artifacts" (include "mnemos.fullname" .)) -}}
{{- end -}}

{{/* Environment shared by api and worker; the caller adds MNEMOS_WORKER_ENABLED. */}}
{{- define "mnemos.env" -}}
- name: SPRING_PROFILES_ACTIVE
  value: container
- name: SPRING_CONFIG_ADDITIONAL_LOCATION
  value: optional:file:/config/
- name: SPRING_DATASOURCE_URL
  value: {{ .Values.database.url | quote }}
- name: SPRING_DATASOURCE_USERNAME
  value: {{ .Values.database.username | quote }}
{{- if or .Values.database.existingSecret .Values.database.password }}
- name: SPRING_DATASOURCE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "mnemos.dbSecretName" . }}
      key: {{ .Values.database.existingSecretPasswordKey }}
{{- end }}
- name: MNEMOS_SECURITY_APIKEYS_0_ID
  value: {{ .Values.apiKeys.id | quote }}
- name: MNEMOS_SECURITY_APIKEYS_0_SCOPES
  value: {{ .Values.apiKeys.scopes | quote }}
- name: MNEMOS_SECURITY_APIKEYS_0_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "mnemos.apiKeySecretName" . }}
      key: {{ .Values.apiKeys.existingSecretKey }}
- name: MNEMOS_DATA_ROOTS
  value: {{ .Values.dataRoots.mountPath | quote }}
- name: MNEMOS_ARTIFACTS_DIR
  value: {{ .Values.artifacts.mountPath | quote }}
{{- with .Values.artifacts.s3 }}
{{- if .enabled }}
- name: MNEMOS_ARTIFACTS_STORE
  value: s3
- name: MNEMOS_ARTIFACTS_S3_BUCKET
  value: {{ required "artifacts.s3.bucket is required with artifacts.s3.enabled" .bucket | quote }}
- name: MNEMOS_ARTIFACTS_S3_ENDPOINT
  value: {{ .endpoint | quote }}
- name: MNEMOS_ARTIFACTS_S3_REGION
  value: {{ .region | quote }}
- name: MNEMOS_ARTIFACTS_S3_PREFIX
  value: {{ .prefix | quote }}
- name: MNEMOS_ARTIFACTS_S3_PATHSTYLE
  value: {{ .pathStyle | quote }}
{{- if .credentialsSecret }}
- name: AWS_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ .credentialsSecret }}
      key: AWS_ACCESS_KEY_ID
- name: AWS_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .credentialsSecret }}
      key: AWS_SECRET_ACCESS_KEY
{{- end }}
{{- end }}
{{- end }}
# The root filesystem is read-only; DJL unpacks its native libraries here.
- name: DJL_CACHE_DIR
  value: /tmp/djl
{{- end -}}

{{- define "mnemos.probes" -}}
startupProbe:
  httpGet: {path: {{ .Values.probes.startup.path }}, port: http}
  periodSeconds: {{ .Values.probes.startup.periodSeconds }}
  failureThreshold: {{ .Values.probes.startup.failureThreshold }}
livenessProbe:
  httpGet: {path: {{ .Values.probes.liveness.path }}, port: http}
  initialDelaySeconds: {{ .Values.probes.liveness.initialDelaySeconds }}
  periodSeconds: {{ .Values.probes.liveness.periodSeconds }}
  failureThreshold: {{ .Values.probes.liveness.failureThreshold }}
readinessProbe:
  httpGet: {path: {{ .Values.probes.readiness.path }}, port: http}
  initialDelaySeconds: {{ .Values.probes.readiness.initialDelaySeconds }}
  periodSeconds: {{ .Values.probes.readiness.periodSeconds }}
  failureThreshold: {{ .Values.probes.readiness.failureThreshold }}
{{- end -}}

{{- define "mnemos.volumes" -}}
- name: config
  configMap:
    name: {{ include "mnemos.fullname" . }}
- name: artifacts
{{- if .Values.artifacts.s3.enabled }}
  emptyDir: {}
{{- else }}
  persistentVolumeClaim:
    claimName: {{ include "mnemos.artifactsClaim" . }}
{{- end }}
- name: data
{{- if .Values.dataRoots.existingClaim }}
  persistentVolumeClaim:
    claimName: {{ .Values.dataRoots.existingClaim }}
    readOnly: true
{{- else if .Values.dataRoots.hostPath }}
  hostPath:
    path: {{ .Values.dataRoots.hostPath }}
    type: Directory
{{- else }}
  emptyDir: {}
{{- end }}
- name: tmp
  emptyDir: {}
{{- end -}}

{{- define "mnemos.volumeMounts" -}}
- name: config
  mountPath: /config
  readOnly: true
- name: artifacts
  mountPath: {{ .Values.artifacts.mountPath }}
- name: data
  mountPath: {{ .Values.dataRoots.mountPath }}
  readOnly: true
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/*
The worker pools as a YAML list: the main pool (.Values.worker, Deployment <fullname>-worker) and
each entry of .Values.workerPools merged over it (Deployment <fullname>-worker-<name>). Each has
"deployment", its KEDA settings merged over .Values.autoscaling.keda, and "maxReplicas": what the
connection budget counts (KEDA's maxReplicaCount when it scales the pool, else replicas).
*/}}
{{- define "mnemos.workerPools" -}}
{{- $fullname := include "mnemos.fullname" . -}}
{{- $pools := list -}}
{{- $main := deepCopy .Values.worker -}}
{{- $_ := set $main "deployment" (printf "%s-worker" $fullname) -}}
{{- $pools = append $pools $main -}}
{{- range .Values.workerPools -}}
{{- if not .name -}}{{- fail "every entry of workerPools needs a name (its mnemos.worker.pool)" -}}{{- end -}}
{{- $pool := mergeOverwrite (deepCopy $.Values.worker) (deepCopy .) -}}
{{- $_ := set $pool "pool" .name -}}
{{- $_ := set $pool "deployment" (printf "%s-worker-%s" $fullname .name) -}}
{{- $pools = append $pools $pool -}}
{{- end -}}
{{- $result := list -}}
{{- $seen := dict -}}
{{- range $pools -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$" (toString .pool)) -}}
{{- fail (printf "worker pool %q: a pool name is 1 to 40 lower-case letters, digits and inner '-'" (toString .pool)) -}}
{{- end -}}
{{- if or (eq .pool "any") (hasKey $seen .pool) -}}
{{- fail (printf "worker pool %q is named twice or is the reserved name 'any'" .pool) -}}
{{- end -}}
{{- $_ := set $seen .pool true -}}
{{- $keda := mergeOverwrite (deepCopy $.Values.autoscaling.keda) (deepCopy (.autoscaling | default dict)) -}}
{{- $_ := set . "keda" $keda -}}
{{- $_ := set . "maxReplicas" (ternary $keda.maxReplicaCount .replicas $keda.enabled) -}}
{{- if and $keda.enabled (not .memoryBudget) -}}
{{- fail (printf "worker pool %q is autoscaled: set its memoryBudget, so that the API admits runs to it while it has no worker" .pool) -}}
{{- end -}}
{{- $result = append $result . -}}
{{- end -}}
{{- toYaml $result -}}
{{- end -}}

{{/*
PostgreSQL connections the release may hold: every process keeps its Hikari pool open plus one
LISTEN connection for live events. Rendering fails when that exceeds what the server allows.
*/}}
{{- define "mnemos.plannedConnections" -}}
{{- $total := mul .Values.api.replicas (add .Values.api.dbPoolSize 1) -}}
{{- $terms := list (printf "api %d x (%d + 1)" (int .Values.api.replicas) (int .Values.api.dbPoolSize)) -}}
{{- range (include "mnemos.workerPools" . | fromYamlArray) -}}
{{- $total = add $total (mul .maxReplicas (add .dbPoolSize 1)) -}}
{{- $terms = append $terms (printf "pool %s %d x (%d + 1)" .pool (int .maxReplicas) (int .dbPoolSize)) -}}
{{- end -}}
{{- $usable := sub .Values.database.maxConnections .Values.database.reservedConnections -}}
{{- if gt (int $total) (int $usable) -}}
{{- fail (printf "the release may hold %d PostgreSQL connections (%s), more than the %d the server allows (database.maxConnections %d - database.reservedConnections %d): lower replicas or dbPoolSize, raise max_connections, or put PgBouncer in front (docs/deployment.md, 'Scaling out')" (int $total) (join " + " $terms) (int $usable) (int .Values.database.maxConnections) (int .Values.database.reservedConnections)) -}}
{{- end -}}
{{- $total -}}
{{- end -}}
