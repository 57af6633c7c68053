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

{{- define "mnemos.workerImage" -}}
{{- if .Values.worker.image.repository -}}
{{- printf "%s:%s" .Values.worker.image.repository (.Values.worker.image.tag | default .Chart.AppVersion) -}}
{{- else -}}
{{- include "mnemos.image" . -}}
{{- end -}}
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
  persistentVolumeClaim:
    claimName: {{ include "mnemos.artifactsClaim" . }}
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
