#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "moor/manifests/load.h"

namespace moor::manifests {
namespace {

// A valid Deployment; cases replace one marked line or append to it.
const char* const kDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 80
          name: http
        resources:
          requests: {cpu: 250m, memory: 64Mi}
          limits: {cpu: 500m, memory: 128Mi}
)";

std::vector<Diagnostic> ErrorsOf(const std::string& yaml, bool strict = false) {
  LoadOptions opts;
  opts.strict = strict;
  LoadedFile f = LoadContent("t.yaml", yaml, opts);
  std::vector<Diagnostic> errors;
  for (const Diagnostic& d : f.diagnostics) {
    if (d.severity == Severity::kError) errors.push_back(d);
  }
  EXPECT_EQ(f.ok(), errors.empty());
  return errors;
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

struct RuleCase {
  std::string name;
  std::string yaml;
  std::string field;    // expected field of the (first) error; empty for a passing case
  std::string message;  // substring of the message
};

void RunCases(const std::vector<RuleCase>& cases) {
  for (const RuleCase& c : cases) {
    std::vector<Diagnostic> errors = ErrorsOf(c.yaml);
    if (c.field.empty() && c.message.empty()) {
      EXPECT_TRUE(errors.empty()) << c.name << ": " << (errors.empty() ? "" : errors[0].ToString());
      continue;
    }
    ASSERT_FALSE(errors.empty()) << c.name << ": expected an error";
    bool found = false;
    for (const Diagnostic& d : errors) {
      if (d.field == c.field && d.message.find(c.message) != std::string::npos) found = true;
    }
    EXPECT_TRUE(found) << c.name << ": got " << errors[0].ToString();
  }
}

TEST(Validate, ValidDeploymentPasses) {
  LoadedFile f = LoadContent("web.yaml", kDeployment);
  EXPECT_TRUE(f.ok()) << f.diagnostics[0].ToString();
  EXPECT_TRUE(f.diagnostics.empty());
  ASSERT_EQ(f.documents.size(), 1u);
}

TEST(Validate, TypeErrorCarriesFileLineColumnFieldAndDocument) {
  std::string yaml = "---\n" + Replace(kDeployment, "containerPort: 80", "containerPort: http");
  LoadedFile f = LoadContent("web.yaml", yaml);
  ASSERT_FALSE(f.ok());
  ASSERT_EQ(f.diagnostics.size(), 1u);
  EXPECT_EQ(f.diagnostics[0].ToString(),
            "web.yaml:22:11: spec.template.spec.containers[0].ports[0].containerPort: expected integer, got \"http\" "
            "(document 1)");
  EXPECT_TRUE(f.documents.empty());
}

TEST(Validate, SchemaTypesRequiredAndUnknownFields) {
  RunCases({
      {"string expected", Replace(kDeployment, "image: nginx:1.27", "image: 5"),
       "spec.template.spec.containers[0].image", "expected string, got integer"},
      {"object expected", Replace(kDeployment, "  labels:\n    app: web\nspec:", "  labels: [a]\nspec:"),
       "metadata.labels", "expected object, got list"},
      {"list expected", Replace(kDeployment, "      containers:\n", "      containers: {}\n      initContainers:\n"),
       "spec.template.spec.containers", "expected list, got object"},
      {"bool expected", Replace(kDeployment, "replicas: 2", "replicas: 2\n  paused: maybe"), "spec.paused",
       "expected boolean, got \"maybe\""},
      {"required", Replace(kDeployment, "      - name: web\n        image", "      - image"),
       "spec.template.spec.containers[0].name", "missing required field \"name\""},
      {"int-or-string accepts both", Replace(kDeployment, "replicas: 2", "replicas: 2\n  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: \"10%\"}}"),
       "", ""},
      {"int-or-string refuses lists", Replace(kDeployment, "replicas: 2", "replicas: 2\n  strategy: {rollingUpdate: {maxSurge: []}}"),
       "spec.strategy.rollingUpdate.maxSurge", "expected integer or string, got list"},
      {"invalid quantity", Replace(kDeployment, "cpu: 250m", "cpu: 12xb"),
       "spec.template.spec.containers[0].resources.requests.cpu", "invalid quantity \"12xb\""},
      {"numeric quantity", Replace(kDeployment, "cpu: 250m", "cpu: 0.25"), "", ""},
      {"null is unset", Replace(kDeployment, "replicas: 2", "replicas:\n  minReadySeconds: null"), "", ""},
  });
}

TEST(Validate, UnknownFieldsWarnByDefaultAndFailWhenStrict) {
  std::string yaml = Replace(kDeployment, "  template:\n", "  templat: {}\n  template:\n");
  LoadedFile lax = LoadContent("t.yaml", yaml);
  ASSERT_TRUE(lax.ok());
  ASSERT_EQ(lax.diagnostics.size(), 1u);
  EXPECT_EQ(lax.diagnostics[0].severity, Severity::kWarning);
  EXPECT_EQ(lax.diagnostics[0].message, "unknown field \"spec.templat\"");
  EXPECT_EQ(lax.diagnostics[0].line, 12);
  std::vector<Diagnostic> strict = ErrorsOf(yaml, true);
  ASSERT_EQ(strict.size(), 1u);
  EXPECT_EQ(strict[0].field, "spec.templat");
}

TEST(Validate, UnsupportedKindsAndRemovedVersions) {
  auto pdb = ErrorsOf("apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: x}\n");
  ASSERT_EQ(pdb.size(), 1u);
  EXPECT_EQ(pdb[0].field, "kind");
  EXPECT_EQ(pdb[0].message.rfind("unsupported kind \"policy/v1, Kind=PodDisruptionBudget\"; moor supports Pod, ", 0), 0u)
      << pdb[0].message;
  auto cron = ErrorsOf("apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: x}\n");
  ASSERT_EQ(cron.size(), 1u);
  EXPECT_EQ(cron[0].field, "apiVersion");
  EXPECT_EQ(cron[0].message,
            "apiVersion \"batch/v1beta1\" of kind CronJob is no longer served (removed in Kubernetes 1.25); use "
            "apiVersion \"batch/v1\"");
  auto missing = ErrorsOf("metadata: {name: x}\n");
  ASSERT_EQ(missing.size(), 2u);
  EXPECT_EQ(missing[0].field, "apiVersion");
  EXPECT_EQ(missing[1].field, "kind");
}

TEST(Validate, MetadataRules) {
  RunCases({
      {"name required", Replace(kDeployment, "  name: web\n", ""), "metadata.name", "name or generateName is required"},
      {"generateName is enough", Replace(kDeployment, "  name: web\n", "  generateName: web-\n"), "", ""},
      {"name subdomain", Replace(kDeployment, "name: web\n  labels", "name: Web_1\n  labels"), "metadata.name",
       "RFC 1123 subdomain"},
      {"dotted name ok", Replace(kDeployment, "name: web\n  labels", "name: web.v1\n  labels"), "", ""},
      {"namespace label", Replace(kDeployment, "name: web\n  labels", "name: web\n  namespace: a.b\n  labels"),
       "metadata.namespace", "RFC 1123 label"},
      {"label key", Replace(kDeployment, "  labels:\n    app: web\nspec", "  labels:\n    -bad: web\n    app: web\nspec"),
       "metadata.labels.-bad", "invalid label key"},
      {"label value", Replace(kDeployment, "  labels:\n    app: web\nspec", "  labels:\n    app: web\n    v: \"a b\"\nspec"),
       "metadata.labels.v", "invalid label value"},
      {"prefixed label ok", Replace(kDeployment, "  labels:\n    app: web\nspec", "  labels:\n    app: web\n    example.com/tier: x\nspec"), "", ""},
      {"annotation key", Replace(kDeployment, "  labels:\n    app: web\nspec", "  labels:\n    app: web\n  annotations:\n    \"a b\": x\nspec"),
       "metadata.annotations[a b]", "invalid annotation key"},
      {"service name is a DNS-1035 label", "apiVersion: v1\nkind: Service\nmetadata: {name: 1web}\nspec: {ports: [{port: 80}]}\n",
       "metadata.name", "DNS-1035 label"},
      {"namespace name is a label", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a.b}\n", "metadata.name", "RFC 1123 label"},
  });
}

TEST(Validate, SelectorMustMatchTemplate) {
  RunCases({
      {"mismatch", Replace(kDeployment, "      labels:\n        app: web\n    spec", "      labels:\n        app: db\n    spec"),
       "spec.template.metadata.labels", "selector does not match template labels"},
      {"empty selector", Replace(kDeployment, "    matchLabels:\n      app: web\n", "    matchLabels: {}\n"),
       "spec.selector", "empty selector is invalid for deployment"},
      {"missing selector", Replace(kDeployment, "  selector:\n    matchLabels:\n      app: web\n", ""), "spec.selector",
       "missing required field \"selector\""},
      {"expressions", Replace(kDeployment, "    matchLabels:\n      app: web\n",
                              "    matchExpressions: [{key: app, operator: In, values: [web, api]}]\n"), "", ""},
      {"bad operator", Replace(kDeployment, "    matchLabels:\n      app: web\n",
                               "    matchExpressions: [{key: app, operator: Is, values: [web]}]\n"), "spec.selector",
       "Unsupported value: \"Is\""},
  });
}

TEST(Validate, ContainerRules) {
  RunCases({
      {"container name label", Replace(kDeployment, "      - name: web\n", "      - name: Web\n"),
       "spec.template.spec.containers[0].name", "RFC 1123 label"},
      {"duplicate container names",
       Replace(kDeployment, "      containers:\n", "      initContainers:\n      - {name: web, image: busybox}\n      containers:\n"),
       "spec.template.spec.containers[0].name", "Duplicate value: \"web\""},
      {"image required", Replace(kDeployment, "        image: nginx:1.27\n", ""), "spec.template.spec.containers[0].image",
       "image is required"},
      {"no containers", Replace(Replace(kDeployment, "      - name: web\n        image: nginx:1.27\n        ports:\n        - containerPort: 80\n          name: http\n        resources:\n          requests: {cpu: 250m, memory: 64Mi}\n          limits: {cpu: 500m, memory: 128Mi}\n", ""), "containers:\n", "containers: []\n"),
       "spec.template.spec.containers", "must have at least one container"},
      {"container port range", Replace(kDeployment, "containerPort: 80", "containerPort: 70000"),
       "spec.template.spec.containers[0].ports[0].containerPort", "must be between 1 and 65535, inclusive"},
      {"container port zero", Replace(kDeployment, "containerPort: 80", "containerPort: 0"),
       "spec.template.spec.containers[0].ports[0].containerPort", "must be between 1 and 65535"},
      {"host port range", Replace(kDeployment, "containerPort: 80", "containerPort: 80\n          hostPort: 65536"),
       "spec.template.spec.containers[0].ports[0].hostPort", "must be between 1 and 65535"},
      {"port name", Replace(kDeployment, "name: http", "name: HTTP_PORT"),
       "spec.template.spec.containers[0].ports[0].name", "invalid port name"},
      {"duplicate port names", Replace(kDeployment, "          name: http\n", "          name: http\n        - {containerPort: 81, name: http}\n"),
       "spec.template.spec.containers[0].ports[1].name", "Duplicate value: \"http\""},
      {"protocol", Replace(kDeployment, "name: http", "name: http\n          protocol: tcp"),
       "spec.template.spec.containers[0].ports[0].protocol", "Unsupported value: \"tcp\""},
      {"requests above limits", Replace(kDeployment, "cpu: 250m", "cpu: \"2\""),
       "spec.template.spec.containers[0].resources.requests.cpu", "must be less than or equal to cpu limit of 500m"},
      {"negative quantity", Replace(kDeployment, "memory: 64Mi", "memory: -1"),
       "spec.template.spec.containers[0].resources.requests.memory", "must be greater than or equal to 0"},
      {"resource name", Replace(kDeployment, "memory: 64Mi}", "memory: 64Mi, gpu: 1}"),
       "spec.template.spec.containers[0].resources.requests.gpu", "must be a standard resource type or fully qualified"},
      {"qualified resource ok", Replace(kDeployment, "memory: 64Mi}", "memory: 64Mi, example.com/gpu: 1}"), "", ""},
      {"env duplicates allowed", Replace(kDeployment, "        ports:\n", "        env: [{name: A, value: x1}, {name: A, value: x2}]\n        ports:\n"), "", ""},
      {"env value and valueFrom", Replace(kDeployment, "        ports:\n", "        env: [{name: A, value: x, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]\n        ports:\n"),
       "spec.template.spec.containers[0].env[0].valueFrom", "may not be specified when `value` is not empty"},
      {"env name", Replace(kDeployment, "        ports:\n", "        env: [{name: \"A=B\", value: x}]\n        ports:\n"),
       "spec.template.spec.containers[0].env[0].name", "other than '='"},
      {"mount needs volume", Replace(kDeployment, "        ports:\n", "        volumeMounts: [{name: data, mountPath: /data}]\n        ports:\n"),
       "spec.template.spec.containers[0].volumeMounts[0].name", "volume \"data\" not found"},
      {"mount ok", Replace(Replace(kDeployment, "        ports:\n", "        volumeMounts: [{name: data, mountPath: /data}]\n        ports:\n"),
                           "      containers:\n", "      volumes: [{name: data, emptyDir: {}}]\n      containers:\n"), "", ""},
      {"duplicate volumes", Replace(kDeployment, "      containers:\n", "      volumes: [{name: data, emptyDir: {}}, {name: data, emptyDir: {}}]\n      containers:\n"),
       "spec.template.spec.volumes[1].name", "Duplicate value: \"data\""},
      {"two volume sources", Replace(kDeployment, "      containers:\n", "      volumes: [{name: data, emptyDir: {}, hostPath: {path: /x}}]\n      containers:\n"),
       "spec.template.spec.volumes[0]", "may not specify more than 1 volume type"},
      {"probe handler", Replace(kDeployment, "        ports:\n", "        livenessProbe: {periodSeconds: 5}\n        ports:\n"),
       "spec.template.spec.containers[0].livenessProbe", "must specify a handler type"},
      {"probe port name", Replace(kDeployment, "        ports:\n", "        readinessProbe: {httpGet: {port: http}}\n        ports:\n"), "", ""},
      {"probe port number", Replace(kDeployment, "        ports:\n", "        readinessProbe: {tcpSocket: {port: 0}}\n        ports:\n"),
       "spec.template.spec.containers[0].readinessProbe.tcpSocket.port", "must be between 1 and 65535"},
      {"liveness successThreshold", Replace(kDeployment, "        ports:\n", "        livenessProbe: {exec: {command: [\"true\"]}, successThreshold: 2}\n        ports:\n"),
       "spec.template.spec.containers[0].livenessProbe.successThreshold", "must be 1"},
      {"sidecar restartPolicy", Replace(kDeployment, "      containers:\n", "      initContainers: [{name: side, image: busybox, restartPolicy: Always}]\n      containers:\n"), "", ""},
      {"restartPolicy on regular container", Replace(kDeployment, "        image: nginx:1.27\n", "        image: nginx:1.27\n        restartPolicy: Always\n"),
       "spec.template.spec.containers[0].restartPolicy", "may not be set for non-init containers"},
  });
}

TEST(Validate, WorkloadRules) {
  const char* job = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: pi}\nspec:\n  template:\n    spec:\n"
                    "      restartPolicy: Never\n      containers: [{name: pi, image: perl}]\n";
  const char* cron = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: hello}\nspec:\n  schedule: \"*/5 * * * *\"\n"
                     "  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n"
                     "          containers: [{name: c, image: busybox}]\n";
  RunCases({
      {"replicas >= 0", Replace(kDeployment, "replicas: 2", "replicas: -1"), "spec.replicas", "must be greater than or equal to 0"},
      {"deployment restartPolicy", Replace(kDeployment, "      containers:\n", "      restartPolicy: Never\n      containers:\n"),
       "spec.template.spec.restartPolicy", "Unsupported value: \"Never\": supported values: \"Always\""},
      {"strategy zeros", Replace(kDeployment, "replicas: 2", "replicas: 2\n  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 0}}"),
       "spec.strategy.rollingUpdate.maxUnavailable", "may not be 0 when `maxSurge` is 0"},
      {"bad percent", Replace(kDeployment, "replicas: 2", "replicas: 2\n  strategy: {rollingUpdate: {maxSurge: ten}}"),
       "spec.strategy.rollingUpdate.maxSurge", "a valid percent string"},
      {"job ok", job, "", ""},
      {"job restartPolicy required", Replace(job, "      restartPolicy: Never\n", ""), "spec.template.spec.restartPolicy",
       "Required value: valid values: \"OnFailure\", \"Never\""},
      {"job restartPolicy Always", Replace(job, "restartPolicy: Never", "restartPolicy: Always"),
       "spec.template.spec.restartPolicy", "Unsupported value: \"Always\""},
      {"job indexed needs completions", Replace(job, "  template:\n", "  completionMode: Indexed\n  template:\n"),
       "spec.completions", "when completion mode is Indexed"},
      {"job selector needs manualSelector", Replace(job, "  template:\n", "  selector: {matchLabels: {a: b}}\n  template:\n"),
       "spec.selector", "`selector` not auto-generated"},
      {"job manual selector must match", Replace(job, "  template:\n", "  manualSelector: true\n  selector: {matchLabels: {a: b}}\n  template:\n"),
       "spec.template.metadata.labels", "selector does not match template labels"},
      {"job backoffLimit", Replace(job, "  template:\n", "  backoffLimit: -1\n  template:\n"), "spec.backoffLimit",
       "must be greater than or equal to 0"},
      {"cronjob ok", cron, "", ""},
      {"cronjob descriptor ok", Replace(cron, "\"*/5 * * * *\"", "\"@hourly\""), "", ""},
      {"cronjob names ok", Replace(cron, "\"*/5 * * * *\"", "\"0 9 * JAN-MAR MON-FRI\""), "", ""},
      {"cronjob schedule fields", Replace(cron, "\"*/5 * * * *\"", "\"*/5 * * *\""), "spec.schedule", "expected exactly 5 fields"},
      {"cronjob schedule range", Replace(cron, "\"*/5 * * * *\"", "\"61 * * * *\""), "spec.schedule", "minute value out of range"},
      {"cronjob schedule TZ", Replace(cron, "\"*/5 * * * *\"", "\"TZ=UTC 0 * * * *\""), "spec.schedule", "use timeZone field"},
      {"cronjob template restartPolicy", Replace(cron, "restartPolicy: OnFailure", "restartPolicy: Always"),
       "spec.jobTemplate.spec.template.spec.restartPolicy", "Unsupported value: \"Always\""},
      {"cronjob name length", Replace(cron, "name: hello", "name: " + std::string(53, 'a')), "metadata.name",
       "must be no more than 52 characters"},
      {"cronjob concurrencyPolicy", Replace(cron, "  jobTemplate:\n", "  concurrencyPolicy: Sometimes\n  jobTemplate:\n"),
       "spec.concurrencyPolicy", "Unsupported value"},
      {"statefulset policy", "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  serviceName: db\n"
                             "  podManagementPolicy: Random\n  selector: {matchLabels: {app: db}}\n  template:\n"
                             "    metadata: {labels: {app: db}}\n    spec: {containers: [{name: db, image: redis}]}\n",
       "spec.podManagementPolicy", "Unsupported value: \"Random\""},
      {"daemonset mismatch", "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n"
                             "  selector: {matchLabels: {app: agent}}\n  template:\n    metadata: {labels: {app: other}}\n"
                             "    spec: {containers: [{name: a, image: busybox}]}\n",
       "spec.template.metadata.labels", "selector does not match template labels"},
      {"replicaset ok", "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: rs}\nspec:\n  selector: {matchLabels: {app: a}}\n"
                        "  template:\n    metadata: {labels: {app: a}}\n    spec: {containers: [{name: a, image: busybox}]}\n", "", ""},
  });
}

TEST(Validate, ServiceRules) {
  const std::string svc = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports:\n"
                          "  - {port: 80, targetPort: 8080}\n";
  RunCases({
      {"service ok", svc, "", ""},
      {"named targetPort", Replace(svc, "targetPort: 8080", "targetPort: http"), "", ""},
      {"targetPort range", Replace(svc, "targetPort: 8080", "targetPort: 70000"), "spec.ports[0].targetPort",
       "must be between 1 and 65535"},
      {"targetPort name", Replace(svc, "targetPort: 8080", "targetPort: Not_A_Name"), "spec.ports[0].targetPort",
       "invalid port name"},
      {"port range", Replace(svc, "port: 80,", "port: 0,"), "spec.ports[0].port", "must be between 1 and 65535"},
      {"names needed for two ports", svc + "  - {port: 443}\n", "spec.ports[0].name", "each port needs a name"},
      {"two named ports ok", Replace(svc, "{port: 80,", "{name: http, port: 80,") + "  - {name: https, port: 443}\n", "", ""},
      {"duplicate port names", Replace(svc, "{port: 80,", "{name: http, port: 80,") + "  - {name: http, port: 443}\n",
       "spec.ports[1].name", "Duplicate value: \"http\""},
      {"duplicate port+protocol", Replace(svc, "{port: 80,", "{name: a, port: 80,") + "  - {name: b, port: 80}\n",
       "spec.ports[1]", "Duplicate value: port 80/TCP"},
      {"nodePort on ClusterIP", Replace(svc, "targetPort: 8080", "targetPort: 8080, nodePort: 30080"),
       "spec.ports[0].nodePort", "may not be used when `type` is 'ClusterIP'"},
      {"nodePort on NodePort ok", Replace(Replace(svc, "targetPort: 8080", "targetPort: 8080, nodePort: 30080"), "spec:\n", "spec:\n  type: NodePort\n"), "", ""},
      {"type", Replace(svc, "spec:\n", "spec:\n  type: Internal\n"), "spec.type", "Unsupported value: \"Internal\""},
      {"ports required", "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}}\n",
       "spec.ports", "at least one port"},
      {"headless without ports ok", "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {clusterIP: None}\n", "", ""},
      {"externalName required", "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {type: ExternalName}\n",
       "spec.externalName", "externalName is required"},
      {"clusterIP", Replace(svc, "spec:\n", "spec:\n  clusterIP: 10.43.0.300\n"), "spec.clusterIP", "valid IP address"},
  });
}

TEST(Validate, ConfigAndStorageRules) {
  RunCases({
      {"configmap ok", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {game.properties: x, UI_MODE: dark}\n", "", ""},
      {"configmap key", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {\"a/b\": x}\n", "data[a/b]",
       "a valid config key"},
      {"configmap number value", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: 1}\n", "data.a",
       "expected string, got integer"},
      {"secret ok", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {password: cGFzc3dvcmQ=}\n", "", ""},
      {"secret base64", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {password: \"not base64!\"}\n",
       "data.password", "illegal base64 data at input byte 3"},
      {"secret base64 padding", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {password: cGFzc3dvcmQ}\n",
       "data.password", "illegal base64 data at input byte 8"},
      {"secret key", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {\"..a\": x}\n", "stringData[..a]",
       "must not start with '..'"},
      {"tls secret keys", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/tls\nstringData: {tls.crt: x}\n",
       "data[tls.key]", "needs key \"tls.key\""},
      {"pvc ok", "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: p}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n", "", ""},
      {"pvc storage", "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: p}\nspec: {accessModes: [ReadWriteOnce]}\n",
       "spec.resources.requests.storage", "needs resources.requests.storage"},
      {"pvc access mode", "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: p}\nspec: {accessModes: [RWO], resources: {requests: {storage: 1Gi}}}\n",
       "spec.accessModes[0]", "Unsupported value: \"RWO\""},
      {"quota ok", "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec: {hard: {requests.cpu: \"1\", pods: \"10\", count/deployments.apps: 2}}\n", "", ""},
      {"quota resource", "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec: {hard: {cpus: \"1\"}}\n",
       "spec.hard.cpus", "must be a standard resource for quota"},
      {"limitrange ok", "apiVersion: v1\nkind: LimitRange\nmetadata: {name: l}\nspec: {limits: [{type: Container, max: {cpu: \"1\"}, min: {cpu: 100m}}]}\n", "", ""},
      {"limitrange order", "apiVersion: v1\nkind: LimitRange\nmetadata: {name: l}\nspec: {limits: [{type: Container, max: {cpu: 100m}, min: {cpu: \"1\"}}]}\n",
       "spec.limits[0].min.cpu", "is greater than max value"},
      {"limitrange type", "apiVersion: v1\nkind: LimitRange\nmetadata: {name: l}\nspec: {limits: [{type: Node}]}\n",
       "spec.limits[0].type", "Unsupported value: \"Node\""},
  });
}

TEST(Validate, IngressAndHpaRules) {
  const std::string ing = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec:\n  rules:\n"
                          "  - host: foo.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n"
                          "        backend: {service: {name: web, port: {number: 80}}}\n";
  const std::string hpa = "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n"
                          "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: 1\n  maxReplicas: 5\n"
                          "  metrics:\n  - type: Resource\n    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}\n";
  RunCases({
      {"ingress ok", ing, "", ""},
      {"ingress wildcard host", Replace(ing, "foo.example.com", "\"*.example.com\""), "", ""},
      {"ingress IP host", Replace(ing, "foo.example.com", "10.0.0.1"), "spec.rules[0].host", "not an IP address"},
      {"ingress pathType", Replace(ing, "        pathType: Prefix\n", ""), "spec.rules[0].http.paths[0].pathType",
       "missing required field \"pathType\""},
      {"ingress relative path", Replace(ing, "path: /", "path: api"), "spec.rules[0].http.paths[0].path",
       "must be an absolute path"},
      {"ingress port", Replace(ing, "{number: 80}", "{number: 80, name: http}"), "spec.rules[0].http.paths[0].backend.service.port",
       "cannot set both port name & port number"},
      {"ingress needs rules", "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec: {}\n", "spec",
       "either `defaultBackend` or `rules` must be specified"},
      {"hpa ok", hpa, "", ""},
      {"hpa minReplicas", Replace(hpa, "minReplicas: 1", "minReplicas: 0"), "spec.minReplicas", "must be greater than or equal to 1"},
      {"hpa max < min", Replace(hpa, "maxReplicas: 5", "maxReplicas: 0"), "spec.maxReplicas", "must be greater than 0"},
      {"hpa metric source", Replace(hpa, "type: Resource", "type: Pods"), "spec.metrics[0].pods",
       "must populate information for the given metric source"},
      {"hpa only one source", Replace(hpa, "type: Resource", "type: Pods"), "spec.metrics[0].resource",
       "must populate the given metric source only"},
      {"hpa target", Replace(hpa, "type: Utilization, averageUtilization: 50", "type: Utilization"),
       "spec.metrics[0].resource.target.averageUtilization", "must set averageUtilization"},
      {"hpa v1", "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n"
                 "  scaleTargetRef: {kind: Deployment, name: web}\n  maxReplicas: 3\n  targetCPUUtilizationPercentage: 0\n",
       "spec.targetCPUUtilizationPercentage", "must be greater than or equal to 1"},
  });
}

}  // namespace
}  // namespace moor::manifests
