// `moor completion bash` (installed as /usr/share/bash-completion/completions/moor): the script
// completes verbs, sub-verbs and flags as bash would call it, and file names after flags that
// take one.
#include <gtest/gtest.h>

#include "moor/testing/process.h"
#include "moor/testing/temp_dir.h"

namespace moor::package_test {
namespace {

// COMPREPLY (one word a line) for the command line `line`, completed at its end.
std::string Complete(const std::string& script, const std::string& line) {
  std::string program = script +
                        "\nCOMP_LINE=\"$1\"; read -ra COMP_WORDS <<< \"$1\"\n"
                        "case \"$1\" in *' ') COMP_WORDS+=(\"\") ;; esac\n"
                        "COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
                        "_moor moor\n"
                        "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
  auto r = testing::RunCommand({"bash", "-c", program, "bash", line});
  return r.exit_code == 0 ? r.out : "error: " + r.err;
}

class CompletionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = testing::RunCommand({MOOR_BINARY, "completion", "bash"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    script_ = r.out;
  }
  std::string script_;
};

TEST_F(CompletionTest, CompletesVerbsSubVerbsAndFlags) {
  EXPECT_EQ(Complete(script_, "moor ser"), "server\n");
  std::string verbs = Complete(script_, "moor ");
  for (const char* verb : {"server", "get", "apply", "delete", "logs", "exec", "image", "version", "completion"}) {
    EXPECT_NE(verbs.find(std::string(verb) + "\n"), std::string::npos) << verb << " not offered:\n" << verbs;
  }
  EXPECT_EQ(Complete(script_, "moor server --check"), "--check-config\n");
  EXPECT_EQ(Complete(script_, "moor image p"), "pull\nprune\n");
  EXPECT_NE(Complete(script_, "moor get -").find("--output\n"), std::string::npos);
  // After a flag that takes a value (a file here) nothing is offered: bash completes file names.
  EXPECT_EQ(Complete(script_, "moor server --config "), "\n");
}

TEST_F(CompletionTest, ScriptIsValidBash) {
  auto r = testing::RunCommand({"bash", "-n"}, {}, script_);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace moor::package_test
