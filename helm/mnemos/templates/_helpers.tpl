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
"deployment" (the name of its Deployment, or of its ScaledJob in job mode), its KEDA settings merged
over .Values.autoscaling.keda, and "maxReplicas": what the connection budget counts (KEDA's
maxReplicaCount when it scales the pool or starts its jobs, else replicas).
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
{{- if not (has (toString .mode) (list "deployment" "job")) -}}
{{- fail (printf "worker pool %q: mode is deployment or job, not %q" .pool (toString .mode)) -}}
{{- end -}}
{{- if and (eq .mode "job") (not $keda.enabled) -}}
{{- fail (printf "worker pool %q is in job mode: KEDA's ScaledJob starts its workers, so enable autoscaling.keda for it" .pool) -}}
{{- end -}}
{{- if and (eq .mode "job") (not (or (gt (int .job.maxPhases) 0) .job.exitWhenIdle)) -}}
{{- fail (printf "worker pool %q is in job mode: set job.maxPhases or job.exitWhenIdle, or its workers never end" .pool) -}}
{{- end -}}
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

{{/*
A worker pod (metadata and spec) of one pool, for its Deployment or, in job mode, its ScaledJob:
include with (dict "root" $ "pool" $pool). A job's worker ends by itself (mnemos.worker.max-phases,
exit-when-idle) with exit code 0.
*/}}
{{- define "mnemos.workerPod" -}}
{{- $root := .root -}}
{{- $pool := .pool -}}
metadata:
  labels:
    {{- include "mnemos.selectorLabels" $root | nindent 4 }}
    app.kubernetes.io/component: worker
    mnemos.org/pool: {{ $pool.pool }}
  annotations:
    checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
    prometheus.io/scrape: "true"
    prometheus.io/path: /actuator/prometheus
    prometheus.io/port: "8080"
spec:
  {{- with $root.Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $pool.runtimeClassName }}
  runtimeClassName: {{ . }}
  {{- end }}
  securityContext:
    {{- toYaml $root.Values.podSecurityContext | nindent 4 }}
  # A phase interrupted by shutdown is retried from its last completed phase elsewhere.
  terminationGracePeriodSeconds: 60
  {{- if eq $pool.mode "job" }}
  restartPolicy: Never
  {{- end }}
  containers:
    - name: worker
      {{- if $pool.image.repository }}
      image: {{ printf "%s:%s" $pool.image.repository ($pool.image.tag | default $root.Chart.AppVersion) }}
      {{- else }}
      image: {{ include "mnemos.image" $root }}
      {{- end }}
      imagePullPolicy: {{ $root.Values.image.pullPolicy }}
      ports:
        - name: http
          containerPort: 8080
      env:
        {{- include "mnemos.env" $root | nindent 8 }}
        - name: MNEMOS_WORKER_ENABLED
          value: "true"
        - name: MNEMOS_WORKER_POOL
          value: {{ $pool.pool | quote }}
        {{- if $pool.memoryBudget }}
        - name: MNEMOS_WORKER_MEMORY_BUDGET
          value: {{ $pool.memoryBudget | quote }}
        {{- end }}
        - name: SPRING_DATASOURCE_HIKARI_MAXIMUMPOOLSIZE
          value: {{ $pool.dbPoolSize | quote }}
        {{- if $pool.gpu.enabled }}
        # every GPU the pod is given, one phase per GPU at once
        - name: MNEMOS_WORKER_DEVICE
          value: "gpu"
        {{- end }}
        - name: JAVA_TOOL_OPTIONS
          value: {{ $pool.javaOpts | quote }}
        {{- if eq $pool.mode "job" }}
        # job mode: the worker ends by itself with exit code 0, which completes its Job
        - name: MNEMOS_WORKER_MAX_PHASES
          value: {{ $pool.job.maxPhases | int | toString | quote }}
        {{- with $pool.job.exitWhenIdle }}
        - name: MNEMOS_WORKER_EXIT_WHEN_IDLE
          value: {{ . | quote }}
        {{- end }}
        {{- end }}
      {{- include "mnemos.probes" $root | nindent 6 }}
      resources:
        requests:
          {{- toYaml $pool.resources.requests | nindent 10 }}
        limits:
          {{- with $pool.resources.limits }}
          {{- toYaml . | nindent 10 }}
          {{- end }}
          {{- if $pool.gpu.enabled }}
          {{ $pool.gpu.resourceName }}: {{ $pool.gpu.count }}
          {{- end }}
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities: {drop: [ALL]}
      volumeMounts:
        {{- include "mnemos.volumeMounts" $root | nindent 8 }}
  volumes:
    {{- include "mnemos.volumes" $root | nindent 4 }}
  {{- with $pool.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $pool.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $pool.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
