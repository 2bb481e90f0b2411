#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "moor/manifests/parse.h"
#include "moor/testing/temp_dir.h"

namespace moor::manifests {
namespace {

Object ParseValue(const std::string& yaml_value) {
  ParsedFile f = ParseContent("t.yaml", "v: " + yaml_value + "\n");
  EXPECT_TRUE(f.ok()) << (f.diagnostics.empty() ? "" : f.diagnostics[0].ToString());
  if (f.documents.size() != 1) return Object("<no document>");
  return f.documents[0].object["v"];
}

struct ScalarCase {
  std::string yaml;
  Object expected;
};

TEST(ScalarResolution, MatchesSigsK8sYaml) {
  const std::vector<ScalarCase> cases = {
      {"~", nullptr},          {"null", nullptr},     {"Null", nullptr},     {"NULL", nullptr},
      {"", nullptr},           {"true", true},        {"True", true},        {"TRUE", true},
      {"yes", true},           {"Yes", true},         {"YES", true},         {"y", true},
      {"Y", true},             {"on", true},          {"On", true},          {"ON", true},
      {"false", false},        {"no", false},         {"No", false},         {"NO", false},
      {"n", false},            {"N", false},          {"off", false},        {"OFF", false},
      {"yEs", "yEs"},          {"nope", "nope"},      {"42", 42},            {"-17", -17},
      {"+5", 5},               {"0x1F", 31},          {"0644", 420},         {"0o17", 15},
      {"0b101", 5},            {"1_000", 1000},       {"08", 8},             {"1e3", 1000},
      {"1.5", 1.5},            {".5", 0.5},           {"-.5", -0.5},         {"1.5e-3", 0.0015},
      {"2.0", 2},              {"\"42\"", "42"},      {"'true'", "true"},    {"\"\"", ""},
      {"!!str 42", "42"},      {"!!int \"7\"", 7},    {"!!float 1", 1},      {"1.2.3", "1.2.3"},
      {"10:30", "10:30"},      {"http", "http"},      {"64Mi", "64Mi"},      {"250m", "250m"},
      {"-x", "-x"},              {"2020-01-02", "2020-01-02T00:00:00Z"},     {"9223372036854775807", 9223372036854775807LL},
      {"18446744073709551615", 18446744073709551615ULL},                   {"|\n  block\n", "block\n"},
  };
  for (const ScalarCase& c : cases) {
    EXPECT_EQ(ParseValue(c.yaml), c.expected) << "yaml: " << c.yaml;
  }
}

TEST(ScalarResolution, InfinityAndNaNAreRefusedAsNotJson) {
  for (const char* v : {".inf", "-.Inf", ".nan"}) {
    ParsedFile f = ParseContent("t.yaml", std::string("v: ") + v + "\n");
    ASSERT_FALSE(f.ok()) << v;
    EXPECT_NE(f.diagnostics[0].message.find("not representable in JSON"), std::string::npos);
    EXPECT_EQ(f.diagnostics[0].line, 1);
    EXPECT_EQ(f.diagnostics[0].column, 4);
  }
}

TEST(Positions, NestedFieldsHaveLineAndColumn) {
  const std::string yaml =
      "apiVersion: apps/v1\n"            // 1
      "kind: Deployment\n"               // 2
      "metadata:\n"                      // 3
      "  name: web\n"                    // 4
      "  labels:\n"                      // 5
      "    app.kubernetes.io/name: web\n"  // 6
      "spec:\n"                          // 7
      "  template:\n"                    // 8
      "    spec:\n"                      // 9
      "      containers:\n"              // 10
      "      - name: web\n"              // 11
      "        image: nginx\n"           // 12
      "        ports:\n"                 // 13
      "        - containerPort: http\n";   // 14
  ParsedFile f = ParseContent("web.yaml", yaml);
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f.documents.size(), 1u);
  const PositionIndex& p = f.documents[0].positions;
  SourcePos port = p.Find("spec.template.spec.containers[0].ports[0].containerPort");
  EXPECT_EQ(port.line, 14);
  EXPECT_EQ(port.column, 11);
  SourcePos item = p.Find("spec.template.spec.containers[0]");
  EXPECT_EQ(item.line, 11);
  EXPECT_EQ(item.column, 9);
  SourcePos label = p.Find("metadata.labels[app.kubernetes.io/name]");
  EXPECT_EQ(label.line, 6);
  EXPECT_EQ(label.column, 5);
  // Unknown children fall back to the nearest recorded parent.
  SourcePos missing = p.Find("spec.template.spec.containers[0].resources.limits");
  EXPECT_EQ(missing.line, 11);
  SourcePos missing_label = p.Find("metadata.labels[nope]");
  EXPECT_EQ(missing_label.line, 5);
}

TEST(Diagnostics, ToStringFormat) {
  Diagnostic d;
  d.file = "web.yaml";
  d.line = 14;
  d.column = 7;
  d.document = 1;
  d.field = "spec.template.spec.containers[0].ports[0].containerPort";
  d.message = "expected integer, got \"http\"";
  EXPECT_EQ(d.ToString(),
            "web.yaml:14:7: spec.template.spec.containers[0].ports[0].containerPort: expected integer, got \"http\" "
            "(document 1)");
  d.severity = Severity::kWarning;
  d.field = "spec.templat";
  d.message = "unknown field \"spec.templat\"";
  EXPECT_EQ(d.ToString(), "web.yaml:14:7: warning: spec.templat: unknown field \"spec.templat\" (document 1)");
  EXPECT_FALSE(HasErrors({d}));
}

TEST(Parse, MultiDocumentCountsEveryDocumentAndSkipsEmptyOnes) {
  const std::string yaml =
      "---\n"
      "a: 1\n"
      "---\n"
      "---\n"
      "# only a comment\n"
      "---\n"
      "b: 2\n"
      "...\n";
  ParsedFile f = ParseContent("m.yaml", yaml);
  ASSERT_TRUE(f.ok()) << f.diagnostics[0].ToString();
  ASSERT_EQ(f.documents.size(), 2u);
  EXPECT_EQ(f.documents[0].index, 1);
  EXPECT_EQ(f.documents[0].object, Object({{"a", 1}}));
  EXPECT_EQ(f.documents[1].object, Object({{"b", 2}}));
  EXPECT_GT(f.documents[1].index, 2);
  EXPECT_EQ(f.documents[1].start.line, 6);  // the document begins at its ---
}

TEST(Parse, JsonInput) {
  ParsedFile f = ParseContent("p.json", R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"},
  "spec": {"containers": [{"name": "c", "image": "busybox", "ports": [{"containerPort": 80}]}]}})");
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f.documents.size(), 1u);
  EXPECT_EQ(f.documents[0].object["spec"]["containers"][0]["ports"][0]["containerPort"], 80);
  EXPECT_EQ(f.documents[0].positions.Find("spec.containers[0].image").line, 2);
}

TEST(Parse, KyamlFlowStyleWithCommentsTrailingCommasAndNoFinalNewline) {
  const std::string yaml =
      "---\n"
      "{\n"
      "  apiVersion: \"v1\",\n"
      "  kind: \"ConfigMap\",  # a comment inside a flow mapping\n"
      "  metadata: {\n"
      "    name: \"cfg\",\n"
      "  },\n"
      "  data: {\n"
      "    \"key.one\": \"1\",\n"
      "  },\n"
      "}";
  ParsedFile f = ParseContent("k.yaml", yaml);
  ASSERT_TRUE(f.ok()) << f.diagnostics[0].ToString();
  ASSERT_EQ(f.documents.size(), 1u);
  EXPECT_EQ(f.documents[0].object["data"]["key.one"], "1");
  EXPECT_EQ(f.documents[0].positions.Find("data[key.one]").line, 9);
}

TEST(Parse, HashChangesIffContentChanges) {
  ParsedFile a = ParseContent("a.yaml", "x: 1\ny: [1, 2]\n");
  ParsedFile b = ParseContent("b.yaml", "y: [1, 2]   # reordered, commented\nx: 1\n");
  ParsedFile c = ParseContent("c.yaml", "x: 2\ny: [1, 2]\n");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a.documents[0].hash, b.documents[0].hash);
  EXPECT_NE(a.documents[0].hash, c.documents[0].hash);
  EXPECT_EQ(a.documents[0].hash.size(), 64u);
}

TEST(Parse, AnchorsAliasesAndMergeKeys) {
  const std::string yaml =
      "base: &b {cpu: 100m, memory: 64Mi}\n"
      "copy: *b\n"
      "merged:\n"
      "  <<: *b\n"
      "  cpu: 200m\n";
  ParsedFile f = ParseContent("a.yaml", yaml);
  ASSERT_TRUE(f.ok()) << f.diagnostics[0].ToString();
  const Object& o = f.documents[0].object;
  EXPECT_EQ(o["copy"], o["base"]);
  EXPECT_EQ(o["merged"], Object({{"cpu", "200m"}, {"memory", "64Mi"}}));
}

TEST(Parse, SyntaxErrorHasFileLineColumnAndDocument) {
  const std::string yaml = "a: 1\n---\nb: [1, 2\nc: 3\n";
  ParsedFile f = ParseContent("bad.yaml", yaml);
  ASSERT_FALSE(f.ok());
  ASSERT_EQ(f.diagnostics.size(), 1u);
  EXPECT_TRUE(f.documents.empty());
  const Diagnostic& d = f.diagnostics[0];
  EXPECT_EQ(d.file, "bad.yaml");
  EXPECT_EQ(d.document, 2);
  EXPECT_GE(d.line, 3);
  EXPECT_GT(d.column, 0);
  EXPECT_NE(d.message.find("YAML syntax error"), std::string::npos);
}

TEST(Parse, TabIndentationIsASyntaxError) {
  ParsedFile f = ParseContent("tab.yaml", "a:\n  b: 1\n\tc: 2\n");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.diagnostics[0].line, 3);
}

TEST(Parse, DuplicateKeysAreErrors) {
  ParsedFile f = ParseContent("d.yaml", "a: 1\nb: 2\na: 3\n");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.diagnostics[0].line, 3);
  EXPECT_EQ(f.diagnostics[0].message, "duplicate key \"a\" (first set on line 1)");
}

TEST(Parse, TopLevelMustBeAMapping) {
  ParsedFile f = ParseContent("l.yaml", "- a\n- b\n");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.diagnostics[0].message, "a manifest must be a mapping (object), got list");
  EXPECT_EQ(f.diagnostics[0].document, 1);
}

TEST(HostileInput, OversizeContentAndFileAreRefused) {
  ParseOptions opts;
  opts.max_bytes = 100;
  std::string big = "a: \"" + std::string(200, 'x') + "\"\n";
  ParsedFile f = ParseContent("big.yaml", big, opts);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.diagnostics[0].message.find("over the limit of 100 bytes"), std::string::npos);

  testing::TempDir dir("manifests-parse");
  testing::WriteFile(dir / "big.yaml", big);
  ParsedFile g = ParseFile(dir / "big.yaml", "big.yaml", opts);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.diagnostics[0].file, "big.yaml");
  EXPECT_NE(g.diagnostics[0].message.find("over the limit"), std::string::npos);

  ParsedFile missing = ParseFile(dir / "nope.yaml", "nope.yaml");
  EXPECT_FALSE(missing.ok());
}

TEST(HostileInput, BillionLaughsIsRefused) {
  std::string yaml = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  const char* names = "abcdefghi";
  for (int i = 1; i < 9; ++i) {
    std::string ref = std::string("*") + names[i - 1];
    yaml += std::string(1, names[i]) + ": &" + names[i] + " [" + ref + "," + ref + "," + ref + "," + ref + "," + ref +
            "," + ref + "," + ref + "," + ref + "," + ref + "]\n";
  }
  ParsedFile f = ParseContent("lol.yaml", yaml);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.diagnostics[0].message.find("nodes after expanding aliases"), std::string::npos);
}

TEST(HostileInput, DeepNestingIsRefused) {
  for (const std::string& text : {std::string(1 << 20, '['), std::string(1 << 20, '{'),
                                  std::string(100, '[') + std::string(100, ']')}) {
    ParsedFile f = ParseContent("deep.yaml", text);
    ASSERT_FALSE(f.ok());
    EXPECT_NE(f.diagnostics[0].message.find("nesting deeper than 64"), std::string::npos);
  }
  std::string block;
  for (int i = 0; i < 100; ++i) block += std::string(2 * i, ' ') + "a:\n";
  ParsedFile g = ParseContent("deep.yaml", block);
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.diagnostics[0].message.find("nesting deeper than 64"), std::string::npos);
  // "- - - - x" nests sequences without new lines.
  std::string dashes;
  for (int i = 0; i < 100; ++i) dashes += "- ";
  ParsedFile h = ParseContent("deep.yaml", dashes + "x\n");
  ASSERT_FALSE(h.ok());
}

TEST(HostileInput, ParserDepthCheckCatchesWhatThePrescanCannotSee) {
  // Brackets inside a block scalar are text for the prescan; real nesting via aliases is
  // still bounded while building.
  ParseOptions opts;
  opts.max_depth = 3;
  ParsedFile ok = ParseContent("s.yaml", "a: |\n  [[[[[[[[\nb: \"[[[[[[\"\n", opts);
  EXPECT_TRUE(ok.ok()) << ok.diagnostics[0].ToString();
  ParsedFile deep = ParseContent("d.yaml", "a: &x {b: {c: 1}}\nd: {e: *x}\n", opts);
  EXPECT_TRUE(deep.ok());  // aliases copy values; depth counts parser nesting only
  ParsedFile too_deep = ParseContent("d.yaml", "a:\n  b: {c: {d: 1}}\n", opts);
  ASSERT_FALSE(too_deep.ok());
}

}  // namespace
}  // namespace moor::manifests
