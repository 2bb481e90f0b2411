#include <string>

#include <gtest/gtest.h>

#include "moor/manifests/load.h"

namespace moor::manifests {
namespace {

Object LoadOne(const std::string& yaml) {
  LoadedFile f = LoadContent("t.yaml", yaml);
  EXPECT_TRUE(f.ok()) << (f.diagnostics.empty() ? "" : f.diagnostics[0].ToString());
  EXPECT_EQ(f.documents.size(), 1u);
  return f.documents.empty() ? Object() : f.documents[0].object;
}

TEST(Defaults, DeploymentMatchesWhatKubeApiserverReturns) {
  Object got = LoadOne(R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx
        ports: [{containerPort: 80}]
        readinessProbe: {httpGet: {port: 80}}
        resources: {limits: {cpu: 0.5, memory: 1024Mi}}
      - name: sidecar
        image: registry.k8s.io/pause:3.9
        env: [{name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
      volumes:
      - name: cfg
        configMap: {name: cfg}
      - name: scratch
)");
  // kube-apiserver's answer for this manifest, without the fields the server populates
  // (uid, resourceVersion, generation, creationTimestamp, status).
  Object want = Object::parse(R"({
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
    "spec": {
      "replicas": 1,
      "revisionHistoryLimit": 10,
      "progressDeadlineSeconds": 600,
      "selector": {"matchLabels": {"app": "web"}},
      "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
      "template": {
        "metadata": {"labels": {"app": "web"}},
        "spec": {
          "containers": [
            {"name": "web", "image": "nginx", "imagePullPolicy": "Always",
             "ports": [{"containerPort": 80, "protocol": "TCP"}],
             "readinessProbe": {"httpGet": {"path": "/", "port": 80, "scheme": "HTTP"},
                                "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3},
             "resources": {"limits": {"cpu": "500m", "memory": "1Gi"}},
             "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"},
            {"name": "sidecar", "image": "registry.k8s.io/pause:3.9", "imagePullPolicy": "IfNotPresent",
             "env": [{"name": "POD", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}}],
             "resources": {},
             "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}
          ],
          "volumes": [
            {"name": "cfg", "configMap": {"name": "cfg", "defaultMode": 420}},
            {"name": "scratch", "emptyDir": {}}
          ],
          "dnsPolicy": "ClusterFirst",
          "restartPolicy": "Always",
          "schedulerName": "default-scheduler",
          "securityContext": {},
          "terminationGracePeriodSeconds": 30
        }
      }
    }
  })");
  EXPECT_EQ(got, want) << "diff: " << Object::diff(want, got).dump();
}

TEST(Defaults, AreIdempotentAndKeepExplicitValues) {
  Object obj = LoadOne(R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod}
spec:
  replicas: 0
  strategy: {type: Recreate}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx@sha256:abc", imagePullPolicy: Never}]}
)");
  EXPECT_EQ(obj["metadata"]["namespace"], "prod");
  EXPECT_EQ(obj["spec"]["replicas"], 0);
  EXPECT_EQ(obj["spec"]["strategy"], Object({{"type", "Recreate"}}));
  EXPECT_EQ(obj["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"], "Never");
  Object again = obj;
  ApplyDefaults(again);
  EXPECT_EQ(again, obj);
}

TEST(Defaults, ImagePullPolicyFollowsTheTag) {
  struct Case {
    const char* image;
    const char* policy;
  };
  for (const Case& c : {Case{"nginx", "Always"}, Case{"nginx:latest", "Always"}, Case{"nginx:1.27", "IfNotPresent"},
                        Case{"localhost:5000/app", "Always"}, Case{"localhost:5000/app:v2", "IfNotPresent"},
                        Case{"busybox@sha256:0123", "IfNotPresent"}}) {
    Object pod = Object::parse(R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                                   "spec": {"containers": [{"name": "c"}]}})");
    pod["spec"]["containers"][0]["image"] = c.image;
    ApplyDefaults(pod);
    EXPECT_EQ(pod["spec"]["containers"][0]["imagePullPolicy"], c.policy) << c.image;
  }
}

TEST(Defaults, PodServiceAndOthers) {
  Object pod = LoadOne(R"(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    image: busybox:1.37
    resources: {limits: {cpu: "1"}}
)");
  EXPECT_EQ(pod["spec"]["enableServiceLinks"], true);
  EXPECT_EQ(pod["spec"]["containers"][0]["resources"]["requests"], Object({{"cpu", "1"}}));

  Object svc = LoadOne("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n");
  Object want_spec = Object::parse(R"({"selector": {"app": "web"}, "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}],
    "type": "ClusterIP", "sessionAffinity": "None", "internalTrafficPolicy": "Cluster",
    "ipFamilyPolicy": "SingleStack", "ipFamilies": ["IPv4"]})");
  EXPECT_EQ(svc["spec"], want_spec) << Object::diff(want_spec, svc["spec"]).dump();

  Object secret = LoadOne("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: b}\n");
  EXPECT_EQ(secret["type"], "Opaque");

  Object ns = LoadOne("apiVersion: v1\nkind: Namespace\nmetadata: {name: prod}\n");
  EXPECT_EQ(ns["spec"]["finalizers"], Object::array({"kubernetes"}));
  EXPECT_EQ(ns["metadata"]["labels"]["kubernetes.io/metadata.name"], "prod");
  EXPECT_FALSE(ns["metadata"].contains("namespace"));

  Object pvc = LoadOne("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: p}\n"
                       "spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1024Mi}}}\n");
  EXPECT_EQ(pvc["spec"]["volumeMode"], "Filesystem");
  EXPECT_EQ(pvc["spec"]["resources"]["requests"]["storage"], "1Gi");
}

TEST(Defaults, WorkloadKinds) {
  Object job = LoadOne("apiVersion: batch/v1\nkind: Job\nmetadata: {name: pi}\nspec:\n  template:\n"
                       "    metadata: {labels: {app: pi}}\n    spec: {restartPolicy: Never, containers: [{name: pi, image: perl}]}\n");
  EXPECT_EQ(job["spec"]["backoffLimit"], 6);
  EXPECT_EQ(job["spec"]["completions"], 1);
  EXPECT_EQ(job["spec"]["parallelism"], 1);
  EXPECT_EQ(job["spec"]["completionMode"], "NonIndexed");
  EXPECT_EQ(job["spec"]["suspend"], false);
  EXPECT_EQ(job["spec"]["podReplacementPolicy"], "TerminatingOrFailed");
  EXPECT_EQ(job["spec"]["template"]["spec"]["restartPolicy"], "Never");
  EXPECT_EQ(job["metadata"]["labels"], Object({{"app", "pi"}}));

  Object parallel = LoadOne("apiVersion: batch/v1\nkind: Job\nmetadata: {name: pi}\nspec:\n  parallelism: 3\n  template:\n"
                            "    spec: {restartPolicy: Never, containers: [{name: pi, image: perl}]}\n");
  EXPECT_FALSE(parallel["spec"].contains("completions"));

  Object cron = LoadOne("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: \"@daily\"\n"
                        "  jobTemplate:\n    spec:\n      template:\n        spec: {restartPolicy: OnFailure, containers: [{name: c, image: busybox}]}\n");
  EXPECT_EQ(cron["spec"]["concurrencyPolicy"], "Allow");
  EXPECT_EQ(cron["spec"]["suspend"], false);
  EXPECT_EQ(cron["spec"]["successfulJobsHistoryLimit"], 3);
  EXPECT_EQ(cron["spec"]["failedJobsHistoryLimit"], 1);
  EXPECT_EQ(cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["dnsPolicy"], "ClusterFirst");
  EXPECT_FALSE(cron["spec"]["jobTemplate"]["spec"].contains("backoffLimit"));

  Object ds = LoadOne("apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {a: b}}\n"
                      "  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: busybox}]}\n");
  EXPECT_EQ(ds["spec"]["updateStrategy"],
            Object::parse(R"({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}})"));
  EXPECT_EQ(ds["spec"]["revisionHistoryLimit"], 10);

  Object sts = LoadOne("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec:\n  serviceName: s\n"
                       "  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n"
                       "    spec: {containers: [{name: c, image: busybox}]}\n");
  EXPECT_EQ(sts["spec"]["replicas"], 1);
  EXPECT_EQ(sts["spec"]["podManagementPolicy"], "OrderedReady");
  EXPECT_EQ(sts["spec"]["updateStrategy"], Object::parse(R"({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}})"));
  EXPECT_EQ(sts["spec"]["persistentVolumeClaimRetentionPolicy"],
            Object::parse(R"({"whenDeleted": "Retain", "whenScaled": "Retain"})"));

  Object hpa = LoadOne("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n"
                       "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  maxReplicas: 5\n");
  EXPECT_EQ(hpa["spec"]["minReplicas"], 1);
  EXPECT_EQ(hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"], 80);
}

}  // namespace
}  // namespace moor::manifests
