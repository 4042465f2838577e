{{- define "nexclipper.labels" -}}
app.kubernetes.io/part-of: nexclipper
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{- define "nexclipper.image" -}}
{{- $img := index . 0 -}}{{- $root := index . 1 -}}
{{- printf "%s/%s:%s" $root.Values.image.registry $img.repository (default $root.Chart.AppVersion $img.tag) -}}
{{- end -}}

{{- define "nexclipper.podSecurity" -}}
runAsNonRoot: true
runAsUser: 65534
runAsGroup: 65534
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "nexclipper.containerSecurity" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end -}}

{{- define "nexclipper.probes" -}}
readinessProbe:
  httpGet: {path: /-/ready, port: {{ . }}}
  periodSeconds: 10
livenessProbe:
  httpGet: {path: /-/healthy, port: {{ . }}}
  periodSeconds: 30
  failureThreshold: 3
{{- end -}}
