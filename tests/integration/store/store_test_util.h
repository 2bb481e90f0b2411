#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "moor/store/sqlite_store.h"
#include "moor/testing/fake_clock.h"
#include "moor/testing/temp_dir.h"

namespace moor::store::testing {

inline Object Deployment(const std::string& name, int replicas, const std::string& ns = "default") {
  return Object{{"apiVersion", "apps/v1"},
                {"kind", "Deployment"},
                {"metadata", {{"name", name}, {"namespace", ns}, {"labels", {{"app", name}}}}},
                {"spec",
                 {{"replicas", replicas},
                  {"selector", {{"matchLabels", {{"app", name}}}}},
                  {"template",
                   {{"metadata", {{"labels", {{"app", name}}}}},
                    {"spec", {{"containers", Object::array({{{"name", "web"}, {"image", "busybox"}}})}}}}}}}};
}

inline Object ConfigMap(const std::string& name, const std::string& ns, Object data) {
  return Object{{"apiVersion", "v1"},
                {"kind", "ConfigMap"},
                {"metadata", {{"name", name}, {"namespace", ns}}},
                {"data", std::move(data)}};
}

inline std::string NameOfItem(const Record& r) { return manifests::NameOf(r.object); }

inline int64_t RvOf(const Object& obj) { return std::stoll(obj["metadata"]["resourceVersion"].get<std::string>()); }

// Runs one SQL statement on its own connection and returns the first column of the first row.
inline std::string QuerySql(const std::filesystem::path& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
      if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
        out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
      }
      sqlite3_finalize(stmt);
    } else {
      out = std::string("error: ") + sqlite3_errmsg(db);
    }
  } else {
    out = "error: cannot open";
  }
  sqlite3_close(db);
  return out;
}

// A store on a fresh SQLite file in a temp dir, with a fake clock.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open(int64_t history_limit = 100000) {
    store_.reset();
    options_.path = dir_ / "state.db";
    options_.clock = &clock_;
    options_.history_limit = history_limit;
    auto opened = OpenSqliteStore(options_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  moor::testing::TempDir dir_{"store"};
  moor::testing::FakeClock clock_;
  SqliteStoreOptions options_;
  std::unique_ptr<Store> store_;
};

}  // namespace moor::store::testing
