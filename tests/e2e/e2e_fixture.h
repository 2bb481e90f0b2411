#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "moor/testing/process.h"
#include "moor/testing/temp_dir.h"
#include "moor/testing/test_registry.h"
#include "moor_node.h"

namespace moor::e2e {

// The e2e fixture: once per test program a real registry on 127.0.0.1 with busybox:1.36 (built
// from busybox-static); per test a fresh MoorNode whose config mirrors docker.io to it, so
// manifests say `image: busybox:1.36` unchanged. Fails (never skips) when a prerequisite is
// missing. The node's server log is printed when a test fails.
class E2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    missing_ = new std::string(MissingPrerequisites());
    if (!missing_->empty()) return;
    auto registry = testing::TestRegistry::Start();
    if (!registry.ok()) {
      *missing_ = "cannot start the test registry: " + registry.status().ToString();
      return;
    }
    registry_ = registry->release();
    layout_ = new testing::TempDir("e2e-image");
    auto layout = testing::BuildBusyboxImageLayout(layout_->path() / "oci", "1.36");
    if (!layout.ok()) {
      *missing_ = "cannot build the busybox image: " + layout.status().ToString();
      return;
    }
    // Manifests say `image: busybox:1.36` unchanged; the config mirrors docker.io to the test registry.
    Status pushed = registry_->Push(layout_->path() / "oci", "1.36", "library/busybox:1.36");
    if (!pushed.ok()) *missing_ = "cannot push the busybox image: " + pushed.ToString();
  }

  static void TearDownTestSuite() {
    delete registry_;
    registry_ = nullptr;
    delete layout_;
    layout_ = nullptr;
    delete missing_;
    missing_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(missing_->empty()) << *missing_;
    node_ = std::make_unique<MoorNode>(registry_->MirrorConfig("docker.io"));
    std::string error = node_->Start();
    ASSERT_TRUE(error.empty()) << error;
  }

  void TearDown() override {
    if (HasFailure() && node_) std::cerr << "---- moor server log ----\n" << node_->ServerLog() << "\n";
    node_.reset();  // Clean()
  }

  nlohmann::json Pod(const std::string& name) { return node_->Get("pod", name); }

  // The pod's status, or an empty object while it has none.
  static nlohmann::json StatusOf(const nlohmann::json& pod) {
    if (!pod.is_object() || !pod.contains("status") || !pod["status"].is_object()) return nlohmann::json::object();
    return pod["status"];
  }

  static std::string Ready(const nlohmann::json& pod) {
    for (const auto& c : StatusOf(pod).value("conditions", nlohmann::json::array())) {
      if (c.value("type", "") == "Ready") return c.value("status", "");
    }
    return "";
  }

  // Waits for the pod to be Running and Ready; returns it.
  nlohmann::json WaitRunningReady(const std::string& name, std::chrono::seconds timeout = std::chrono::seconds(60)) {
    nlohmann::json pod;
    bool ok = testing::WaitFor(
        [&] {
          pod = Pod(name);
          return StatusOf(pod).value("phase", "") == "Running" && Ready(pod) == "True";
        },
        timeout);
    EXPECT_TRUE(ok) << "pod " << name << " not running+ready: " << (pod.is_object() ? pod["status"].dump(2) : "absent");
    return pod;
  }

  static std::string ContainerId(const nlohmann::json& pod, int index = 0) {
    std::string id = pod["status"]["containerStatuses"][index].value("containerID", "");
    return id.rfind("runc://", 0) == 0 ? id.substr(7) : id;
  }

  std::unique_ptr<MoorNode> node_;
  static inline std::string* missing_ = nullptr;
  static inline testing::TestRegistry* registry_ = nullptr;
  static inline testing::TempDir* layout_ = nullptr;
};


}  // namespace moor::e2e
