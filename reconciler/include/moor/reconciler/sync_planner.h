#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "moor/manifests/load.h"
#include "moor/manifests/object.h"
#include "moor/store/store.h"

namespace moor::reconciler {

using manifests::Object;
using manifests::ObjectKey;

// The desired form of a manifest object: what a file says, minus the fields the server owns
// (metadata.uid, resourceVersion, generation, creationTimestamp, managedFields, selfLink)
// and minus status. This is what the folder source writes to the store.
Object DesiredForm(const Object& obj);
// The same, in place (no copy).
void StripToDesiredForm(Object& obj);

// Hash of DesiredForm(obj), computed without copying: equal for a manifest object and the
// object the store keeps for it (the store adds only server-owned fields), different as soon
// as anything else differs.
std::string ContentHash(const Object& obj);

// One object a valid file declares.
struct DeclaredObject {
  ObjectKey key;
  Object object;               // DesiredForm of the loaded, defaulted document
  int document = 0;            // 1-based document index in the file
  std::string document_hash;   // manifests::Document::hash
  std::string content_hash;    // ContentHash(object)
};

// One file of a batch as it is now.
struct FileInput {
  enum class State {
    kValid,    // loaded without errors: `declared` is its complete desired content
    kBroken,   // has errors: nothing of it may be applied; it keeps what it owns
    kRemoved,  // the file is gone: what it owns is pruned
  };
  std::string path;                     // relative to the source root
  std::string revision;                 // content hash of the file ("" when removed)
  State state = State::kValid;
  std::vector<DeclaredObject> declared;  // kValid only
  std::vector<std::string> diagnostics;  // Diagnostic::ToString() lines (errors and warnings)
};

// What the store holds for one key right now.
struct StoredObject {
  store::SourceRef source;
  std::string content_hash;  // ContentHash of the stored object
  // metadata.deletionTimestamp is set: the object is on its way out (a Terminating pod). A
  // file declaring it fails (a conflict, retried) until it is gone; then it is created anew.
  bool being_deleted = false;
};

// Everything the planner needs; gathered by the caller, no I/O in the planner.
struct BatchInput {
  std::string source_name;       // "folder"
  std::vector<FileInput> files;  // the files synced together (paths unique)
  // The store's current state for every key that a batch file declares or that a batch file
  // owns (source == {source_name, that file}). A key absent here is absent from the store.
  std::map<ObjectKey, StoredObject> stored;
  // Keys that files OUTSIDE the batch hold (a valid file: what it declares; a broken file:
  // what it owns), with that file's path. Only keys declared by batch files matter.
  std::map<ObjectKey, std::string> held_elsewhere;
  // Namespaces being deleted (Terminating) that batch files declare objects in.
  std::set<std::string> terminating_namespaces;
};

// The plan for one file: one store transaction (ops + a sync record built from the rest).
struct FilePlan {
  std::string path;
  std::string revision;
  std::string result;                           // "Applied" | "Failed" | "Removed"
  std::vector<store::WriteOp> ops;              // empty when Failed
  std::vector<store::ObjectOutcome> outcomes;   // per object: created/updated/unchanged/pruned/failed
  std::vector<std::string> errors;              // diagnostics (warnings too); conflicts when Failed
  bool conflict = false;  // failed only because another file or source holds an object: retry
                          // after later batches, the other side may let go
};

// Plans a batch of file changes, one FilePlan per input file, in input order. Takes the input
// by value so that declared objects move into the ops instead of being copied.
//
// Rules:
// - A broken file fails with its diagnostics and no ops; its objects stay as they are.
// - A valid file gets kApply ops (with source {source_name, path, document, hash}) for every
//   declared object that is missing, different, or recorded with another source, and kDelete
//   ops for the objects it owns but no longer declares (pruned), unless another valid file of
//   the batch takes them over (the object moves: kApply there, no delete, same uid).
// - An object owned by another file of this source that still holds it is a conflict: the
//   declaring file fails naming both files, and the owner keeps the object. Two batch files
//   newly declaring the same unowned object: the first by path wins, the other fails.
// - An object with an empty source (created through the API) is adopted by the file that
//   declares it (kubectl apply semantics). An object of another source is never taken over.
// - A removed file prunes what it owns (result "Removed").
// - An object declared in a Terminating namespace fails its file (a conflict, retried): nothing
//   can be created there, and what is there is being deleted. Once the namespace is gone the
//   file applies it again.
// - Declaring the same object twice in one file is an error of that file.
std::vector<FilePlan> PlanBatch(BatchInput input);

}  // namespace moor::reconciler
