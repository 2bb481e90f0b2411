#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "moor/manifests/kinds.h"
#include "moor/manifests/load.h"

namespace moor::manifests {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> CorpusFiles() {
  std::vector<fs::path> files;
  fs::path root = MOOR_CORPUS_DIR;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::string ext = entry.path().extension().string();
    if (ext == ".yaml" || ext == ".yml" || ext == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string Rel(const fs::path& p) { return fs::relative(p, MOOR_CORPUS_DIR).string(); }

struct Expected {
  int line;
  std::string field;
  std::string message;  // substring
};

// The files the corpus's SOURCE.md notes as broken or invalid, with the error each must give.
const std::map<std::string, std::vector<Expected>>& BrokenFiles() {
  static const std::map<std::string, std::vector<Expected>> files = {
      {"controllers/job-pod-failure-policy-ignore.yaml", {{24, "", "YAML syntax error: illegal tab"}}},
      {"controllers/job-success-policy-example.yaml",
       {{1, "metadata.name", "name or generateName is required"},
        {12, "spec.template.spec.restartPolicy", "Required value: valid values: \"OnFailure\", \"Never\""}}},
      {"secret/serviceaccount/mysecretname.yaml", {{6, "metadata.annotations", "expected object, got list"}}},
      {"pods/pod-with-node-affinity.yaml",
       {{8, "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution", "expected object, got list"}}},
      {"secret/tls-auth-secret.yaml",
       {{10, "data[tls.crt]", "illegal base64 data at input byte 7"},
        {11, "data[tls.key]", "illegal base64 data at input byte 7"}}},
      {"application/job/job-tmpl.yaml", {{6, "metadata.name", "invalid name \"process-item-$ITEM\""}}},
      {"application/job/cronjob.yaml",
       {{1, "apiVersion", "apiVersion \"batch/v1beta1\" of kind CronJob is no longer served (removed in Kubernetes 1.25); use apiVersion \"batch/v1\""}}},
      {"service/networking/example-ingress.yaml",
       {{1, "apiVersion", "apiVersion \"networking.k8s.io/v1beta1\" of kind Ingress is no longer served (removed in Kubernetes 1.22); use apiVersion \"networking.k8s.io/v1\""}}},
  };
  return files;
}

TEST(Corpus, SupportedKindsAreAcceptedAndOthersReported) {
  std::vector<fs::path> files = CorpusFiles();
  ASSERT_GT(files.size(), 150u) << "corpus missing at " << MOOR_CORPUS_DIR;
  int accepted = 0;
  int unsupported = 0;
  for (const fs::path& path : files) {
    std::string rel = Rel(path);
    if (BrokenFiles().count(rel) != 0) continue;
    ParsedFile parsed = ParseFile(path, rel);
    ASSERT_TRUE(parsed.ok()) << parsed.diagnostics[0].ToString();
    for (const Document& doc : parsed.documents) {
      std::vector<Diagnostic> found = Validate(doc, rel, LoadOptions{.parse = {}, .strict = true});
      if (FindKind(ApiVersionOf(doc.object), KindOf(doc.object)) != nullptr) {
        // No errors and, in strict mode, no unknown fields: the schema covers the corpus.
        EXPECT_TRUE(found.empty()) << found[0].ToString();
        ++accepted;
        // Defaulted objects stay valid, and defaulting is idempotent.
        Document defaulted = doc;
        ApplyDefaults(defaulted.object);
        std::vector<Diagnostic> again = Validate(defaulted, rel, LoadOptions{.parse = {}, .strict = true});
        EXPECT_TRUE(again.empty()) << rel << " after defaults: " << again[0].ToString();
        Object twice = defaulted.object;
        ApplyDefaults(twice);
        EXPECT_EQ(twice, defaulted.object) << rel;
      } else {
        ASSERT_EQ(found.size(), 1u) << rel;
        EXPECT_EQ(found[0].field, "kind") << found[0].ToString();
        EXPECT_EQ(found[0].message.rfind("unsupported kind \"", 0), 0u) << found[0].ToString();
        EXPECT_EQ(found[0].file, rel);
        EXPECT_EQ(found[0].document, doc.index);
        EXPECT_GT(found[0].line, 0);
        ++unsupported;
      }
    }
  }
  // kinds.txt: 219 documents; 19 of unsupported kinds; 8 in the broken files above.
  EXPECT_EQ(unsupported, 19);
  EXPECT_EQ(accepted, 219 - 19 - 8);
}

TEST(Corpus, BrokenFilesGiveSpecificErrors) {
  for (const auto& [rel, expected] : BrokenFiles()) {
    LoadedFile f = LoadFile(fs::path(MOOR_CORPUS_DIR) / rel, rel);
    EXPECT_FALSE(f.ok()) << rel;
    EXPECT_TRUE(f.documents.empty()) << rel;
    std::vector<Diagnostic> errors;
    for (const Diagnostic& d : f.diagnostics) {
      if (d.severity == Severity::kError) errors.push_back(d);
    }
    ASSERT_EQ(errors.size(), expected.size()) << rel << ": " << (errors.empty() ? "" : errors[0].ToString());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(errors[i].file, rel);
      EXPECT_EQ(errors[i].document, 1) << errors[i].ToString();
      EXPECT_EQ(errors[i].line, expected[i].line) << errors[i].ToString();
      EXPECT_GT(errors[i].column, 0) << errors[i].ToString();
      EXPECT_EQ(errors[i].field, expected[i].field) << errors[i].ToString();
      EXPECT_NE(errors[i].message.find(expected[i].message), std::string::npos) << errors[i].ToString();
    }
  }
}

TEST(Corpus, LoadFileRefusesAFileWithAnUnsupportedDocument) {
  std::string rel = "application/cassandra/cassandra-statefulset.yaml";
  LoadedFile f = LoadFile(fs::path(MOOR_CORPUS_DIR) / rel, rel);
  EXPECT_FALSE(f.ok());
  EXPECT_TRUE(f.documents.empty());
  ASSERT_EQ(f.diagnostics.size(), 1u);
  EXPECT_EQ(f.diagnostics[0].document, 2);
}

}  // namespace
}  // namespace moor::manifests
