{{/* Names and labels. */}}
{{- define "floorwatch.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "floorwatch.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "floorwatch.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "floorwatch.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "floorwatch.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "floorwatch.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "floorwatch.selector" -}}
app.kubernetes.io/name: {{ include "floorwatch.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* The scrape job every worker is scraped under; the alert rules select job=~"floorwatch.*". */}}
{{- define "floorwatch.scrapeJob" -}}floorwatch-worker{{- end -}}

{{- define "floorwatch.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "floorwatch.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "floorwatch.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Checks that stop a wrong configuration at render time, with what to change. */}}
{{- define "floorwatch.checks" -}}
{{- $v := .Values -}}
{{- if not $v.kafka.bootstrapServers -}}
{{- fail "kafka.bootstrapServers is required: the Kafka bootstrap servers, comma separated" -}}
{{- end -}}
{{- if lt (int $v.kafka.partitions) 1 -}}
{{- fail "kafka.partitions must be at least 1" -}}
{{- end -}}
{{- if gt (int $v.worker.replicas) (int $v.kafka.partitions) -}}
{{- fail (printf "worker.replicas (%d) is above kafka.partitions (%d): a worker beyond the partition count owns no partition and sits idle; lower worker.replicas (partitions are fixed once the topics exist: docs/operations.md)" (int $v.worker.replicas) (int $v.kafka.partitions)) -}}
{{- end -}}
{{- if $v.keda.enabled -}}
{{- if gt (int $v.keda.maxReplicas) (int $v.kafka.partitions) -}}
{{- fail (printf "keda.maxReplicas (%d) is above kafka.partitions (%d); set it to at most the partition count, or 0 for exactly that" (int $v.keda.maxReplicas) (int $v.kafka.partitions)) -}}
{{- end -}}
{{- if gt (int $v.keda.minReplicas) (int (include "floorwatch.kedaMax" .)) -}}
{{- fail "keda.minReplicas is above the maximum (keda.maxReplicas, or kafka.partitions when 0)" -}}
{{- end -}}
{{- if lt (int $v.keda.minReplicas) 1 -}}
{{- fail "keda.minReplicas must be at least 1: with no worker there is no lag figure to scale up on" -}}
{{- end -}}
{{- if not $v.keda.prometheusServerAddress -}}
{{- fail "keda.prometheusServerAddress is required with keda.enabled: KEDA reads the workers' lag gauge from Prometheus" -}}
{{- end -}}
{{- end -}}
{{- if le (int $v.worker.terminationGracePeriodSeconds) (add (int (ceil $v.worker.shutdownTimeoutSeconds)) 5 | int) -}}
{{- fail (printf "worker.terminationGracePeriodSeconds (%v) must exceed worker.shutdownTimeoutSeconds (%v) by more than 5 s, or Kubernetes kills a worker in the middle of its stop" $v.worker.terminationGracePeriodSeconds $v.worker.shutdownTimeoutSeconds) -}}
{{- end -}}
{{- if gt (float64 $v.worker.shutdownTimeoutSeconds) 60.0 -}}
{{- fail "worker.shutdownTimeoutSeconds is at most 60 (the worker refuses more)" -}}
{{- end -}}
{{- $live := $v.worker.probes.liveness -}}
{{- if le (mul (int $live.periodSeconds) (int $live.failureThreshold) | int) (int (max (ceil $v.worker.recoveryTimeoutSeconds) (ceil $v.worker.stallTimeoutSeconds))) -}}
{{- fail "worker.probes.liveness: periodSeconds x failureThreshold must exceed worker.recoveryTimeoutSeconds and worker.stallTimeoutSeconds, so the worker's watchdog (which logs why) acts before Kubernetes kills it" -}}
{{- end -}}
{{- if not (has $v.privacy.mode (list "named" "pseudonymous" "off")) -}}
{{- fail "privacy.mode is named, pseudonymous or off" -}}
{{- end -}}
{{- if eq $v.kafka.securityProtocol "SASL_SSL" -}}
{{- if or (not $v.kafka.sasl.username) (not $v.kafka.sasl.passwordSecret.name) -}}
{{- fail "kafka.securityProtocol=SASL_SSL needs kafka.sasl.username and kafka.sasl.passwordSecret.name" -}}
{{- end -}}
{{- end -}}
{{- if not (has $v.kafka.securityProtocol (list "PLAINTEXT" "SSL" "SASL_SSL")) -}}
{{- fail "kafka.securityProtocol is PLAINTEXT, SSL or SASL_SSL" -}}
{{- end -}}
{{- if ne (empty $v.kafka.tls.certKey) (empty $v.kafka.tls.keyKey) -}}
{{- fail "kafka.tls.certKey and kafka.tls.keyKey go together (mutual TLS)" -}}
{{- end -}}
{{- if and $v.kafka.tls.certKey (not $v.kafka.tls.secretName) -}}
{{- fail "kafka.tls.certKey needs kafka.tls.secretName: the Secret holding the client certificate and key" -}}
{{- end -}}
{{- end -}}

{{- define "floorwatch.kedaMax" -}}
{{- if gt (int .Values.keda.maxReplicas) 0 -}}{{ .Values.keda.maxReplicas }}{{- else -}}{{ .Values.kafka.partitions }}{{- end -}}
{{- end -}}

{{/* The fewest workers the deployment runs with: each then holds the most agents. */}}
{{- define "floorwatch.fewestWorkers" -}}
{{- if .Values.keda.enabled -}}{{ .Values.keda.minReplicas }}{{- else -}}{{ max 1 .Values.worker.replicas }}{{- end -}}
{{- end -}}

{{/* Agents on the busiest of `workers` workers: whole partitions each, every partition rounded up
     (the same sum as deploy/sizing.py `held_agents`). */}}
{{- define "floorwatch.heldAgents" -}}
{{- $partitions := int .root.Values.kafka.partitions -}}
{{- $workers := max 1 (int .workers) | int -}}
{{- $partitionsPerWorker := div (sub (add $partitions $workers) 1) $workers -}}
{{- $agentsPerPartition := div (sub (add (int .root.Values.sizing.agents) $partitions) 1) $partitions -}}
{{- mul $partitionsPerWorker $agentsPerPartition -}}
{{- end -}}

{{- define "floorwatch.agentsPerWorker" -}}
{{- include "floorwatch.heldAgents" (dict "root" . "workers" (include "floorwatch.fewestWorkers" .)) -}}
{{- end -}}

{{/* Idle worker + agents x memory per agent (x growth), in MiB rounded up: deploy/sizing.py `memory_mib`. */}}
{{- define "floorwatch.memoryMiB" -}}
{{- $b := .root.Values.sizing.benchmark -}}
{{- $kib := mulf (int .agents) (float64 $b.perAgentKiB) (float64 .growth) -}}
{{- add (int $b.idleWorkerMiB) (int (ceil (divf $kib 1024))) -}}
{{- end -}}

{{- define "floorwatch.workerMemoryMiB" -}}
{{- include "floorwatch.memoryMiB" (dict "root" . "agents" (include "floorwatch.agentsPerWorker" .) "growth" 1.0) -}}
{{- end -}}

{{/* The limit holds the partitions of one worker fewer (a drain, a rolling update) late in the shift. */}}
{{- define "floorwatch.workerMemoryLimitMiB" -}}
{{- $fewer := sub (int (include "floorwatch.fewestWorkers" .)) 1 | int -}}
{{- $held := include "floorwatch.heldAgents" (dict "root" . "workers" $fewer) -}}
{{- include "floorwatch.memoryMiB" (dict "root" . "agents" $held "growth" .Values.sizing.benchmark.endOfShiftGrowth) -}}
{{- end -}}

{{- define "floorwatch.workerResources" -}}
{{- if .Values.worker.resources -}}
{{- toYaml .Values.worker.resources -}}
{{- else -}}
requests:
  cpu: {{ .Values.sizing.cpuRequest | quote }}
  memory: {{ printf "%sMi" (include "floorwatch.workerMemoryMiB" .) }}
limits:
  memory: {{ printf "%sMi" (include "floorwatch.workerMemoryLimitMiB" .) }}
{{- end -}}
{{- end -}}

{{/* Kafka security and topics: every floorwatch container reads the same FLOORWATCH_* settings. */}}
{{- define "floorwatch.kafkaEnv" -}}
- name: FLOORWATCH_BOOTSTRAP_SERVERS
  value: {{ .Values.kafka.bootstrapServers | quote }}
- name: FLOORWATCH_TOPIC_PREFIX
  value: {{ .Values.kafka.topicPrefix | quote }}
- name: FLOORWATCH_KAFKA_SECURITY_PROTOCOL
  value: {{ .Values.kafka.securityProtocol | quote }}
{{- if eq .Values.kafka.securityProtocol "SASL_SSL" }}
- name: FLOORWATCH_KAFKA_SASL_MECHANISM
  value: {{ .Values.kafka.sasl.mechanism | quote }}
- name: FLOORWATCH_KAFKA_SASL_USERNAME
  value: {{ .Values.kafka.sasl.username | quote }}
- name: FLOORWATCH_KAFKA_SASL_PASSWORD_FILE
  value: /etc/floorwatch/kafka-sasl/password
{{- end }}
{{- if .Values.kafka.tls.secretName }}
- name: FLOORWATCH_KAFKA_SSL_CAFILE
  value: /etc/floorwatch/kafka-tls/ca.crt
{{- if .Values.kafka.tls.certKey }}
- name: FLOORWATCH_KAFKA_SSL_CERTFILE
  value: /etc/floorwatch/kafka-tls/client.crt
- name: FLOORWATCH_KAFKA_SSL_KEYFILE
  value: /etc/floorwatch/kafka-tls/client.key
{{- end }}
{{- end }}
- name: FLOORWATCH_KAFKA_SSL_CHECK_HOSTNAME
  value: {{ .Values.kafka.tls.checkHostname | quote }}
{{- end -}}

{{- define "floorwatch.kafkaVolumeMounts" -}}
{{- if eq .Values.kafka.securityProtocol "SASL_SSL" }}
- name: kafka-sasl
  mountPath: /etc/floorwatch/kafka-sasl
  readOnly: true
{{- end }}
{{- if .Values.kafka.tls.secretName }}
- name: kafka-tls
  mountPath: /etc/floorwatch/kafka-tls
  readOnly: true
{{- end }}
{{- end -}}

{{- define "floorwatch.kafkaVolumes" -}}
{{- if eq .Values.kafka.securityProtocol "SASL_SSL" }}
- name: kafka-sasl
  secret:
    secretName: {{ .Values.kafka.sasl.passwordSecret.name }}
    defaultMode: 0440  # the group is the pod's fsGroup: readable by the unprivileged user only
    items:
      - key: {{ .Values.kafka.sasl.passwordSecret.key }}
        path: password
{{- end }}
{{- if .Values.kafka.tls.secretName }}
- name: kafka-tls
  secret:
    secretName: {{ .Values.kafka.tls.secretName }}
    defaultMode: 0440  # the group is the pod's fsGroup: readable by the unprivileged user only
    items:
      - key: {{ .Values.kafka.tls.caKey }}
        path: ca.crt
      {{- if .Values.kafka.tls.certKey }}
      - key: {{ .Values.kafka.tls.certKey }}
        path: client.crt
      - key: {{ .Values.kafka.tls.keyKey }}
        path: client.key
      {{- end }}
{{- end }}
{{- end -}}

{{- define "floorwatch.podSpecCommon" -}}
serviceAccountName: {{ include "floorwatch.serviceAccountName" . }}
automountServiceAccountToken: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- end -}}

{{/* The README's suggested scrape sample limit: 20 series per agent with per-agent labels, 5,000 without. */}}
{{- define "floorwatch.sampleLimit" -}}
{{- if eq .Values.privacy.mode "off" -}}
sampleLimit: 5000
{{- else -}}
sampleLimit: {{ max 5000 (mul 20 (int (include "floorwatch.agentsPerWorker" .))) }}
{{- end -}}
{{- end -}}

{{/* A container for a floorwatch client command (simulator, ingest): Kafka settings, security, writable /tmp. */}}
{{- define "floorwatch.clientContainer" -}}
image: {{ include "floorwatch.image" .root | quote }}
imagePullPolicy: {{ .root.Values.image.pullPolicy }}
args:
  {{- toYaml .args | nindent 2 }}
env:
  {{- with (include "floorwatch.kafkaEnv" .root | trim) }}{{ . | nindent 2 }}{{ end }}
  {{- with .env }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
resources:
  requests: {cpu: 100m, memory: 128Mi}
  limits: {memory: 512Mi}
securityContext:
  {{- toYaml .root.Values.securityContext | nindent 2 }}
volumeMounts:
  - name: tmp
    mountPath: /tmp
  {{- with (include "floorwatch.kafkaVolumeMounts" .root | trim) }}{{ . | nindent 2 }}{{ end }}
  {{- with .mounts }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end -}}

{{/* The Secret and key holding the pseudonym key: the operator's, or the one the chart makes. */}}
{{- define "floorwatch.pseudonymSecretName" -}}
{{- default (printf "%s-pseudonym" (include "floorwatch.fullname" .)) .Values.privacy.pseudonymKeySecret.name -}}
{{- end -}}

{{- define "floorwatch.pseudonymSecretKey" -}}
{{- if .Values.privacy.pseudonymKeySecret.name -}}{{ .Values.privacy.pseudonymKeySecret.key }}{{- else -}}pseudonym-key{{- end -}}
{{- end -}}
