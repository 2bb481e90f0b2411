#pragma once

#include <vector>

#include "moor/api/api_server.h"
#include "moor/manifests/object.h"

namespace moor::api {

// The body of GET /moor/v1/status: the newest sync record of every file, grouped by the
// configured sources (records of sources not configured are listed after them):
// {"sources":[{"name","type","location","files":[{"path","revision","time","result",
//   "durationSeconds","objects":[{kind,namespace,name,action,message}],"errors":[...]}]}]}
StatusOr<manifests::Object> SourceStatusJson(store::Store& store, const std::vector<SourceInfo>& sources);

}  // namespace moor::api
